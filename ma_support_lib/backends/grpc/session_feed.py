"""A live view of every session, from the ``SessionInfo`` topic.

The Stream API keeps every session's announcements (``NewSession``), updates
(``SessionInfo``) and ends (``EndOfSession``) in the ``SessionInfo`` topic. Reading that topic
as a data source, from its first record, shows every session of every data source with no
gaps; the feed applies the server's merge rule and tells its listeners what changed.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from ...contracts.session_management.session_info import SessionInfo
from ...core.base.logger import ILogger
from ...protos import api_pb2, open_data_pb2
from ...server.sessions import merge_session_info
from .client import StreamApiClient, describe_rpc_error, unary
from .convert import UTC, session_info_from_packet

#: The topic, read as if it were a data source.
SESSION_INFO_TOPIC = "SessionInfo"
_RETRY_S = (0.1, 0.5, 1.0, 2.0)


@dataclass
class FeedSession:
    key: str
    data_source: str
    info: open_data_pb2.SessionInfoPacket
    utc_offset: datetime.timedelta
    started_at: datetime.datetime
    completed: bool = False
    ended_at: datetime.datetime | None = None

    def to_session_info(self) -> SessionInfo:
        return session_info_from_packet(self.key, self.data_source, self.info, self.utc_offset, self.completed)


@dataclass(frozen=True)
class SessionChange:
    """``kind``: ``started``, ``updated``, ``associated`` (``associate_key`` says which) or ``ended``.
    ``submit_time``: when the server stored the record behind the change."""

    kind: str
    session: SessionInfo
    submit_time: datetime.datetime
    associate_key: str = ""


Listener = Callable[[SessionChange], None]


class SessionFeed:
    """Follows ``SessionInfo`` in a background thread once it has a listener.

    A new listener is first told the state so far (a ``started`` change per known session,
    and ``ended`` for ended ones, with the times of the records behind them), then every
    change as it happens, so it misses nothing between looking and listening. Listeners run
    on the feed's thread and must not block.
    """

    def __init__(self, client: StreamApiClient, logger: ILogger) -> None:
        self._client = client
        self._logger = logger
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._sessions: dict[str, FeedSession] = {}
        self._thread: threading.Thread | None = None
        self._call: Any = None
        self._closing = threading.Event()

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            for session in self._sessions.values():
                snapshot = session.to_session_info()
                listener(SessionChange("started", snapshot, session.started_at))
                if session.ended_at is not None:
                    listener(SessionChange("ended", snapshot, session.ended_at))
            self._listeners.append(listener)
            if self._thread is None and not self._closing.is_set():
                self._thread = threading.Thread(target=self._run, name="session-feed", daemon=True)
                self._thread.start()

    def has_ended(self, session_key: str) -> bool:
        """Whether the feed has seen the session end (its listeners have been told)."""
        with self._lock:
            session = self._sessions.get(session_key)
            return session is not None and session.ended_at is not None

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def data_sources(self) -> set[str]:
        with self._lock:
            return {session.data_source for session in self._sessions.values()}

    def close(self) -> None:
        self._closing.set()
        call = self._call
        if call is not None:
            call.cancel()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    # -- the reading thread -------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._closing.is_set():
            try:
                self._follow()
                failures = 0
            except grpc.RpcError as exc:
                if self._closing.is_set():
                    return
                delay = _RETRY_S[min(failures, len(_RETRY_S) - 1)]
                failures += 1
                self._logger.warning(f"session feed interrupted ({describe_rpc_error(exc)}); retrying in {delay:g} s")
                self._closing.wait(delay)

    def _follow(self) -> None:
        details = api_pb2.ConnectionDetails(data_source=SESSION_INFO_TOPIC, main_offset=0)
        connection = unary(self._client.connections.NewConnection, api_pb2.NewConnectionRequest(details=details))
        try:
            self._call = self._client.read_packets(api_pb2.ReadPacketsRequest(connection=connection.connection))
            if self._closing.is_set():
                self._call.cancel()
            for response in self._call:
                for item in response.response:
                    self._apply(item.packet, item.submit_time.ToDatetime(tzinfo=UTC))
        finally:
            self._call = None
            try:
                unary(self._client.connections.CloseConnection, api_pb2.CloseConnectionRequest(connection=connection.connection))
            except grpc.RpcError:
                pass

    def _apply(self, data: bytes, submit_time: datetime.datetime) -> None:
        with self._lock:  # held while listeners run, so add_listener sees each change once
            try:
                changes = self._changes(open_data_pb2.Packet.FromString(data), submit_time)
            except DecodeError:
                self._logger.warning("session feed: skipped a record that is not a valid packet")
                return
            self._notify(changes)

    def _notify(self, changes: list[SessionChange]) -> None:
        for change in changes:
            for listener in self._listeners:
                try:
                    listener(change)
                except Exception as exc:  # a listener's failure must not stop the feed
                    self._logger.error(f"session feed listener raised {exc!r}")

    def _changes(self, packet: open_data_pb2.Packet, submit_time: datetime.datetime) -> list[SessionChange]:
        key = packet.session_key
        with self._lock:
            session = self._sessions.get(key)
            if packet.type == "NewSession":
                if session is not None or not key:
                    return []
                new = open_data_pb2.NewSessionPacket.FromString(packet.content)
                info = open_data_pb2.SessionInfoPacket()
                if new.HasField("session_info") and new.session_info.data_source:
                    info.CopyFrom(new.session_info)
                session = FeedSession(key, new.data_source, info, new.utc_offset.ToTimedelta(), submit_time)
                self._sessions[key] = session
                return [SessionChange("started", session.to_session_info(), submit_time)]
            if session is None:
                return []
            if packet.type == "SessionInfo":
                update = open_data_pb2.SessionInfoPacket.FromString(packet.content)
                before = set(session.info.associate_session_keys)
                if not merge_session_info(session.info, update):
                    return []
                snapshot = session.to_session_info()
                changes = [SessionChange("updated", snapshot, submit_time)]
                changes += [
                    SessionChange("associated", snapshot, submit_time, associate)
                    for associate in dict.fromkeys(session.info.associate_session_keys)
                    if associate not in before
                ]
                return changes
            if packet.type == "EndOfSession" and not session.completed:
                session.completed = True
                session.ended_at = submit_time
                return [SessionChange("ended", session.to_session_info(), submit_time)]
            return []
