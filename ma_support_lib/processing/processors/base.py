"""What the built-in processors share: a block of intervals in, a result table out."""

from __future__ import annotations

import threading
from abc import abstractmethod
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ...contracts.interpolation.i_process_result import IProcessResult
from ...contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ...contracts.interpolation.process_context import ProcessContext
from ...contracts.interpolation.result_table import ResultTable
from ..samples import Samples

_NO_TIME = np.iinfo(np.int64).min


@dataclass(frozen=True, eq=False)
class Block:
    """Consecutive intervals ``[start, start + period_ns)`` for every parameter.

    ``samples`` are the parameters' samples from the first interval's start on (they may
    reach past the last interval: lookahead); ``series(p)`` is parameter ``p``'s part.
    Arrays of results are ``[interval, parameter]``.
    ``carry_times[p]`` / ``carry_values[p]`` is its last sample before the first interval
    (time ``_NO_TIME`` and NaN when there is none).
    """

    identifiers: tuple[str, ...]
    interval_starts: NDArray[np.int64]
    period_ns: int
    samples: Samples
    carry_times: NDArray[np.int64]
    carry_values: NDArray[np.float64]

    @property
    def interval_ends(self) -> NDArray[np.int64]:
        return self.interval_starts + np.int64(self.period_ns)

    @cached_property
    def offsets(self) -> NDArray[np.intp]:
        """``offsets[p]:offsets[p + 1]`` is parameter ``p``'s slice of ``samples``."""
        return self.samples.offsets(len(self.identifiers))

    def series(self, p: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Parameter ``p``'s times and values, sorted."""
        part = slice(int(self.offsets[p]), int(self.offsets[p + 1]))
        return self.samples.times[part], self.samples.values[part]

    def table(self, statistics: dict[str, NDArray[np.generic]]) -> ResultTable:
        return ResultTable(self.identifiers, self.interval_starts, self.interval_ends, statistics)

    def last_at_starts(self) -> NDArray[np.intp]:
        """``[interval, parameter]``: the index in ``samples`` of the parameter's last sample at
        or before the interval start, -1 where it has none in the block."""
        intervals, parameters = len(self.interval_starts), len(self.identifiers)
        latest = np.full((parameters, intervals + 1), -1, dtype=np.intp)
        samples = self.samples
        if len(samples):
            # the first interval whose start is at or after each sample (intervals: after all)
            due = np.clip(-((int(self.interval_starts[0]) - samples.times) // self.period_ns), 0, intervals)
            cells = samples.owner * (intervals + 1) + due
            last = np.flatnonzero(np.append(cells[1:] != cells[:-1], True))  # sorted by cell
            latest.ravel()[cells[last]] = last
        return np.maximum.accumulate(latest[:, :intervals], axis=1).T

    def before_starts(self, index: NDArray[np.intp]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The times and values of the samples at ``index`` (from :meth:`last_at_starts`), the
        carried sample where it is -1 (``_NO_TIME`` and NaN when there is none)."""
        found = index >= 0
        safe = np.where(found, index, 0)
        times, values = self.samples.times, self.samples.values
        prev_t = np.where(found, times[safe] if len(times) else _NO_TIME, self.carry_times[None, :])
        prev_v = np.where(found, values[safe] if len(values) else np.nan, self.carry_values[None, :])
        return prev_t.astype(np.int64), prev_v.astype(np.float64)


class VectorProcessor(ISubscriptionProcessor):
    """A processor the data reader runs on many intervals and parameters at once.

    ``lookahead_ns``: how far past an interval's end samples must be known before it can be
    processed. ``process`` is the one-interval form of the official interface (for use
    outside the data reader); it remembers each parameter's last sample between calls.
    """

    lookahead_ns: int = 0

    def __init__(self) -> None:
        self._last: dict[str, tuple[int, float]] = {}
        self._last_lock = threading.Lock()

    @abstractmethod
    def process_block(self, block: Block) -> ResultTable: ...

    def process(self, context: ProcessContext) -> IProcessResult:
        points = context.interval_data_points
        times = np.array([point.timestamp_nanoseconds for point in points], dtype=np.int64)
        values = np.array([point.value for point in points], dtype=np.float64)
        with self._last_lock:
            carry = self._last.get(context.parameter_id, (int(_NO_TIME), float("nan")))
            if points:
                self._last[context.parameter_id] = (int(times[-1]), float(values[-1]))
        start, end = context.interval_start_time_nano, context.interval_end_time_nano
        block = Block(
            (context.parameter_id,), np.array([start], dtype=np.int64), end - start,
            Samples(times, values, np.zeros(len(times), dtype=np.intp)),
            np.array([carry[0]], dtype=np.int64), np.array([carry[1]]),
        )  # fmt: skip
        return self.process_block(block).to_results()[0]


def validated_gap(name: str, max_gap_ns: int | None) -> int | None:
    if max_gap_ns is not None and (isinstance(max_gap_ns, bool) or not isinstance(max_gap_ns, int) or max_gap_ns < 0):
        raise ValueError(f"{name}: max_gap_ns must be a non-negative int of ns or None, got {max_gap_ns!r}")
    return max_gap_ns
