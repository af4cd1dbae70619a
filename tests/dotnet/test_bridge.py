"""The bridge for real through pythonnet on Mono: batched writes, delivery from .NET threads."""

from __future__ import annotations

import importlib
import subprocess
import threading
from pathlib import Path
from typing import Any

from ma_support_lib.backends.dotnet import frames
from ma_support_lib.backends.dotnet.pump import EventPump
from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.protos import open_data_pb2
from tests.library.helpers import EventRecorder, PacketRecorder, Recorder, ok, packet, started, write_session

DATA_SOURCE = "Bridge"
HERE = Path(__file__).resolve().parent


class CountingBridge:
    """Wraps a writer's ``WriterBridge`` and counts the calls that cross into .NET."""

    def __init__(self, bridge: Any) -> None:
        self.bridge = bridge
        self.calls = 0

    def WriteBatch(self, address: int, length: int) -> Any:
        self.calls += 1
        return self.bridge.WriteBatch(address, length)

    def WriteInfo(self, address: int, length: int, kind: int) -> Any:
        return self.bridge.WriteInfo(address, length, kind)


def reader(library: SupportLibrary) -> tuple[Any, PacketRecorder, EventRecorder]:
    service = ok(library.get_reading_packet_api().create_service_with_config(PacketReadingConfiguration(data_source=DATA_SOURCE)))
    handler = PacketRecorder()
    events = EventRecorder(service, "session_reading_started", "stream_reading_started", "session_reading_completed")
    service.initialise()
    service.set_handler(handler)
    service.start()
    return service, handler, events


def test_many_packets_cross_into_dotnet_in_few_calls_and_arrive_in_order(library: SupportLibrary) -> None:
    _, handler, _ = reader(library)
    sessions = started(library.get_session_manager_api().create_service())
    writer = started(library.get_writing_packet_api().create_service())
    counting = CountingBridge(writer._bridge)
    writer._bridge = counting
    key = ok(sessions.create_new_session(SessionCreationInfo(DATA_SOURCE, "Batched"))).session_key
    written = write_session(writer, DATA_SOURCE, key, ["", "A", "B"], 500)
    received = handler.wait_count(written)
    assert 0 < counting.calls < written // 10
    for stream in ("", "A", "B"):
        ids = [open_data_pb2.Packet.FromString(d.packet_bytes.data).id for d in received if d.stream == stream]
        assert ids[1:-1] == list(range(500))
    assert {d.packet_bytes.data for d in received if d.stream == "A"} >= {packet("Marker", key, packet_id=7).data}


def test_handlers_and_events_run_on_a_python_pump_thread_not_the_dotnet_one(library: SupportLibrary) -> None:
    _, handler, events = reader(library)
    sessions = started(library.get_session_manager_api().create_service())
    writer = started(library.get_writing_packet_api().create_service())
    threads = Recorder()
    events.service.session_reading_started.subscribe(lambda sender, info: threads.add(threading.current_thread().name))
    key = ok(sessions.create_new_session(SessionCreationInfo(DATA_SOURCE, "Threads"))).session_key
    ok(writer.write_data(DATA_SOURCE, "", key, packet("Marker", key)))
    handler.wait_count(1)
    names = {thread.name for thread in threading.enumerate() if thread.ident in handler.threads}
    assert names and all(name.startswith("dotnet-") for name in names)
    assert threads.wait_count(1)[0].startswith("dotnet-")


def test_a_refused_batch_is_reported_by_flush_with_the_dotnet_message(library: SupportLibrary) -> None:
    writer = started(library.get_writing_packet_api().create_service())
    writer._net.Stop()  # the C# service now refuses every write
    ok(writer.write_data(DATA_SOURCE, "", "key", packet("Marker", "key")))
    ok(writer.write_data(DATA_SOURCE, "", "key", packet("Marker", "key")))
    result = writer.flush(20)
    assert not result.success and "2 of 2 packet(s) refused" in result.message and "not started" in result.message


def test_records_from_many_dotnet_threads_are_delivered_whole_and_in_order(
    library: SupportLibrary, assemblies: str, tmp_path: Path
) -> None:
    from ma_support_lib.backends.dotnet import runtime

    helper = tmp_path / "ConcurrentLogging.dll"
    references = [f"-r:{Path(assemblies) / name}.dll" for name in (runtime.STANDIN_ASSEMBLY, runtime.BRIDGE_ASSEMBLY)]
    subprocess.run(["mcs", "-target:library", "-nologo", f"-out:{helper}", *references, str(HERE / "ConcurrentLogging.cs")], check=True)
    clr = importlib.import_module("clr")
    clr.AddReference(str(helper))
    concurrent = importlib.import_module("BridgeTests").ConcurrentLogging

    loaded = runtime.load()
    queue = loaded.bridge.EventQueue()
    delivered = Recorder()
    pump = EventPump(queue, lambda records: [delivered.add(r) for r in records], "dotnet-test-pump", Logger())
    pump.start()
    concurrent.Run(loaded.bridge.QueueLogger(queue), 8, 500)  # returns once every .NET thread is done
    records = delivered.wait_count(8 * 500)
    pump.stop()
    assert len(records) == 8 * 500
    assert all(isinstance(r, frames.LogRecord) and r.level == 1 for r in records)
    lines: dict[str, list[int]] = {}
    for record in records:
        worker, line = record.message.split(":")
        lines.setdefault(worker, []).append(int(line))
    assert lines == {str(worker): list(range(500)) for worker in range(8)}

