"""Packet reading over the .NET ``IPacketReaderService``.

The facade's recorder is the .NET reader's ``IHandler<IReceivedPacketDto>``: it serializes
each packet into the reader's event queue, in order with the reader's events, and a Python
thread delivers them to the Python handlers and events.

The C# API has no "reading complete" signal and no reason for a completion, so this service
derives both: a reader of one session key, or a ``HISTORIC`` reader (of the ended sessions
that match when it starts), is complete once each of those sessions has completed; a session
whose reading completed before every stream it read delivered ``EndOfSession`` ended by
inactivity (``ReadingTimeoutError`` from ``join`` with ``raise_exception_on_timeout``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import Any

from ...contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ...contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ...contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from ...contracts.packet_reading.stream_info import StreamInfo
from ...contracts.packet_writing.packet_bytes import PacketBytes
from ...contracts.session_management.session_info import SessionInfo
from ...contracts.shared.i_handler import IHandler
from ...core.base.logger import ILogger
from ...core.handler_list import HandlerList
from ...errors import ReadingTimeoutError
from . import frames
from .runtime import DotnetRuntime
from .service import DotnetService

_END_OF_SESSION = "EndOfSession"


class DotnetPacketReaderService(DotnetService, IPacketReaderService):
    """See the module docstring. ``expected_sessions`` gives, at start, the session keys
    whose completion completes reading (``None``: reading lasts until ``stop()``)."""

    EVENTS = {
        "SessionReadingStarted": "session_reading_started",
        "SessionReadingCompleted": "session_reading_completed",
        "StreamReadingStarted": "stream_reading_started",
        "StreamReadingCompleted": "stream_reading_completed",
        "SessionInfoUpdated": "session_info_updated",
        "SessionAssociationInfoUpdated": "session_association_info_updated",
        "CoverageCursorReceived": "coverage_cursor_received",
    }

    def __init__(
        self,
        runtime: DotnetRuntime,
        service: Any,
        configuration: PacketReadingConfiguration,
        expected_sessions: Callable[[], Collection[str]] | None,
        logger: ILogger,
    ) -> None:
        super().__init__(runtime, service, logger, runtime.bridge.ReaderEventRecorder)
        self.configuration = configuration
        self._expected_sessions = expected_sessions
        self._handlers: HandlerList[ReceivedPacketDto] = HandlerList("packet", logger, argument="packet")
        self._pending: set[str] | None = None
        self._streams: dict[str, set[str]] = {}  # session key -> streams read
        self._ended: dict[str, set[str]] = {}  # session key -> streams that delivered EndOfSession
        self._timeout: str | None = None
        self._done = threading.Event()

    # -- handlers ----------------------------------------------------------------------------

    def add_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        self._handlers.add(handler)

    def remove_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        self._handlers.remove(handler)

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        if self._expected_sessions is not None:
            self._pending = set(self._expected_sessions())
            if not self._pending:
                self._done.set()
        super()._on_start()

    def _on_stop(self) -> None:
        try:
            super()._on_stop()
        finally:
            self._done.set()

    def join(self, timeout: float | None = None) -> bool:
        if not self._done.wait(timeout):
            return False
        if self._timeout is not None and self.configuration.raise_exception_on_timeout:
            raise ReadingTimeoutError(self._timeout)
        return True

    # -- delivery (on the pump thread) -------------------------------------------------------

    def _deliver(self, records: list[frames.Record]) -> None:
        for record in records:
            if isinstance(record, frames.PacketRecord):
                self._packet(record)
            elif isinstance(record, frames.EventRecord):
                self._note(record)
                self._fire(record)
                if record.name == "SessionReadingCompleted":
                    self._completed(record.args)

    def _packet(self, record: frames.PacketRecord) -> None:
        if record.type == _END_OF_SESSION:
            self._ended.setdefault(record.session_key, set()).add(record.stream)
        dto = ReceivedPacketDto(
            PacketBytes(record.data),
            record.data_source,
            record.session_key,
            record.stream,
            frames.submit_time(record.submit_time_ns),
        )
        self._handlers.deliver(dto)

    def _note(self, record: frames.EventRecord) -> None:
        if record.name == "StreamReadingStarted" and isinstance(record.args, StreamInfo):
            self._streams.setdefault(record.args.session_key, set()).add(record.args.stream)

    def _completed(self, session: SessionInfo) -> None:
        key = session.session_key
        streams = self._streams.get(key, set())
        if not (session.historical or (streams and streams <= self._ended.get(key, set()))):
            self._timeout = f"no packet arrived for {self.configuration.timeout_seconds:g} s while reading session {key}"
        if self._pending is not None:
            self._pending.discard(key)
            if not self._pending:
                self._done.set()
