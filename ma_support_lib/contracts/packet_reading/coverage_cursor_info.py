"""A coverage cursor: all data of a session up to this time has arrived."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CoverageCursorInfo:
    """``coverage_cursor_time`` is in nanoseconds since the Unix epoch."""

    coverage_cursor_time: int
    data_source: str = ""
    session_key: str = ""
