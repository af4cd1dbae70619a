"""Many parameters' samples in one set of arrays: joining parts, last samples, offsets."""

from __future__ import annotations

import numpy as np

from ma_support_lib.processing.samples import Samples


def part(owners_times: dict[int, list[int]]) -> Samples:
    owner = np.array([o for o, ts in sorted(owners_times.items()) for _ in ts], dtype=np.intp)
    times = np.array([t for _, ts in sorted(owners_times.items()) for t in ts], dtype=np.int64)
    return Samples(times, times.astype(np.float64) / 10, owner)


def test_parts_in_time_order_join_sorted_by_parameter_then_time() -> None:
    joined = Samples.joined([part({0: [5, 6], 2: [7]}), part({}), part({0: [8], 1: [9, 10], 2: [11]})])
    assert joined.owner.tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert joined.times.tolist() == [5, 6, 8, 9, 10, 7, 11]
    assert joined.values.tolist() == [0.5, 0.6, 0.8, 0.9, 1.0, 0.7, 1.1]
    assert joined.offsets(4).tolist() == [0, 3, 5, 7, 7]


def test_the_last_chosen_sample_of_each_parameter() -> None:
    samples = part({0: [5, 6, 8], 1: [9, 10], 3: [1]})
    assert samples.last_chosen(samples.times < 9).tolist() == [2, 5]  # parameter 1 has none before 9
    assert samples.last_chosen(samples.times < 0).tolist() == []


def test_nothing_joins_to_nothing() -> None:
    assert len(Samples.joined([])) == 0 and len(Samples.joined([Samples.empty(), Samples.empty()])) == 0
