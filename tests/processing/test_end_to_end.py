"""Packet reader -> sample reader -> data reader through the library, live and historic."""

from __future__ import annotations

import math

import numpy as np

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ma_support_lib.contracts.packet_reading.packet_reading_type import PacketReadingType
from ma_support_lib.contracts.packet_writing.packet_bytes import PacketBytes
from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.packets import periodic_packet, wrap_packet
from ma_support_lib.processing import BatchCollector, HoldLastProcessor, read_session_dataframe

from library.helpers import WAIT_S, Recorder, end_of_session, new_session, ok, started

from .rig import T0, sine

PARAMS = ["vCar:Chassis", "nGear:Chassis"]
MS = 1_000_000


def write_sines(library: SupportLibrary, data_source: str, seconds: float = 4.0) -> tuple[str, np.ndarray, np.ndarray]:
    """A session of two 100 Hz signals (a sine and a stepped one) in PeriodicData packets of 0.1 s."""
    sessions = started(library.get_session_manager_api().create_service())
    writer = started(library.get_writing_packet_api().create_service())
    formats = started(library.get_data_format_manager_api().create_service())
    info = ok(sessions.create_new_session(SessionCreationInfo(data_source, "Run")))
    key = info.session_key
    format_info = ok(formats.get_parameter_data_format_id(data_source, PARAMS))
    order = [PARAMS.index(name) for name in format_info.parameter_list]
    times, wave = sine(100.0, seconds)
    values = np.vstack([wave, np.floor((times - T0) / 7e8)])
    for stream in ("", "Stream1"):
        ok(writer.write_data(data_source, stream, key, new_session(key, data_source)))
    for start in range(0, len(times), 10):
        content = periodic_packet(format_info.data_format_id, int(times[start]), 10 * MS, values[order, start : start + 10])
        ok(writer.write_data(data_source, "Stream1", key, PacketBytes(wrap_packet("PeriodicData", content, key))))
    for stream in ("", "Stream1"):
        ok(writer.write_data(data_source, stream, key, end_of_session(key, data_source)))
    ok(writer.flush(WAIT_S))
    ok(sessions.end_session(data_source, key))
    return key, times, values


def check_means(starts: np.ndarray, means: np.ndarray, times: np.ndarray, values: np.ndarray) -> None:
    assert len(starts) == len(times) // 10
    for k, start in enumerate(starts.tolist()):
        inside = (times >= start) & (times < start + 100 * MS)
        for p in range(len(PARAMS)):
            assert math.isclose(means[k, p], np.mean(values[p][inside]), rel_tol=1e-13, abs_tol=1e-15)


def test_historic_session_into_a_dataframe(library: SupportLibrary, data_source: str) -> None:
    key, times, values = write_sines(library, data_source)
    frame = read_session_dataframe(library, data_source, key, PARAMS, 10.0, progress=False, timeout=WAIT_S)
    assert list(frame.columns) == PARAMS and frame.index.tz is not None
    starts = frame.index.as_unit("ns").asi8
    check_means(starts, frame.to_numpy(), times, values)
    held = read_session_dataframe(library, data_source, key, PARAMS, 1000.0, processor=HoldLastProcessor(), progress=False)
    grid = np.arange(times[0], times[-1] + 1, MS)
    np.testing.assert_array_equal(held.index.as_unit("ns").asi8, grid)
    index = np.searchsorted(times, grid, side="right") - 1
    np.testing.assert_array_equal(held[PARAMS[1]].to_numpy(), values[1][index])


def test_live_session_through_the_module_apis(library: SupportLibrary, data_source: str) -> None:
    config = PacketReadingConfiguration(data_source=data_source, reading_type=PacketReadingType.LIVE, timeout_seconds=WAIT_S)
    reader = ok(library.get_reading_packet_api().create_service_with_config(config))
    sample_reader = ok(library.get_sample_reader_api().create_service(BufferingConfiguration(PARAMS, 500, 20)))
    data_reader = ok(library.get_data_reader_api().create_service())
    sample_reader.set_reader_service(reader)
    data_reader.set_sample_reader_service(sample_reader)
    collector = BatchCollector()
    assert data_reader.subscribe("stats", PARAMS, 10.0, collector).success
    completed = Recorder()
    sample_reader.session_data_merging_completed.subscribe(lambda sender, info: completed.add(info.session_key))
    for service in (data_reader, sample_reader, reader):  # inside out
        service.initialise()
        service.start()
    key, times, values = write_sines(library, data_source)
    completed.wait_for(lambda keys: key in keys)
    starts, means = collector.to_numpy()
    check_means(starts, means, times, values)
    assert {batch.session_key for batch in collector.batches} == {key}
    assert sample_reader.known_parameters() >= set(PARAMS)
    assert not data_reader.subscribe("typo", ["vCar:Chasis"], 10.0, collector).success
    for service in (reader, sample_reader, data_reader):  # outside in
        service.stop()


def test_module_apis_refuse_bad_configurations(library: SupportLibrary) -> None:
    api = library.get_sample_reader_api()
    for config in (BufferingConfiguration(None, 0), BufferingConfiguration(None, 3000, 0), BufferingConfiguration("A:b")):  # type: ignore[arg-type]
        result = api.create_service(config)
        assert not result.success and result.data is None and result.message
    assert "BufferingConfiguration" in api.create_service(None).message  # type: ignore[arg-type]
