"""An event data format: its id and its event name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EventDataFormatInfo:
    data_source: str
    data_format_id: int
    event_name: str
