"""The results of one subscription for one delivery period of one session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from numpy.typing import NDArray

from .i_process_result import IProcessResult
from .result_table import ResultTable

if TYPE_CHECKING:
    import pandas


class BatchResult:
    """``results`` (built on first use when the batch came from a built-in processor) in
    time order, parameters in subscription order within an interval.

    ``to_numpy()`` and ``to_dataframe()`` give the same results as arrays: one column per
    parameter, one row per interval start. They need a built-in processor's batch
    (``table`` is then set).
    """

    def __init__(
        self,
        data_source: str,
        session_key: str,
        subscription_key: str,
        delivery_interval_start_time_nano: int,
        delivery_interval_end_time_nano: int,
        results: Optional[Sequence[IProcessResult]] = None,
        *,
        table: Optional[ResultTable] = None,
    ) -> None:
        self.data_source = data_source
        self.session_key = session_key
        self.subscription_key = subscription_key
        self.delivery_interval_start_time_nano = delivery_interval_start_time_nano
        self.delivery_interval_end_time_nano = delivery_interval_end_time_nano
        self.table = table
        self._results = list(results) if results is not None else None

    @property
    def results(self) -> list[IProcessResult]:
        if self._results is None:
            self._results = self.table.to_results() if self.table is not None else []
        return self._results

    def _table(self) -> ResultTable:
        if self.table is None:
            raise TypeError("this batch holds a custom processor's results; use .results")
        return self.table

    def to_numpy(self, statistic: Optional[str] = None) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """``(interval start times in ns, [intervals, parameters] values)``; ``statistic`` is
        one of ``first, last, min, max, mean, count, is_super_sampled`` (default ``mean``) or,
        for the interpolating processors, ``value``."""
        table = self._table()
        return table.interval_starts, table.matrix(statistic)

    def to_dataframe(self, statistic: Optional[str] = None) -> pandas.DataFrame:
        """The same as a DataFrame: a UTC ``timestamp`` index and one column per parameter."""
        from ...processing.frames import table_frame

        return table_frame(self._table(), statistic)

    def __repr__(self) -> str:
        size = len(self.table) if self.table is not None else len(self.results)
        return (
            f"BatchResult({self.subscription_key!r} {self.session_key} "
            f"[{self.delivery_interval_start_time_nano}, {self.delivery_interval_end_time_nano}) {size})"
        )
