"""Reading one session: its connections, packet delivery, events and completion."""

from __future__ import annotations

import datetime
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import grpc

from ...contracts.packet_reading.coverage_cursor_info import CoverageCursorInfo
from ...contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ...contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ...contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from ...contracts.packet_reading.stream_info import StreamInfo
from ...contracts.packet_writing.packet_bytes import PacketBytes
from ...contracts.session_management.session_association_info import SessionAssociationInfo
from ...contracts.session_management.session_info import SessionInfo
from ...contracts.shared.partition_mapping import PartitionMapping
from ...core.base.logger import ILogger
from ...core.handler_list import HandlerList
from ...protos import api_pb2, open_data_pb2
from ... import wire
from .client import UNARY_DEADLINE_S, StreamApiClient, describe_rpc_error, unary
from .convert import UTC, session_info_from_response
from .session_feed import SessionChange

#: Once every stream read so far has delivered its ``EndOfSession``, the session completes
#: when nothing more arrives for this long (packets of other streams may still be on the way).
DRAIN_S = 0.5
#: While a session is live, its stream list is re-read this often to pick up new streams
#: (the first packets of a stream created after the session started wait at most this long).
STREAM_DISCOVERY_S = 0.2
#: A session that was live when reading began and has since been ended completes only once the
#: session feed has seen it end (so every info update before the end has been delivered), or
#: after this long.
FEED_END_WAIT_S = 5.0
_END_OF_SESSION = b"EndOfSession"
_COVERAGE_CURSOR = b"CoverageCursorInfo"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def packet_type(data: bytes) -> bytes:
    """The ``type`` of a serialized ``Packet`` without decoding the rest (``b""`` if absent)."""
    if data[:1] == b"\n" and len(data) > 1 and data[1] < 0x80:  # usual layout: a short type first
        return data[2 : 2 + data[1]]
    try:
        return wire.length_delimited_field(data, 1) or b""
    except ValueError:
        return b""

class _SubmitTimes:
    """``Timestamp`` to aware UTC ``datetime``, converting each distinct time once: the
    packets of one response mostly share the time the server stored them."""

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None
        self._value = _EPOCH

    def __call__(self, stamp: Any) -> datetime.datetime:
        key = (stamp.seconds, stamp.nanos)
        if key != self._key:
            self._key = key
            self._value = stamp.ToDatetime(tzinfo=UTC)
        return self._value


class SessionReading:
    """Delivers one session's packets to the reader's handlers, on a thread of its own.

    The session completes when every stream it has read so far has delivered its
    ``EndOfSession`` packet and nothing more arrives for ``DRAIN_S``, or when no packet
    arrives for ``timeout_seconds``
    (``timed_out`` is then set). ``cancel`` ends it early without completion events.
    """

    def __init__(
        self,
        sender: IPacketReaderService,
        client: StreamApiClient,
        session_key: str,
        configuration: PacketReadingConfiguration,
        partition_mappings: Sequence[PartitionMapping],
        handlers: HandlerList[ReceivedPacketDto],
        logger: ILogger,
        on_done: Callable[[SessionReading], None],
        ended_in_feed: Callable[[str], bool],
    ) -> None:
        self.session_key = session_key
        self.timed_out = False
        self.failure: str | None = None
        self._sender: Any = sender
        self._client = client
        self._config = configuration
        self._mappings = {mapping.stream: mapping.partition for mapping in partition_mappings}
        self._handlers = handlers
        self._logger = logger
        self._on_done = on_done
        self._ended_in_feed = ended_in_feed
        self._inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._cancelled = threading.Event()
        self._calls: list[Any] = []
        self._connections: list[Any] = []
        self._subscribed: set[str] = set()
        self._calls_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"read-{session_key[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancelled.set()
        self._inbox.put(("cancel", None))
        self._cancel_calls()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def on_session_change(self, change: SessionChange) -> None:
        """Feed changes of this session into its event order (called from the feed thread)."""
        self._inbox.put(("change", change))

    # -- the session's thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._read()
        except grpc.RpcError as exc:
            self.failure = f"reading session {self.session_key} failed: {describe_rpc_error(exc)}"
            self._logger.error(self.failure)
        finally:
            self._cancel_calls()
            self._on_done(self)

    def _session_info(self) -> tuple[SessionInfo, api_pb2.GetSessionInfoResponse]:
        return self._checked(unary(self._client.sessions.GetSessionInfo, self._info_request()))

    def _info_request(self) -> api_pb2.GetSessionInfoRequest:
        return api_pb2.GetSessionInfoRequest(session_key=self.session_key)

    def _checked(self, response: api_pb2.GetSessionInfoResponse) -> tuple[SessionInfo, api_pb2.GetSessionInfoResponse]:
        if not response.success:
            raise LookupError(f"unknown session key {self.session_key!r}")
        return session_info_from_response(self.session_key, response), response

    def _discover(self) -> None:
        """Ask for the session's info without waiting: the answer (or the failed call) is
        queued as an ``info`` item, so packets keep being delivered meanwhile."""
        call = self._client.sessions.GetSessionInfo.future(self._info_request(), timeout=UNARY_DEADLINE_S)
        call.add_done_callback(lambda done: self._inbox.put(("info", done)))

    def _read(self) -> None:
        try:
            session, response = self._session_info()
        except LookupError as exc:
            self.failure = str(exc)
            self._logger.error(f"packet reader: {exc}")
            return
        sender = self._sender
        sender.session_reading_started.fire(sender, session)
        self._subscribe(response, main=not self._config.exclude_main_stream)
        started: dict[str, StreamInfo] = {}
        ended: set[str] = set()
        timeout = float(self._config.timeout_seconds)
        deadline = time.monotonic() + timeout
        drained_at: float | None = None  # set while every stream read so far has ended
        next_discovery = time.monotonic() + STREAM_DISCOVERY_S
        discovering = False  # a _discover() answer is on its way
        live = live_at_start = not response.is_complete
        feed_deadline: float | None = None  # set once drained, while waiting for the feed's end
        while True:
            now = time.monotonic()
            wake = min(deadline, drained_at) if drained_at is not None else deadline
            if live and not self._config.streams and not discovering:
                wake = min(wake, next_discovery)
            try:
                kind, item = self._inbox.get(timeout=max(wake - now, 0.0))
            except queue.Empty:
                now = time.monotonic()
                if now >= deadline:
                    self.timed_out = True
                    break
                if drained_at is not None and now >= drained_at:
                    # complete only if the server names no stream that has not been read yet
                    session, response = self._session_info()
                    live = not response.is_complete
                    if not self._subscribe(response, main=False):
                        if not live_at_start or live or self._ended_in_feed(self.session_key):
                            break
                        feed_deadline = feed_deadline or now + FEED_END_WAIT_S
                        if now >= feed_deadline:
                            break
                    drained_at = now + DRAIN_S
                elif not discovering:
                    self._discover()
                    discovering = True
                next_discovery = now + STREAM_DISCOVERY_S
                continue
            if kind == "cancel":
                return
            if kind == "error":
                raise item
            if kind == "change":
                self._fire_change(item)
                if item.kind == "ended" and drained_at is not None:
                    drained_at = time.monotonic()  # drained already: complete without waiting more
                continue
            if kind == "info":
                discovering = False
                session, response = self._checked(item.result())
                live = not response.is_complete
                self._subscribe(response, main=False)
                continue
            self._deliver(item, session, started, ended)
            deadline = time.monotonic() + timeout
            drained_at = min(time.monotonic() + DRAIN_S, deadline) if len(ended) == len(started) > 0 else None
        self._fire_queued_changes()
        for stream, info in started.items():
            if stream not in ended:
                sender.stream_reading_completed.fire(sender, info)
        try:
            session, _ = self._session_info()
        except (LookupError, grpc.RpcError):
            pass
        sender.session_reading_completed.fire(sender, session)

    def _deliver(self, items: Any, session: SessionInfo, started: dict[str, StreamInfo], ended: set[str]) -> None:
        """Hand a response's packets to the handlers, noting streams that start and end."""
        sender = self._sender
        handlers = self._handlers
        key = self.session_key
        data_source = session.data_source
        submit_time = _SubmitTimes()
        for item in items:
            stream = item.stream
            info = started.get(stream)
            if info is None:
                info = started[stream] = StreamInfo(stream, key, data_source)
                sender.stream_reading_started.fire(sender, info)
            data = item.packet
            kind = packet_type(data)
            if kind == _COVERAGE_CURSOR:
                self._fire_coverage_cursor(data, data_source)
            if handlers:
                handlers.deliver(ReceivedPacketDto(PacketBytes(data), data_source, key, stream, submit_time(item.submit_time)))
            if kind == _END_OF_SESSION and stream not in ended:
                ended.add(stream)
                sender.stream_reading_completed.fire(sender, info)

    def _fire_coverage_cursor(self, data: bytes, data_source: str) -> None:
        sender = self._sender
        try:
            content = open_data_pb2.Packet.FromString(data).content
            cursor = open_data_pb2.CoverageCursorInfoPacket.FromString(content)
        except Exception:
            self._logger.warning(f"session {self.session_key}: unreadable CoverageCursorInfo packet")
            return
        info = CoverageCursorInfo(cursor.coverage_cursor_time, cursor.data_source or data_source, self.session_key)
        sender.coverage_cursor_received.fire(sender, info)

    def _fire_queued_changes(self) -> None:
        """Fire the session changes still queued (the feed may have queued its last ones just
        before completion was decided); packets still queued are not delivered any more."""
        while True:
            try:
                kind, item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if kind == "change":
                self._fire_change(item)

    def _fire_change(self, change: SessionChange) -> None:
        sender = self._sender
        if change.kind == "updated":
            sender.session_info_updated.fire(sender, change.session)
        elif change.kind == "associated":
            associate = SessionInfo(session_key=change.associate_key, data_source=change.session.data_source)
            sender.session_association_info_updated.fire(sender, SessionAssociationInfo(change.session, associate))

    # -- connections -------------------------------------------------------------------------

    def _subscribe(self, response: api_pb2.GetSessionInfoResponse, main: bool) -> bool:
        """Open a read stream for the main stream (if ``main``) and every stream not yet
        read; ``False`` if there was nothing new to read."""
        wanted = list(self._config.streams) or list(response.streams)
        streams = [stream for stream in dict.fromkeys(wanted) if stream and stream not in self._subscribed]
        if not streams and not main:
            return False
        offsets = dict(response.topic_partition_offsets)
        data_source = response.data_source
        details = api_pb2.ConnectionDetails(
            data_source=data_source,
            session_key=self.session_key,
            streams=streams,
            stream_offsets=[self._stream_offset(offsets, data_source, stream) for stream in streams],
            main_offset=response.main_offset,
            exclude_main_stream=not main,
        )
        connection = unary(self._client.connections.NewConnection, api_pb2.NewConnectionRequest(details=details))
        call = self._client.read_packets(api_pb2.ReadPacketsRequest(connection=connection.connection))
        with self._calls_lock:
            self._calls.append(call)
            self._connections.append(connection.connection)
            if self._cancelled.is_set():
                call.cancel()
        self._subscribed.update(streams)
        threading.Thread(target=self._receive, args=(call,), name=f"recv-{self.session_key[:8]}", daemon=True).start()
        return True

    def _stream_offset(self, offsets: dict[str, int], data_source: str, stream: str) -> int:
        partition = self._mappings.get(stream)
        key = f"{data_source}:{partition}" if partition is not None else f"{data_source}.{stream}:0"
        return offsets.get(key, 0)

    def _receive(self, call: Any) -> None:
        try:
            for response in call:
                self._inbox.put(("packets", response.response))
        except grpc.RpcError as exc:
            if not self._cancelled.is_set() and exc.code() is not grpc.StatusCode.CANCELLED:
                self._inbox.put(("error", exc))

    def _cancel_calls(self) -> None:
        with self._calls_lock:
            calls, self._calls = self._calls, []
            connections, self._connections = self._connections, []
        self._cancelled.set()
        for call in calls:
            call.cancel()
        for connection in connections:
            try:
                unary(self._client.connections.CloseConnection, api_pb2.CloseConnectionRequest(connection=connection))
            except grpc.RpcError:
                pass
