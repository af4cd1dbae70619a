"""What a new session is created with."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .session_detail import SessionDetail


@dataclass
class SessionCreationInfo:
    """Arguments of ``create_new_session``, in the official positional order.

    ``details`` may be a mapping or a list of :class:`SessionDetail` / ``(key, value)`` pairs.
    ``utc_offset`` ``None`` means the local time zone's current offset.
    """

    data_source: str = "Default"
    identifier: str = ""
    type: str = "Session"
    version: int = 1
    utc_offset: datetime.timedelta | None = None
    details: Mapping[str, str] | Iterable[SessionDetail | tuple[str, str]] | None = None
    associate_session_keys: list[str] = field(default_factory=list)


def details_dict(details: Mapping[str, str] | Iterable[SessionDetail | tuple[str, str]] | None) -> dict[str, str]:
    """Session details as a dict, from any of the accepted shapes."""
    if details is None:
        return {}
    if isinstance(details, Mapping):
        return {str(key): str(value) for key, value in details.items()}
    result: dict[str, str] = {}
    for item in details:
        if isinstance(item, SessionDetail):
            result[item.key] = item.value
        elif isinstance(item, tuple) and len(item) == 2:
            result[str(item[0])] = str(item[1])
        else:
            raise TypeError(f"a session detail must be a SessionDetail or a (key, value) pair, got {item!r}")
    return result
