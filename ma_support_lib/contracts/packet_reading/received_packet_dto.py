"""A packet as delivered to reader handlers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..packet_writing.packet_bytes import PacketBytes


@dataclass(frozen=True)
class ReceivedPacketDto:
    """``packet_bytes.data`` is the serialized ``Packet``; ``submit_time`` is when the
    server stored it (UTC)."""

    packet_bytes: PacketBytes
    data_source: str
    session_key: str
    stream: str
    submit_time: datetime.datetime
