"""A serialized ``open_data.Packet``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PacketBytes:
    """``data``: the bytes of a serialized ``ma.streaming.open_data.v1.Packet``."""

    data: bytes
