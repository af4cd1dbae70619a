"""Linear interpolation (for continuous channels)."""

from __future__ import annotations

import numpy as np

from ...contracts.interpolation.result_table import ResultTable
from .base import Block, VectorProcessor, validated_gap


class LinearInterpolationProcessor(VectorProcessor):
    """At each interval start, the straight line between the samples around it.

    A sample exactly at the start gives its own value. No value (NaN / ``None``) before the
    first sample, after the last one, or where the two samples are more than ``max_gap_ns``
    apart. An interval is processed once samples up to ``max_gap_ns`` past its end are
    known (``lookahead_ns``), so results lag the data by that much more. Results are
    :class:`InterpolatedResult`; the arithmetic is that of ``numpy.interp``.
    """

    def __init__(self, max_gap_ns: int = 1_000_000_000) -> None:
        super().__init__()
        gap = validated_gap("LinearInterpolationProcessor", max_gap_ns)
        if gap is None:
            raise ValueError("LinearInterpolationProcessor: max_gap_ns is needed (it bounds the lookahead)")
        self.max_gap_ns = self.lookahead_ns = gap

    def process_block(self, block: Block) -> ResultTable:
        starts = block.interval_starts[:, None]
        index = block.last_at_starts()
        prev_t, prev_v = block.before_starts(index)
        times, values = block.samples.times, block.samples.values
        after = np.where(index >= 0, index + 1, block.offsets[None, :-1])
        has_next = after < block.offsets[None, 1:]
        safe = np.where(has_next, after, 0)
        next_t = times[safe] if len(times) else np.zeros(index.shape, dtype=np.int64)
        next_v = values[safe] if len(values) else np.full(index.shape, np.nan)
        span = (next_t - prev_t).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = (next_v - prev_v) / span
            value = slope * (starts - prev_t).astype(np.float64) + prev_v
        exact = prev_t == starts
        usable = has_next & ~np.isnan(prev_v) & ((next_t - prev_t) <= self.max_gap_ns)
        return block.table({"value": np.where(exact, prev_v, np.where(usable, value, np.nan))})
