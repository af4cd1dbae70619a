"""One stream of a session being read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamInfo:
    stream: str
    session_key: str
    data_source: str = ""
