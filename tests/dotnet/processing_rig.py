"""Helpers of the .NET processing tests: a session of typed samples written through the
library, and the packet reader -> sample reader -> data reader chain on the .NET backend."""

from __future__ import annotations

from typing import Any

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.buffering.sample_data import SampleData
from ma_support_lib.contracts.buffering.timestamp_data import TimestampData
from ma_support_lib.contracts.interpolation.batch_result import BatchResult
from ma_support_lib.contracts.interpolation.i_batch_result_handler import IBatchResultHandler
from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo
from ma_support_lib.contracts.shared.i_handler import IHandler
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.protos import open_data_pb2 as od

from tests.library.helpers import WAIT_S, Recorder, end_of_session, new_session, ok, packet, started

T0 = 1_700_000_000_000_000_000
MS = 1_000_000
VALID, MISSING = od.DATA_STATUS_VALID, od.DATA_STATUS_MISSING
#: identifier -> (SampleColumn list field, sample class, values, statuses), 4 samples 10 ms apart
TYPED: dict[str, tuple[str, Any, list[Any], list[int]]] = {
    "speed:Car": ("double_samples", od.DoubleSample, [1.5, -2.25, 3.0, 1e300], [VALID, VALID, MISSING, VALID]),
    "gear:Car": ("int32_samples", od.Int32Sample, [1, -7, 2_000_000_000, 0], [VALID, od.DATA_STATUS_ERROR, VALID, VALID]),
    "drs:Car": ("bool_samples", od.BoolSample, [True, False, True, True], [VALID] * 4),
    "mode:Car": ("string_samples", od.StringSample, ["a", "", "ünï", "x" * 300], [VALID, VALID, VALID, MISSING]),
}


def typed_packet(session_key: str) -> bytes:
    names = list(TYPED)
    columns = []
    for field, sample, values, statuses in TYPED.values():
        list_type = type(getattr(od.SampleColumn(), field))
        samples = [sample(value=v, status=s) for v, s in zip(values, statuses)]
        columns.append(od.SampleColumn(**{field: list_type(samples=samples)}))
    content = od.PeriodicDataPacket(
        data_format=od.SampleDataFormat(parameter_identifiers=od.ParameterList(parameter_identifiers=names)),
        start_time=T0, interval=10 * MS, columns=columns,
    )  # fmt: skip
    return packet("PeriodicData", session_key, content.SerializeToString()).data


def write_session(library: SupportLibrary, data_source: str, data: list[bytes] | None = None) -> str:
    """A session (ended) holding ``data`` packets (default: one typed packet)."""
    from ma_support_lib.contracts.packet_writing.packet_bytes import PacketBytes

    sessions = started(library.get_session_manager_api().create_service())
    writer = started(library.get_writing_packet_api().create_service())
    key = ok(sessions.create_new_session(SessionCreationInfo(data_source, "Run"))).session_key
    ok(writer.write_data(data_source, "", key, new_session(key, data_source)))
    for content in data if data is not None else [typed_packet(key)]:
        ok(writer.write_data(data_source, "", key, PacketBytes(content)))
    ok(writer.write_data(data_source, "", key, end_of_session(key, data_source)))
    ok(writer.flush(WAIT_S))
    ok(sessions.end_session(data_source, key))
    return key


class Stamps(IHandler[TimestampData]):
    def __init__(self) -> None:
        self.items = Recorder()

    def handle(self, obj: TimestampData) -> None:
        self.items.add(obj)


class Samples(IHandler[SampleData]):
    def __init__(self) -> None:
        self.items = Recorder()

    def handle(self, obj: SampleData) -> None:
        self.items.add(obj)


class Batches(IBatchResultHandler):
    def __init__(self) -> None:
        self.items = Recorder()

    def handle(self, batch_result: BatchResult) -> None:
        self.items.add(batch_result)


class Chain:
    """Reader, sample reader and data reader of one session; ``run`` starts them inside out
    and returns once the session's merging completed."""

    def __init__(self, library: SupportLibrary, data_source: str, key: str, parameters: list[str] | None) -> None:
        config = PacketReadingConfiguration(session_key=key, data_source=data_source)
        self.reader = ok(library.get_reading_packet_api().create_service_with_config(config))
        self.samples = ok(library.get_sample_reader_api().create_service(BufferingConfiguration(parameters)))
        self.data = ok(library.get_data_reader_api().create_service())
        self.samples.set_reader_service(self.reader)
        self.data.set_sample_reader_service(self.samples)
        self.completed = Recorder()
        self.samples.session_data_merging_completed.subscribe(lambda sender, info: self.completed.add(info.session_key))
        self.key = key

    def run(self) -> None:
        for service in (self.data, self.samples, self.reader):
            service.initialise()
            service.start()
        self.completed.wait_for(lambda keys: self.key in keys)

    def stop(self) -> None:
        for service in (self.reader, self.samples, self.data):
            service.stop()
