"""Results as pandas DataFrames: one column per parameter, a UTC timestamp index."""

from __future__ import annotations

import threading
from typing import Any, Optional

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..contracts.interpolation.batch_result import BatchResult
from ..contracts.interpolation.i_batch_result_handler import IBatchResultHandler
from ..contracts.interpolation.result_table import ResultTable


def frame(times: NDArray[np.int64], matrix: NDArray[Any], identifiers: tuple[str, ...]) -> pd.DataFrame:
    """``matrix[k, p]`` as a DataFrame indexed by ``times`` (ns since the epoch, as UTC)."""
    index = pd.DatetimeIndex(pd.to_datetime(times, unit="ns", utc=True), name="timestamp")
    return pd.DataFrame(matrix, index=index, columns=list(identifiers))


def table_frame(table: ResultTable, statistic: Optional[str] = None) -> pd.DataFrame:
    return frame(table.interval_starts, table.matrix(statistic), table.identifiers)


class BatchCollector(IBatchResultHandler):
    """Keeps every batch it handles (from any thread) and joins them into one result.

    For built-in processors only (their batches carry a :class:`ResultTable`); results of
    several sessions are joined in arrival order.
    """

    def __init__(self) -> None:
        self.batches: list[BatchResult] = []
        self._lock = threading.Lock()

    def handle(self, batch_result: BatchResult) -> None:
        if batch_result.table is None:
            raise TypeError("BatchCollector takes the batches of built-in processors only")
        with self._lock:
            self.batches.append(batch_result)

    def table(self) -> ResultTable | None:
        with self._lock:
            tables = [batch.table for batch in self.batches if batch.table is not None]
        return ResultTable.concatenate(tables) if tables else None

    def to_numpy(self, statistic: Optional[str] = None) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """``(interval start times, [intervals, parameters] values)`` of every batch so far."""
        table = self.table()
        if table is None:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0))
        return table.interval_starts, table.matrix(statistic)

    def to_dataframe(self, statistic: Optional[str] = None) -> pd.DataFrame:
        table = self.table()
        if table is None:
            return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="timestamp"))
        return table_frame(table, statistic)
