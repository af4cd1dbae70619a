"""Reading the packets of sessions."""

from __future__ import annotations

from abc import abstractmethod

from ..session_management.session_association_info import SessionAssociationInfo
from ..session_management.session_info import SessionInfo
from ..shared.event import Event
from ..shared.i_handler import IHandler
from ..shared.i_service import IService
from .coverage_cursor_info import CoverageCursorInfo
from .received_packet_dto import ReceivedPacketDto
from .stream_info import StreamInfo


class IPacketReaderService(IService):
    """Delivers every packet of the selected sessions and streams to its handlers.

    Per session, events come in this order: ``session_reading_started``, then per stream
    ``stream_reading_started`` before its first packet, packets (with ``session_info_updated``,
    ``session_association_info_updated`` and ``coverage_cursor_received`` as they are read),
    ``stream_reading_completed`` per stream, and ``session_reading_completed`` last.
    Handlers and callbacks run on a background thread.
    """

    #: Names of the events this interface declares (created by the service base class).
    EVENT_NAMES: tuple[str, ...] = (
        "session_reading_started",
        "session_reading_completed",
        "stream_reading_started",
        "stream_reading_completed",
        "session_info_updated",
        "coverage_cursor_received",
        "session_association_info_updated",
    )

    session_reading_started: Event[SessionInfo]
    session_reading_completed: Event[SessionInfo]
    stream_reading_started: Event[StreamInfo]
    stream_reading_completed: Event[StreamInfo]
    session_info_updated: Event[SessionInfo]
    coverage_cursor_received: Event[CoverageCursorInfo]
    session_association_info_updated: Event[SessionAssociationInfo]

    @abstractmethod
    def add_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        """Add a packet handler (several may be added)."""

    def set_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        """Add a packet handler (the official name; it does not replace earlier handlers)."""
        self.add_handler(handler)

    @abstractmethod
    def remove_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        """Remove a handler; legal after ``stop()``, unknown handlers are ignored."""

    @abstractmethod
    def join(self, timeout: float | None = None) -> bool:
        """Wait until reading is complete; ``False`` if ``timeout`` passed first.

        Raises ``ReadingTimeoutError`` if reading ended by inactivity and the configuration
        asked for ``raise_exception_on_timeout``.
        """
