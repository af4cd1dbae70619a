"""Packet reading over the Stream API: which sessions to read, and when reading is done."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Sequence

from ...contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ...contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ...contracts.packet_reading.packet_reading_type import PacketReadingType
from ...contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from ...contracts.session_management.session_info import SessionInfo
from ...contracts.shared.i_handler import IHandler
from ...contracts.shared.partition_mapping import PartitionMapping
from ...core.base.logger import ILogger
from ...core.base.service_base import ServiceBase
from ...core.handler_list import HandlerList
from ...errors import ReadingTimeoutError
from ...protos import api_pb2
from .client import StreamApiClient, unary
from .convert import session_info_from_response
from .session_feed import SessionChange, SessionFeed
from .session_reading import SessionReading


class GrpcPacketReaderService(ServiceBase, IPacketReaderService):
    """Reads the sessions a :class:`PacketReadingConfiguration` selects.

    * With a ``session_key``: that session, then reading is complete.
    * ``HISTORIC``: every ended session of the data source whose identifier matches the
      pattern, one after the other (oldest first), then reading is complete.
    * ``LIVE``: every session of the data source that is live when the reader starts or
      starts later, each as soon as it appears, until ``stop()``.
    * ``BOTH``: the historic ones in turn, and the live ones as they come.
    """

    def __init__(
        self,
        client: StreamApiClient,
        feed: SessionFeed,
        configuration: PacketReadingConfiguration,
        partition_mappings: Sequence[PartitionMapping],
        logger: ILogger,
    ) -> None:
        super().__init__(logger)
        self.configuration = configuration
        self._client = client
        self._feed = feed
        self._mappings = list(partition_mappings)
        self._handlers: HandlerList[ReceivedPacketDto] = HandlerList("packet", logger, argument="packet")
        self._lock = threading.Lock()
        self._readings: dict[str, SessionReading] = {}
        self._seen: set[str] = set()
        self._pending_historic = 0
        self._follows_live = False
        self._done = threading.Event()
        self._timed_out = False
        self._historic_thread: threading.Thread | None = None

    # -- handlers ----------------------------------------------------------------------------

    def add_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        self._handlers.add(handler)

    def remove_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        self._handlers.remove(handler)

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        config = self.configuration
        if config.session_key:
            self._pending_historic = 1
            self._read(config.session_key)
            return
        mode = PacketReadingType(config.reading_type)
        sessions = self._list_sessions()
        self._seen.update(session.session_key for session in sessions)
        if mode in (PacketReadingType.HISTORIC, PacketReadingType.BOTH):
            historic = [s.session_key for s in sessions if s.historical and self._matches(s)]
            self._pending_historic = 1
            self._historic_thread = threading.Thread(
                target=self._read_in_turn, args=(historic,), name="historic-reader", daemon=True
            )
            self._historic_thread.start()
        if mode in (PacketReadingType.LIVE, PacketReadingType.BOTH):
            self._follows_live = True
            for session in sessions:
                if not session.historical and self._matches(session):
                    self._read(session.session_key)
            self._feed.add_listener(self._on_session_change)

    def _on_stop(self) -> None:
        self._feed.remove_listener(self._on_session_change)
        with self._lock:
            readings = list(self._readings.values())
        for reading in readings:
            reading.cancel()
        for reading in readings:
            reading.join(timeout=5)
        self._done.set()

    def join(self, timeout: float | None = None) -> bool:
        finished = self._done.wait(timeout)
        if finished and self._timed_out and self.configuration.raise_exception_on_timeout:
            raise ReadingTimeoutError(
                f"no packet arrived for {self.configuration.timeout_seconds:g} s; reading stopped"
            )
        return finished

    # -- choosing sessions -------------------------------------------------------------------

    def _list_sessions(self) -> list[SessionInfo]:
        data_source = self.configuration.data_source
        listed = unary(self._client.sessions.GetCurrentSessions, api_pb2.GetCurrentSessionsRequest(data_source=data_source))
        sessions = []
        for key in listed.session_keys:
            response = unary(self._client.sessions.GetSessionInfo, api_pb2.GetSessionInfoRequest(session_key=key))
            if response.success:
                sessions.append(session_info_from_response(key, response))
        return sessions

    def _matches(self, session: SessionInfo) -> bool:
        return session.data_source == self.configuration.data_source and fnmatch.fnmatchcase(
            session.identifier, self.configuration.session_identifier_pattern or "*"
        )

    def _on_session_change(self, change: SessionChange) -> None:
        session = change.session
        with self._lock:
            reading = self._readings.get(session.session_key)
        if reading is not None:
            reading.on_session_change(change)
            return
        if change.kind in ("started", "updated") and session.session_key not in self._seen and self._matches(session):
            self._read(session.session_key)

    def _read_in_turn(self, session_keys: list[str]) -> None:
        for key in session_keys:
            if self.is_stopped:
                break
            reading = self._read(key)
            if reading is not None:
                reading.join()
        with self._lock:
            self._pending_historic = 0
        self._check_done()

    def _read(self, session_key: str) -> SessionReading | None:
        with self._lock:
            if self.is_stopped or session_key in self._readings:
                return None
            self._seen.add(session_key)
            reading = SessionReading(
                self,
                self._client,
                session_key,
                self.configuration,
                self._mappings,
                self._handlers,
                self._logger,
                self._reading_done,
                self._feed.has_ended,
            )
            self._readings[session_key] = reading
        reading.start()
        return reading

    def _reading_done(self, reading: SessionReading) -> None:
        with self._lock:
            self._readings.pop(reading.session_key, None)
            self._timed_out = self._timed_out or reading.timed_out
        if reading.timed_out and self.configuration.raise_exception_on_timeout:
            self._logger.error(f"session {reading.session_key}: no packet for {self.configuration.timeout_seconds:g} s")
        if self.configuration.session_key:
            self._pending_historic = 0
        self._check_done()

    def _check_done(self) -> None:
        with self._lock:
            if not self._follows_live and not self._pending_historic and not self._readings:
                self._done.set()
