"""An association between a main session and an associate session."""

from __future__ import annotations

from dataclasses import dataclass

from .session_info import SessionInfo


@dataclass
class SessionAssociationInfo:
    """``associate_session_info`` was associated with ``main_session_info``."""

    main_session_info: SessionInfo
    associate_session_info: SessionInfo | None
    group: str = ""

    def __str__(self) -> str:
        associate = self.associate_session_info.session_key if self.associate_session_info else "?"
        return f"SessionAssociationInfo({self.main_session_info.session_key} -> {associate})"
