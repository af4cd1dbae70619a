"""A packet reader over packets already at hand (files, tests, benchmarks)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from ..contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ..contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from ..contracts.packet_writing.packet_bytes import PacketBytes
from ..contracts.session_management.session_info import SessionInfo
from ..contracts.shared.i_handler import IHandler
from ..core.base.logger import ILogger
from ..core.base.service_base import ServiceBase
from ..core.handler_list import HandlerList

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class ReplayPacketReader(ServiceBase, IPacketReaderService):
    """Delivers what it is given, on the caller's thread, with the reader events.

    ``begin(data_source, session_key)`` fires ``session_reading_started``, ``feed`` hands
    serialized packets to the handlers, ``end`` fires ``session_reading_completed``;
    ``replay`` does the three for a whole session.
    """

    def __init__(self, logger: ILogger | None = None) -> None:
        super().__init__(logger)
        self._handlers: HandlerList[ReceivedPacketDto] = HandlerList("packet", self._logger)

    def add_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        self._handlers.add(handler)

    def remove_handler(self, handler: IHandler[ReceivedPacketDto]) -> None:
        self._handlers.remove(handler)

    def join(self, timeout: float | None = None) -> bool:
        return True

    def begin(self, data_source: str, session_key: str) -> None:
        self.session_reading_started.fire(self, SessionInfo(session_key, data_source))

    def feed(self, data_source: str, session_key: str, packet: bytes, stream: str = "") -> None:
        self._handlers.deliver(ReceivedPacketDto(PacketBytes(packet), data_source, session_key, stream, _EPOCH))

    def end(self, data_source: str, session_key: str) -> None:
        self.session_reading_completed.fire(self, SessionInfo(session_key, data_source, historical=True))

    def replay(self, data_source: str, session_key: str, packets: Iterable[bytes], stream: str = "") -> None:
        self.begin(data_source, session_key)
        for packet in packets:
            self.feed(data_source, session_key, packet, stream)
        self.end(data_source, session_key)
