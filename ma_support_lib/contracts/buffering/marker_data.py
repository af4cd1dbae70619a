"""A Marker packet as a buffered value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MarkerData:
    """``value`` is the lap number for ``type == "Lap Trigger"`` markers."""

    timestamp: int
    end_time: int
    label: str
    type: str
    description: str
    source: str
    value: int
