"""The default processor: statistics per interval, the last value held where one is empty."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ...contracts.interpolation.result_table import ResultTable
from ..samples import Samples
from .base import Block, VectorProcessor

_FLOAT_STATISTICS = ("first", "last", "min", "max", "mean")


class DefaultProcessor(VectorProcessor):
    """``first``, ``last``, ``min``, ``max``, ``mean`` and ``count`` of each interval's
    samples (sub-sampling). An interval without samples after an earlier one is super-sampled:
    every statistic is that last value before, ``count`` 0, ``is_super_sampled`` true. With no
    earlier sample the statistics are NaN (``None`` in :class:`DefaultResult`)."""

    def process_block(self, block: Block) -> ResultTable:
        starts = block.interval_starts
        parameters, intervals = len(block.identifiers), len(starts)
        base, period = int(starts[0]), block.period_ns
        samples = block.samples
        inside = samples.times < base + intervals * period
        if not inside.all():
            samples = samples.where(inside)
        count, stats = _cell_statistics(samples, base, period, intervals, parameters)
        grid = {name: array.reshape(intervals, parameters) for name, array in stats.items()}
        counts = count.reshape(intervals, parameters)
        empty = counts == 0
        super_sampled = np.zeros_like(empty)
        if empty.any():
            held = _held_last(grid["last"], ~empty, block.carry_values)
            super_sampled = empty & ~np.isnan(held)
            for statistic in grid.values():
                statistic[super_sampled] = held[super_sampled]
        return block.table({**grid, "count": counts, "is_super_sampled": super_sampled})


def _cell_statistics(
    samples: Samples, base: int, period: int, intervals: int, parameters: int
) -> tuple[NDArray[np.int64], dict[str, NDArray[np.float64]]]:
    """``count`` and the float statistics of each cell, row-major ``[interval, parameter]``
    (NaN where a cell has no samples)."""
    cells = intervals * parameters
    count = np.zeros(cells, dtype=np.int64)
    first = np.full(cells, np.nan)
    if not len(samples):
        return count, {name: first.copy() for name in _FLOAT_STATISTICS}
    slot = (samples.times - base) // period
    keys = samples.owner * intervals + slot
    opens = np.empty(len(keys), dtype=bool)  # a sample opening its cell
    opens[0] = True
    np.not_equal(keys[1:], keys[:-1], out=opens[1:])
    values = samples.values
    if opens.all():  # one sample per cell: it is every statistic
        cell = slot * parameters + samples.owner
        count[cell] = 1
        first[cell] = values
        return count, {name: first.copy() if name != "first" else first for name in _FLOAT_STATISTICS}
    heads = np.flatnonzero(opens)
    cell = slot[heads] * parameters + samples.owner[heads]
    tails = np.append(heads[1:], len(values)) - 1
    count[cell] = tails - heads + 1
    stats = {"first": first, **{name: np.full(cells, np.nan) for name in _FLOAT_STATISTICS[1:]}}
    stats["first"][cell] = values[heads]
    stats["last"][cell] = values[tails]
    stats["min"][cell] = np.minimum.reduceat(values, heads)
    stats["max"][cell] = np.maximum.reduceat(values, heads)
    stats["mean"][cell] = np.add.reduceat(values, heads) / count[cell]
    return count, stats


def _held_last(last: NDArray[np.float64], has: NDArray[np.bool_], carry: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per ``[interval, parameter]``: the last value of the latest interval up to and
    including it that has samples, else the carried value (NaN if none)."""
    intervals = last.shape[0]
    latest = np.maximum.accumulate(np.where(has, np.arange(intervals)[:, None], -1), axis=0)
    held = np.take_along_axis(last, np.maximum(latest, 0), axis=0)
    return np.where(latest >= 0, held, carry[None, :])
