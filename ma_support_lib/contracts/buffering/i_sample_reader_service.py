"""The buffering service: packets in, merged time-ordered samples out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from ..packet_reading.i_packet_reader_service import IPacketReaderService
from ..session_management.session_info import SessionInfo
from ..shared.api_result import ApiResult
from ..shared.event import Event
from ..shared.i_handler import IHandler
from ..shared.i_service import IService
from .sample_data import SampleData
from .sample_window import SampleWindow
from .timestamp_data import TimestampData


class ISampleReaderService(IService):
    """Buffers the packets of a packet reader (``set_reader_service``) and delivers the
    subscribed parameters' samples, merged in time order, to its handlers.

    Per session, handlers get a ``StartTimestampData`` / ``StartSampleData`` first, then the
    emitted ranges, then ``EndTimestampData`` / ``EndSampleData``. Each sample is delivered
    once. ``session_data_merging_started`` / ``session_data_merging_completed`` fire around it.
    """

    #: Names of the events this interface declares (created by the service base class).
    EVENT_NAMES: tuple[str, ...] = ("session_data_merging_started", "session_data_merging_completed")

    session_data_merging_started: Event[SessionInfo]
    session_data_merging_completed: Event[SessionInfo]

    @abstractmethod
    def set_reader_service(self, reader: IPacketReaderService) -> None:
        """Read the packets (and session events) of ``reader``; call before ``start()``."""

    @abstractmethod
    def add_handler(self, handler: IHandler[Any]) -> None:
        """Add an ``IHandler[TimestampData]`` or ``IHandler[SampleData]`` (told apart by its
        generic base; use the explicit methods for handlers without one)."""

    @abstractmethod
    def remove_handler(self, handler: IHandler[Any]) -> None:
        """Remove a handler of any kind; unknown handlers are ignored."""

    @abstractmethod
    def add_timestamp_handler(self, handler: IHandler[TimestampData]) -> None: ...

    @abstractmethod
    def add_sample_handler(self, handler: IHandler[SampleData]) -> None: ...

    @abstractmethod
    def add_window_handler(self, handler: IHandler[SampleWindow]) -> None:
        """Receive every emitted range as one :class:`SampleWindow` of numpy arrays."""

    @abstractmethod
    def subscribe(self, parameter_identifiers: Iterable[str]) -> ApiResult[bool]: ...

    @abstractmethod
    def subscribe_all(self) -> ApiResult[bool]: ...

    @abstractmethod
    def unsubscribe(self, parameter_identifiers: Iterable[str]) -> ApiResult[bool]: ...

    @abstractmethod
    def unsubscribe_all(self) -> ApiResult[bool]: ...

    @abstractmethod
    def get_last_time_info(self, data_source: str, session_key: str) -> list[tuple[str, int]]:
        """``(stream, newest buffered timestamp in ns)`` for each stream of the session."""

    @abstractmethod
    def known_parameters(self) -> frozenset[str]:
        """Parameter identifiers seen so far in data formats, configurations and samples."""
