"""Writing packets to sessions."""

from __future__ import annotations

from abc import abstractmethod

from ..shared.api_result import ApiResult
from ..shared.i_service import IService
from .info_type import InfoType
from .packet_bytes import PacketBytes


class IPacketWriterService(IService):
    """Writes data packets to a stream of a session, and information packets.

    Data packets are sent in batches in the background; ``write_data`` returns once the
    packet is queued (waiting while the queue is full). A write that the server later
    refuses is reported by the next ``write_data``/``flush`` result and the logger.
    """

    @abstractmethod
    def write_data(self, data_source: str, stream: str, session_key: str, packet_bytes: PacketBytes) -> ApiResult[bool]: ...

    @abstractmethod
    def write_info(self, packet_bytes: PacketBytes, info_type: InfoType = InfoType.SESSION_INFO) -> ApiResult[bool]: ...

    @abstractmethod
    def flush(self, timeout: float | None = None) -> ApiResult[bool]:
        """Wait until every queued packet is acknowledged by the server."""
