"""The last :class:`TimestampData` of a session: merging is complete (it carries no values)."""

from __future__ import annotations

from .timestamp_data import TimestampData


class EndTimestampData(TimestampData):
    def __init__(self, data_source: str, session_key: str) -> None:
        super().__init__(data_source, session_key, 0, 0)
