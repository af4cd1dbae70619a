"""Helpers for the public-API contract suite: recording handlers and events, packet builders."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ma_support_lib.contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from ma_support_lib.contracts.packet_writing.packet_bytes import PacketBytes
from ma_support_lib.contracts.shared.api_result import ApiResult
from ma_support_lib.contracts.shared.i_handler import IHandler
from ma_support_lib.protos import open_data_pb2

WAIT_S = 20.0


def ok(result: ApiResult[Any]) -> Any:
    """The data of a successful result (fails the test with the result's message otherwise)."""
    assert result.success, result.message
    assert result.data is not None
    return result.data


def started(result: ApiResult[Any]) -> Any:
    """A created service, initialised and started."""
    service = ok(result)
    service.initialise()
    service.start()
    return service


class Recorder:
    """Collects items from any thread; ``wait_for`` blocks until a condition holds."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._cond = threading.Condition()

    def add(self, item: Any) -> None:
        with self._cond:
            self.items.append(item)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[Any]], bool], timeout: float = WAIT_S) -> list[Any]:
        with self._cond:
            assert self._cond.wait_for(lambda: predicate(self.items), timeout), f"timed out; recorded: {self.items}"
            return list(self.items)

    def wait_count(self, count: int, timeout: float = WAIT_S) -> list[Any]:
        return self.wait_for(lambda items: len(items) >= count, timeout)


class PacketRecorder(Recorder, IHandler[ReceivedPacketDto]):
    """A packet handler that records every ``ReceivedPacketDto`` and the thread it ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def handle(self, obj: ReceivedPacketDto) -> None:
        self.threads.add(threading.get_ident())
        self.add(obj)

    def types(self) -> list[str]:
        return [open_data_pb2.Packet.FromString(dto.packet_bytes.data).type for dto in list(self.items)]


class EventRecorder(Recorder):
    """Subscribes to named events of a service and records ``(name, args)`` in firing order."""

    def __init__(self, service: Any, *names: str) -> None:
        super().__init__()
        self.service = service
        self._callbacks = {name: self._callback(name) for name in names}
        for name, callback in self._callbacks.items():
            getattr(service, name).subscribe(callback)

    def _callback(self, name: str) -> Callable[[object, Any], None]:
        def record(sender: object, args: Any) -> None:
            assert sender is self.service
            self.add((name, args))

        return record

    def names(self) -> list[str]:
        return [name for name, _ in list(self.items)]

    def of(self, name: str) -> list[Any]:
        return [args for event, args in list(self.items) if event == name]


def packet(packet_type: str, session_key: str, content: bytes = b"", packet_id: int = 0, essential: bool = False) -> PacketBytes:
    return PacketBytes(
        open_data_pb2.Packet(
            type=packet_type, session_key=session_key, content=content, id=packet_id, is_essential=essential
        ).SerializeToString()
    )


def new_session(session_key: str, data_source: str) -> PacketBytes:
    return packet("NewSession", session_key, open_data_pb2.NewSessionPacket(data_source=data_source).SerializeToString())


def end_of_session(session_key: str, data_source: str) -> PacketBytes:
    return packet("EndOfSession", session_key, open_data_pb2.EndOfSessionPacket(data_source=data_source).SerializeToString())


def periodic(session_key: str, format_id: int, start: int, values: list[float], packet_id: int) -> PacketBytes:
    content = open_data_pb2.PeriodicDataPacket(
        data_format=open_data_pb2.SampleDataFormat(data_format_identifier=format_id),
        start_time=start,
        interval=10_000_000,
        columns=[
            open_data_pb2.SampleColumn(
                double_samples=open_data_pb2.DoubleSampleList(
                    samples=[open_data_pb2.DoubleSample(value=v, status=open_data_pb2.DATA_STATUS_VALID) for v in values]
                )
            )
        ],
    )
    return packet("PeriodicData", session_key, content.SerializeToString(), packet_id)


def write_session(writer: Any, data_source: str, session_key: str, streams: list[str], packets_per_stream: int) -> int:
    """NewSession on every stream, ``packets_per_stream`` Marker packets on each, EndOfSession
    on every stream; returns the number of packets written."""
    written = 0
    for stream in streams:
        ok(writer.write_data(data_source, stream, session_key, new_session(session_key, data_source)))
        written += 1
    for index in range(packets_per_stream):
        for stream in streams:
            ok(writer.write_data(data_source, stream, session_key, packet("Marker", session_key, packet_id=index)))
            written += 1
    for stream in streams:
        ok(writer.write_data(data_source, stream, session_key, end_of_session(session_key, data_source)))
        written += 1
    ok(writer.flush(WAIT_S))
    return written
