"""Kind of a data format."""

from __future__ import annotations

import enum


class DataFormatInfoType(enum.IntEnum):
    PARAMETERS = 0
    EVENT = 1
