"""The default processor: statistics per interval, the last value held where one is empty."""

from __future__ import annotations

import numpy as np

from ...contracts.interpolation.result_table import ResultTable
from .base import Block, VectorProcessor


class DefaultProcessor(VectorProcessor):
    """``first``, ``last``, ``min``, ``max``, ``mean`` and ``count`` of each interval's
    samples (sub-sampling). An interval without samples after an earlier one is super-sampled:
    every statistic is that last value before, ``count`` 0, ``is_super_sampled`` true. With no
    earlier sample the statistics are NaN (``None`` in :class:`DefaultResult`)."""

    def process_block(self, block: Block) -> ResultTable:
        starts = block.interval_starts
        parameters, intervals = len(block.identifiers), len(starts)
        base, period = int(starts[0]), block.period_ns
        end = base + intervals * period
        samples = block.samples
        inside = samples.times < end
        if not inside.all():
            samples = samples.where(inside)
        times, values, owner = samples.times, samples.values, samples.owner
        cells = parameters * intervals
        count = np.zeros(cells, dtype=np.int64)
        stats = {name: np.full(cells, np.nan) for name in ("first", "last", "min", "max", "mean")}
        if len(times):
            keys = owner * intervals + (times - base) // period
            heads = np.flatnonzero(np.diff(keys, prepend=-1))
            tails = np.append(heads[1:], len(keys)) - 1
            cell = keys[heads]
            count[cell] = tails - heads + 1
            stats["first"][cell] = values[heads]
            stats["last"][cell] = values[tails]
            stats["min"][cell] = np.minimum.reduceat(values, heads)
            stats["max"][cell] = np.maximum.reduceat(values, heads)
            stats["mean"][cell] = np.add.reduceat(values, heads) / count[cell]
        grid = {name: array.reshape(parameters, intervals) for name, array in stats.items()}
        counts = count.reshape(parameters, intervals)
        held = _held_last(grid["last"], counts > 0, block.carry_values)
        super_sampled = (counts == 0) & ~np.isnan(held)
        for array in grid.values():
            array[super_sampled] = held[super_sampled]
        statistics = {name: np.ascontiguousarray(array.T) for name, array in grid.items()}
        statistics["count"] = np.ascontiguousarray(counts.T)
        statistics["is_super_sampled"] = np.ascontiguousarray(super_sampled.T)
        return block.table(statistics)


def _held_last(last: np.ndarray, has: np.ndarray, carry: np.ndarray) -> np.ndarray:
    """Per ``[parameter, interval]``: the last value of the latest interval up to and
    including it that has samples, else the carried value (NaN if none)."""
    intervals = last.shape[1]
    latest = np.maximum.accumulate(np.where(has, np.arange(intervals), -1), axis=1)
    held = np.take_along_axis(last, np.maximum(latest, 0), axis=1)
    return np.where(latest >= 0, held, carry[:, None])
