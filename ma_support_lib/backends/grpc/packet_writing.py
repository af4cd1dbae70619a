"""Packet writing over the Stream API: queued, batched, client-streamed."""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Iterator

import grpc

from ...contracts.packet_writing.i_packet_writer_service import IPacketWriterService
from ...contracts.packet_writing.info_type import InfoType
from ...contracts.packet_writing.packet_bytes import PacketBytes
from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from ...core.base.service_base import ServiceBase
from ...protos import api_pb2, open_data_pb2
from ...wire import LEN, length_delimited, tag, varint
from ..checks import check_write_data, info_packet_data
from .client import StreamApiClient, describe_rpc_error, service_call, unary
from .data_sources import DataSources

#: Most packets in one ``WriteDataPacketsRequest``.
BATCH_PACKETS = 500
#: Most bytes in one request (the server accepts up to 64 MiB).
BATCH_BYTES = 4 * 1024 * 1024
#: Most bytes queued before ``write_data`` waits (back-pressure).
QUEUE_BYTES = 64 * 1024 * 1024
#: An idle stream is closed after this long, which acknowledges everything sent on it.
IDLE_CLOSE_S = 0.2
#: How long ``stop`` waits for the last acknowledgements.
STOP_FLUSH_S = 60.0
#: How long ``write_data`` waits for queue space before it gives up.
QUEUE_WAIT_S = 30.0


class GrpcPacketWriterService(ServiceBase, IPacketWriterService):
    """``write_data`` checks and queues a packet; a sender thread streams the queue to
    ``WriteDataPackets`` in batches.

    A stream stays open while packets keep coming and is closed when the queue has been
    empty for ``IDLE_CLOSE_S`` (or on ``flush``/``stop``); the server's answer acknowledges
    every packet of that stream. If a stream fails, its packets are counted as lost, the
    logger says why, and the next ``write_data`` or ``flush`` returns ``success=False``
    with that message. Nothing is resent automatically (a resend could duplicate packets
    the server had already stored).
    """

    def __init__(self, client: StreamApiClient, data_sources: DataSources, logger: ILogger) -> None:
        super().__init__(logger)
        self._client = client
        self._data_sources = data_sources
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._cond = threading.Condition()
        self._enqueued = 0  # packets accepted by write_data
        self._settled = 0  # packets whose stream has answered (acknowledged or failed)
        self._flush_target = 0  # a flush waits for the stream that carries packet number this
        self._closing = False
        self._failure: str | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        self._thread = threading.Thread(target=self._send_loop, name="packet-writer", daemon=True)
        self._thread.start()

    def _on_stop(self) -> None:
        result = self._flush(STOP_FLUSH_S)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        if not result.success:
            self._logger.error(f"packet writer stopped with unacknowledged packets: {result.message}")

    # -- API ---------------------------------------------------------------------------------

    def write_data(self, data_source: str, stream: str, session_key: str, packet_bytes: PacketBytes) -> ApiResult[bool]:
        refusal = self.refusal("write_data")
        if refusal is not None:
            return ApiResult.fail(refusal)
        data, problem = check_write_data(data_source, stream, session_key, packet_bytes)
        if problem is not None:
            return ApiResult.fail(problem)
        entry = _request_entry(data, _route_fields(data_source, stream, session_key))
        with self._cond:
            failure = self._take_failure()
            if failure is not None:
                return ApiResult.fail(failure)
            if self._queued_bytes >= QUEUE_BYTES and not self._closing:
                if not self._cond.wait_for(
                    lambda: self._queued_bytes < QUEUE_BYTES or self._closing, timeout=QUEUE_WAIT_S
                ):
                    return ApiResult.fail(
                        f"write_data: the send queue stayed full for {QUEUE_WAIT_S:g} s; is the server keeping up?"
                    )
            if self._closing:
                return ApiResult.fail("write_data: the service is stopping")
            if not self._queue:  # only then can the sender be waiting for packets
                self._cond.notify_all()
            self._queue.append(entry)
            self._queued_bytes += len(entry)
            self._enqueued += 1
        self._data_sources.add(data_source)
        return _WRITTEN

    def write_info(self, packet_bytes: PacketBytes, info_type: InfoType = InfoType.SESSION_INFO) -> ApiResult[bool]:
        def call() -> ApiResult[bool]:
            packet = open_data_pb2.Packet.FromString(info_packet_data(packet_bytes))
            kind = InfoType(info_type)
            request = api_pb2.WriteInfoPacketRequest(message=packet, type=kind.value)  # type: ignore[arg-type]
            unary(self._client.writer.WriteInfoPacket, request)
            return ApiResult.ok(True)

        return service_call(self, "write_info", call)

    def flush(self, timeout: float | None = None) -> ApiResult[bool]:
        return self._flush(timeout)

    def _flush(self, timeout: float | None) -> ApiResult[bool]:
        with self._cond:
            target = self._enqueued
            self._flush_target = max(self._flush_target, target)
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: self._settled >= target or self._closing, timeout=timeout):
                return ApiResult.fail(f"flush: {target - self._settled} packet(s) still unacknowledged after {timeout:g} s")
            failure = self._take_failure()
        return ApiResult.fail(failure) if failure is not None else ApiResult.ok(True)

    def _take_failure(self) -> str | None:
        failure, self._failure = self._failure, None
        return failure

    # -- the sender thread -------------------------------------------------------------------

    def _send_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._closing)
                if not self._queue and self._closing:
                    return
            sent = [0]
            try:
                self._client.write_data_packets(self._requests(sent))
            except grpc.RpcError as exc:
                message = (
                    f"{sent[0]} packet(s) were not acknowledged by the server at {self._client.address} "
                    f"({describe_rpc_error(exc)})"
                )
                self._logger.error(f"packet writer: {message}")
                with self._cond:
                    self._failure = message
            with self._cond:
                self._settled += sent[0]
                self._cond.notify_all()

    def _requests(self, sent: list[int]) -> Iterator[bytes]:
        """Requests for one stream: everything queued, until the queue stays idle."""
        while True:
            with self._cond:

                def flushed() -> bool:
                    pending = self._flush_target - self._settled
                    return 0 < pending <= sent[0]

                if not self._queue and not flushed():
                    self._cond.wait_for(lambda: bool(self._queue) or flushed() or self._closing, timeout=IDLE_CLOSE_S)
                if not self._queue or flushed():
                    return
                batch: list[bytes] = []
                size = 0
                while self._queue and len(batch) < BATCH_PACKETS and size < BATCH_BYTES:
                    entry = self._queue.popleft()
                    batch.append(entry)
                    size += len(entry)
                self._queued_bytes -= size
                sent[0] += len(batch)
                self._cond.notify_all()
            yield b"".join(batch)


@functools.lru_cache(maxsize=1024)
def _route_fields(data_source: str, stream: str, session_key: str) -> bytes:
    """Fields 2-4 of a serialized ``DataPacketDetails`` (empty strings omitted): the same
    for every packet of a route, so built once per route."""
    parts = [length_delimited(2, data_source.encode())]
    if stream:
        parts.append(length_delimited(3, stream.encode()))
    if session_key:
        parts.append(length_delimited(4, session_key.encode()))
    return b"".join(parts)


def _request_entry(packet: bytes, route_fields: bytes) -> bytes:
    """``details`` entry of a ``WriteDataPacketsRequest`` (tag, length, then a serialized
    ``DataPacketDetails``: the packet as field 1, then ``route_fields``), so a request is
    just its entries joined."""
    packet_field_length = varint(len(packet))
    details_length = 1 + len(packet_field_length) + len(packet) + len(route_fields)
    return b"".join((_DETAILS_TAG, varint(details_length), _PACKET_TAG, packet_field_length, packet, route_fields))


#: ``WriteDataPacketsRequest.details`` and ``DataPacketDetails.message``: both field 1, length-delimited.
_DETAILS_TAG = _PACKET_TAG = tag(1, LEN)
_WRITTEN: ApiResult[bool] = ApiResult.ok(True)
