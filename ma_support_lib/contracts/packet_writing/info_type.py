"""Kind of an information packet."""

from __future__ import annotations

import enum


class InfoType(enum.IntEnum):
    UNSPECIFIED = 0
    SESSION_INFO = 1
    SYSTEM_STATUS = 2
