"""Markers, events, errors and CAN frames on the .NET backend: the stand-in's sample reader
buffers the kinds the configuration includes, the facade carries them, and Python delivers
the contract types the Python engine builds from the same packets. A value of a type the
facade does not know is skipped and reported without disturbing the rest."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.buffering.end_sample_data import EndSampleData
from ma_support_lib.contracts.buffering.end_timestamp_data import EndTimestampData
from ma_support_lib.contracts.buffering.marker_data import MarkerData
from ma_support_lib.contracts.buffering.sample_data import SampleData
from ma_support_lib.contracts.buffering.value_status import ValueStatus
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.processing.decoding import Includes, decode_other
from ma_support_lib.processing.formats import FormatResolver
from ma_support_lib.protos import open_data_pb2 as od

from tests.library.helpers import ok, packet, started

from .native import dotnet_helpers
from .processing_rig import MS, T0, TYPED, Chain, Samples, Stamps, typed_packet, write_session

DATA_SOURCE = "Records"
ALL = {"include_marker_data": True, "include_event_data": True, "include_error_data": True, "include_can_data": True}
FLAG = {"Marker": "include_marker_data", "Event": "include_event_data", "Error": "include_error_data", "CAN": "include_can_data"}


def _records(event_format: int) -> list[tuple[str, str, bytes]]:
    """(identifier, packet type, content) of each record packet of the session."""
    marker = od.MarkerPacket(
        timestamp=T0 + 5 * MS, end_time=T0 + 25 * MS, label="Lap 2", type="Lap Trigger", description="out lap", source="timing", value=2
    )
    inline = od.EventPacket(data_format=od.EventDataFormat(event_identifier="Pit:Car"), timestamp=T0 + 15 * MS, raw_values=[1.5, -2.0, 1e300])
    by_id = od.EventPacket(data_format=od.EventDataFormat(data_format_identifier=event_format), timestamp=T0 + 30 * MS, raw_values=[7.0])
    error = od.ErrorPacket(
        error_identifier="E1", timestamp=T0 + 12 * MS, application_name="ecu", group="engine", name="Overheat",
        description="too hot", type=od.ERROR_TYPE_LOGGED, status=od.ERROR_STATUS_SET,
    )  # fmt: skip
    can = od.RawCANDataPacket(timestamp=T0 + 20 * MS, bus=3, can_id=0xFFFF_FFFF, payload=b"\x00\xff\x10ab", type=od.CAN_TYPE_RECEIVE)
    items = [("Marker", "Marker", marker), ("Event", "Event", inline), ("Event", "Event", by_id), ("Error", "Error", error), ("CAN", "RawCANData", can)]
    return [(identifier, kind, content.SerializeToString()) for identifier, kind, content in items]


def _session(library: SupportLibrary) -> tuple[str, list[tuple[str, int, object]]]:
    """A session of the typed parameter packet and the record packets, and the (identifier,
    timestamp, value) the Python engine decodes from the record packets, in time order."""
    formats = started(library.get_data_format_manager_api().create_service())
    event_format = ok(formats.get_event_data_format_id(DATA_SOURCE, "Brake:Car")).data_format_id
    records = _records(event_format)
    contents = [typed_packet("pending")] + [packet(kind, "pending", content).data for _, kind, content in records]
    key = write_session(library, DATA_SOURCE, contents)
    resolver = FormatResolver(formats, Logger())
    expected = []
    for identifier, kind, content in records:
        piece = decode_other(kind, content, DATA_SOURCE, resolver, Includes(True, True, True, True))
        assert piece is not None and piece.identifiers == (identifier,)
        expected.append((identifier, int(piece.timestamps[0]), piece.values[0][0]))
    return key, sorted(expected, key=lambda item: item[1])


def _run(library: SupportLibrary, key: str, **includes: bool) -> tuple[Chain, list[SampleData], list[object]]:
    chain = Chain(library, DATA_SOURCE, key, list(TYPED), **includes)
    samples, stamps = Samples(), Stamps()
    chain.samples.add_handler(samples)
    chain.samples.add_handler(stamps)
    chain.run()
    data = samples.items.wait_for(lambda xs: any(isinstance(x, EndSampleData) for x in xs))[1:-1]
    stamped = stamps.items.wait_for(lambda xs: any(isinstance(x, EndTimestampData) for x in xs))
    chain.stop()
    return chain, data, stamped


def test_each_kind_round_trips_as_the_python_engine_decodes_it(library: SupportLibrary) -> None:
    key, expected = _session(library)
    chain, data, stamped = _run(library, key, **ALL)
    by_name = {item.identifier: item for item in data}
    assert set(by_name) == set(TYPED) | set(FLAG)
    for identifier in FLAG:
        values = by_name[identifier].values
        assert [(v.timestamp, v.value, v.status) for v in values] == [
            (time, value, ValueStatus.VALID) for name, time, value in expected if name == identifier
        ]
        assert by_name[identifier].value_array.dtype == object
    event_names = [v.value.identifier for v in by_name["Event"].values]
    assert event_names == ["Pit:Car", "Brake:Car"]
    assert by_name["CAN"].values[0].value.can_id == 0xFFFF_FFFF and by_name["CAN"].values[0].value.payload == b"\x00\xff\x10ab"
    assert by_name["Event"].values[0].value.raw_values == (1.5, -2.0, 1e300)
    in_columns = [
        (column.timestamp, value.identifier, value.value)
        for column in stamped[1].time_columns
        for value in column.sample_values
        if value.identifier in FLAG
    ]
    assert in_columns == [(time, name, value) for name, time, value in expected]
    assert chain.samples.known_parameters() == frozenset(TYPED)
    assert chain.samples.skipped_values() == 0


def test_nothing_but_parameters_without_the_include_flags(library: SupportLibrary) -> None:
    key, _ = _session(library)
    _, data, stamped = _run(library, key)
    assert {item.identifier for item in data} == set(TYPED)
    assert {value.identifier for column in stamped[1].time_columns for value in column.sample_values} == set(TYPED)


@pytest.mark.parametrize("identifier", list(FLAG))
def test_each_flag_includes_its_kind_only(library: SupportLibrary, identifier: str) -> None:
    key, expected = _session(library)
    _, data, _ = _run(library, key, **{FLAG[identifier]: True})
    assert {item.identifier for item in data} == set(TYPED) | {identifier}
    record = next(item for item in data if item.identifier == identifier)
    assert [v.value for v in record.values] == [value for name, _, value in expected if name == identifier]


def test_an_unknown_value_type_is_skipped_counted_and_logged_once(
    library: SupportLibrary, assemblies: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    helpers = dotnet_helpers(assemblies, tmp_path, "UnknownValues.cs")
    service = started(library.get_sample_reader_api().create_service(BufferingConfiguration()))
    samples, stamps = Samples(), Stamps()
    service.add_handler(samples)
    service.add_handler(stamps)
    with caplog.at_level(logging.WARNING, logger="ma_support_lib"):
        helpers.UnknownValues.Deliver(service._recorder, DATA_SOURCE, "s1", T0)
        data = samples.items.wait_for(lambda xs: len(xs) == 2)
        (stamped,) = stamps.items.wait_for(lambda xs: len(xs) == 1)
        service.stop()
    columns = {column.timestamp: {v.identifier: v.value for v in column.sample_values} for column in stamped.time_columns}
    marker = MarkerData(T0 + 2, T0 + 3, "Lap 1", "Lap Trigger", "d", "s", 1)
    assert columns == {T0: {"speed": 1.5, "mixed": 1.0}, T0 + 1: {"speed": 2.5}, T0 + 2: {"mixed": "x", "Marker": marker}}
    assert [(item.identifier, [(v.timestamp, v.value) for v in item.values]) for item in data] == [
        ("mixed", [(T0, 1.0), (T0 + 2, "x")]),
        ("speed", [(T0, 1.5), (T0 + 1, 2.5)]),
    ]
    np.testing.assert_array_equal(data[1].value_array, [1.5, 2.5])
    assert service.skipped_values() == 6
    warnings = [r.getMessage() for r in caplog.records if "System.Guid" in r.getMessage()]
    assert len(warnings) == 1 and "skipped" in warnings[0]
