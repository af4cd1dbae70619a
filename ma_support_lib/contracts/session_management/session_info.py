"""What the library knows about a session."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass
class SessionInfo:
    """A session: its key, data source, descriptive fields and whether it has ended.

    ``historical`` is ``True`` once the session has ended. ``details`` maps detail keys to
    values; ``streams`` lists the session's known streams (when the server reports them).
    """

    session_key: str
    data_source: str
    identifier: str = ""
    type: str = "Session"
    version: int = 1
    utc_offset: datetime.timedelta = datetime.timedelta(0)
    details: dict[str, str] = field(default_factory=dict)
    associate_session_keys: list[str] = field(default_factory=list)
    historical: bool = False
    streams: list[str] = field(default_factory=list)
    creation_time: datetime.datetime | None = None
    termination_time: datetime.datetime | None = None

    def __str__(self) -> str:
        state = "historical" if self.historical else "live"
        return (
            f"SessionInfo({self.session_key} {self.data_source}/{self.identifier!r} {state}, "
            f"type={self.type!r} version={self.version} details={self.details} "
            f"associates={self.associate_session_keys})"
        )
