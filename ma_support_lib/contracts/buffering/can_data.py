"""A RawCANData packet as a buffered value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CanData:
    """``type`` is the Open Data ``CanType`` number (transmit 1, receive 2)."""

    timestamp: int
    bus: int
    can_id: int
    payload: bytes
    type: int
