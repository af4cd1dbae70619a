"""A block of intervals: each parameter's last sample at each interval start, all at once."""

from __future__ import annotations

import numpy as np

from ma_support_lib.processing.processors import HoldLastProcessor
from ma_support_lib.processing.processors.base import _NO_TIME, Block
from ma_support_lib.processing.samples import Samples

T0, PERIOD, INTERVALS = 1_700_000_000_000_000_000, 1_000, 30


def block() -> Block:
    rng = np.random.default_rng(4)
    series = {
        0: np.unique(T0 + rng.integers(0, 40_000, size=25)),  # some past the last interval
        1: T0 + np.arange(0, 30_000, 1_000),  # exactly on the starts
        3: np.array([T0 + 12_345]),
    }  # parameter 2 has no samples
    owner = np.concatenate([np.full(len(t), p) for p, t in series.items()])
    times = np.concatenate(list(series.values())).astype(np.int64)
    carry_t = np.array([T0 - 7, _NO_TIME, T0 - 1, _NO_TIME], dtype=np.int64)
    carry_v = np.array([-1.0, np.nan, -2.0, np.nan])
    samples = Samples(times, rng.normal(size=len(times)), owner)
    return Block(("a", "b", "c", "d"), T0 + np.arange(INTERVALS, dtype=np.int64) * PERIOD, PERIOD, samples, carry_t, carry_v)


def test_last_sample_at_or_before_each_start_per_parameter() -> None:
    b = block()
    index = b.last_at_starts()
    assert index.shape == (INTERVALS, 4)
    for p in range(4):
        times, _ = b.series(p)
        expected = np.searchsorted(times, b.interval_starts, side="right") - 1
        expected = np.where(expected >= 0, expected + b.offsets[p], -1)
        np.testing.assert_array_equal(index[:, p], expected)


def test_hold_last_uses_the_carried_sample_before_the_first_one() -> None:
    b = block()
    values = HoldLastProcessor().process_block(b).statistics["value"]
    assert (values[:, 2] == -2.0).all()  # no samples: the carried one throughout
    assert np.isnan(values[:13, 3]).all() and (values[13:, 3] == b.samples.values[-1]).all()
    _, b_values = b.series(1)
    np.testing.assert_array_equal(values[:, 1], b_values)  # a sample at each start is its value
