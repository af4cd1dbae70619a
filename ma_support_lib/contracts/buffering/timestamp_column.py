"""Every buffered value at one timestamp."""

from __future__ import annotations

from dataclasses import dataclass, field

from .sample_value import SampleValue


@dataclass(frozen=True)
class TimestampColumn:
    timestamp: int
    sample_values: list[SampleValue] = field(default_factory=list)
