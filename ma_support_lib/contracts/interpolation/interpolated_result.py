"""A resampled value at an interval's start (linear and hold-last processors)."""

from __future__ import annotations

from typing import Optional

from .process_result import ProcessResult


class InterpolatedResult(ProcessResult):
    """``value`` at ``interval_start_time_nano``; ``None`` where nothing may be invented
    (no sample yet, or the surrounding samples are further apart than the maximum gap)."""

    def __init__(
        self, identifier: str, interval_start_time_nano: int, interval_end_time_nano: int, value: Optional[float]
    ) -> None:
        super().__init__(identifier, interval_start_time_nano, interval_end_time_nano)
        self.value = value
