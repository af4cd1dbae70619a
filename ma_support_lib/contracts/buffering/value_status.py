"""The status of a buffered sample (the Open Data ``DataStatus``)."""

from __future__ import annotations

import enum


class ValueStatus(enum.IntEnum):
    UNSPECIFIED = 0
    VALID = 1
    MISSING = 2
    ERROR = 3
