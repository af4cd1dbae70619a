"""One key/value detail of a session."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionDetail:
    """A session detail: ``key`` and ``value``."""

    key: str
    value: str
