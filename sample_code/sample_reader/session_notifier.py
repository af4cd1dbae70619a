"""Logs every event of a packet reader."""

from __future__ import annotations

import threading
from typing import Any

from ma_support_lib.contracts.packet_reading.coverage_cursor_info import CoverageCursorInfo
from ma_support_lib.contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ma_support_lib.contracts.packet_reading.stream_info import StreamInfo
from ma_support_lib.contracts.session_management.session_association_info import SessionAssociationInfo
from ma_support_lib.contracts.session_management.session_info import SessionInfo
from ma_support_lib.core.base.logger import ILogger


class SessionNotifier:
    """Subscribes to the reader's events on creation; ``session_completed`` is set once a
    session has been read to its end."""

    def __init__(self, packet_reader_service: IPacketReaderService, logger: ILogger) -> None:
        self._reader = packet_reader_service
        self._logger = logger
        self.session_completed = threading.Event()
        for event, callback in self._subscriptions():
            event.subscribe(callback)

    def _subscriptions(self) -> list[tuple[Any, Any]]:
        reader = self._reader
        return [
            (reader.session_reading_started, self._on_session_reading_started),
            (reader.session_reading_completed, self._on_session_reading_completed),
            (reader.stream_reading_started, self._on_stream_reading_started),
            (reader.stream_reading_completed, self._on_stream_reading_completed),
            (reader.session_info_updated, self._on_session_info_updated),
            (reader.coverage_cursor_received, self._on_coverage_cursor_received),
            (reader.session_association_info_updated, self._on_session_association_updated),
        ]

    def unsubscribe_from_events(self) -> None:
        for event, callback in self._subscriptions():
            event.unsubscribe(callback)

    def _on_session_reading_started(self, sender: object, session_info: SessionInfo) -> None:
        self._logger.info(f"Session reading started: {session_info.identifier!r} ({session_info.session_key})")

    def _on_session_reading_completed(self, sender: object, session_info: SessionInfo) -> None:
        self._logger.info(f"Session reading completed: {session_info.identifier!r} ({session_info.session_key})")
        self.session_completed.set()

    def _on_stream_reading_started(self, sender: object, stream_info: StreamInfo) -> None:
        self._logger.info(f"Stream reading started: {stream_info.stream!r} of {stream_info.session_key}")

    def _on_stream_reading_completed(self, sender: object, stream_info: StreamInfo) -> None:
        self._logger.info(f"Stream reading completed: {stream_info.stream!r} of {stream_info.session_key}")

    def _on_session_info_updated(self, sender: object, session_info: SessionInfo) -> None:
        self._logger.info(f"Session info updated: {session_info}")

    def _on_coverage_cursor_received(self, sender: object, coverage_cursor_info: CoverageCursorInfo) -> None:
        self._logger.info(f"Coverage cursor at {coverage_cursor_info.coverage_cursor_time}")

    def _on_session_association_updated(self, sender: object, session_association_info: SessionAssociationInfo) -> None:
        self._logger.info(f"Session association updated: {session_association_info}")
