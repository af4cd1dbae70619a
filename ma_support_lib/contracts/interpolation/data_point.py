"""One sample handed to a custom processor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataPoint:
    parameter_identifier: str
    timestamp_nanoseconds: int
    value: float
