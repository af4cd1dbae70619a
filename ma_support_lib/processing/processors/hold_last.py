"""Hold-last resampling (for stepped channels such as gear)."""

from __future__ import annotations

import numpy as np

from ...contracts.interpolation.result_table import ResultTable
from .base import Block, VectorProcessor, validated_gap


class HoldLastProcessor(VectorProcessor):
    """At each interval start, the value of the last sample at or before it.

    With ``max_gap_ns``, no value (NaN / ``None``) where that sample is more than
    ``max_gap_ns`` before the interval start. Results are :class:`InterpolatedResult`.
    """

    def __init__(self, max_gap_ns: int | None = None) -> None:
        super().__init__()
        self.max_gap_ns = validated_gap("HoldLastProcessor", max_gap_ns)

    def process_block(self, block: Block) -> ResultTable:
        prev_t, prev_v = block.before_starts(block.last_at_starts())
        if self.max_gap_ns is not None:
            prev_v[(block.interval_starts[:, None] - prev_t) > self.max_gap_ns] = np.nan
        return block.table({"value": prev_v})
