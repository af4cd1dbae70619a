"""The default processor's result: statistics of an interval."""

from __future__ import annotations

from typing import Optional

from .process_result import ProcessResult


class DefaultResult(ProcessResult):
    """``first``, ``last``, ``min``, ``max``, ``mean`` and ``count`` of the samples in the
    interval. When the interval holds no sample (super-sampling) but an earlier one exists,
    the statistics all equal that last value before, ``count`` is 0 and ``is_super_sampled``
    is true. With no sample at all they are ``None`` (see :meth:`empty`).
    """

    def __init__(
        self,
        identifier: str,
        interval_start_time_nano: int,
        interval_end_time_nano: int,
        first: Optional[float] = None,
        last: Optional[float] = None,
        min: Optional[float] = None,
        max: Optional[float] = None,
        mean: Optional[float] = None,
        count: int = 0,
        is_super_sampled: bool = False,
    ) -> None:
        super().__init__(identifier, interval_start_time_nano, interval_end_time_nano)
        self.first = first
        self.last = last
        self.min = min
        self.max = max
        self.mean = mean
        self.count = count
        self.is_super_sampled = is_super_sampled

    @classmethod
    def super_sampled(cls, identifier: str, start: int, end: int, last_value_before: float) -> DefaultResult:
        value = last_value_before
        return cls(identifier, start, end, value, value, value, value, value, 0, True)

    @classmethod
    def empty(cls, identifier: str, start: int, end: int) -> DefaultResult:
        return cls(identifier, start, end)
