"""An Event packet as a buffered value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventData:
    """``identifier`` is the event's identifier (resolved from its data format id if needed)."""

    identifier: str
    timestamp: int
    raw_values: tuple[float, ...]
