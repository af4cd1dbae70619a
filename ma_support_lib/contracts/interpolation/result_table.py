"""Results of the built-in processors as numpy arrays: intervals x parameters."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
from numpy.typing import NDArray

from .default_result import DefaultResult
from .i_process_result import IProcessResult
from .interpolated_result import InterpolatedResult

#: The statistics of a default (aggregating) table; an interpolating table has only ``value``.
DEFAULT_STATISTICS = ("first", "last", "min", "max", "mean", "count", "is_super_sampled")


@dataclass(frozen=True, eq=False)
class ResultTable:
    """``statistics[name][k, p]`` is the result of interval ``k`` for parameter ``p``.

    Float statistics hold NaN for "no value". Default tables have the
    :data:`DEFAULT_STATISTICS`; interpolating ones ``value``.
    """

    identifiers: tuple[str, ...]
    interval_starts: NDArray[np.int64]
    interval_ends: NDArray[np.int64]
    statistics: dict[str, NDArray[Any]]

    @property
    def main_statistic(self) -> str:
        return "value" if "value" in self.statistics else "mean"

    def __len__(self) -> int:
        return len(self.interval_starts)

    def matrix(self, statistic: Optional[str] = None) -> NDArray[Any]:
        """One statistic as an ``[intervals, parameters]`` array (default: mean or value)."""
        name = statistic or self.main_statistic
        if name not in self.statistics:
            raise KeyError(f"no statistic {name!r}; this table has {sorted(self.statistics)}")
        return self.statistics[name]

    def rows(self, start: int, stop: int) -> ResultTable:
        """Intervals ``start:stop`` only."""
        cut = slice(start, stop)
        statistics = {name: array[cut] for name, array in self.statistics.items()}
        return ResultTable(self.identifiers, self.interval_starts[cut], self.interval_ends[cut], statistics)

    @staticmethod
    def concatenate(tables: Sequence[ResultTable]) -> ResultTable:
        """Tables of the same parameters, one after the other in time."""
        first = tables[0]
        if len(tables) == 1:
            return first
        statistics = {name: np.concatenate([t.statistics[name] for t in tables]) for name in first.statistics}
        starts = np.concatenate([t.interval_starts for t in tables])
        ends = np.concatenate([t.interval_ends for t in tables])
        return ResultTable(first.identifiers, starts, ends, statistics)

    def to_results(self) -> list[IProcessResult]:
        """One result object per interval and parameter, interval by interval."""
        starts, ends = self.interval_starts.tolist(), self.interval_ends.tolist()
        lists = {name: array.tolist() for name, array in self.statistics.items()}
        results: list[IProcessResult] = []
        if "value" in lists:
            for k, (start, end) in enumerate(zip(starts, ends)):
                for p, identifier in enumerate(self.identifiers):
                    results.append(InterpolatedResult(identifier, start, end, _optional(lists["value"][k][p])))
            return results
        first, last, low, high, mean = (lists[n] for n in DEFAULT_STATISTICS[:5])
        count, flagged = lists["count"], lists["is_super_sampled"]
        for k, (start, end) in enumerate(zip(starts, ends)):
            for p, identifier in enumerate(self.identifiers):
                results.append(
                    DefaultResult(
                        identifier, start, end, _optional(first[k][p]), _optional(last[k][p]), _optional(low[k][p]),
                        _optional(high[k][p]), _optional(mean[k][p]), count[k][p], flagged[k][p],
                    )  # fmt: skip
                )
        return results


def _optional(value: float) -> Optional[float]:
    return None if math.isnan(value) else value
