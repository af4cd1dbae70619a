"""All values of one parameter within one emitted range, in time order."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .timestamp_value import TimestampValue
from .value_status import ValueStatus

_NO_TIMES: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
_NO_STATUSES: NDArray[np.uint8] = np.zeros(0, dtype=np.uint8)


class SampleData:
    """``identifier``'s values with timestamps in ``[start_time, end_time)`` (ns).

    ``values`` is the list of :class:`TimestampValue` (built on first use); the same data as
    numpy arrays is in ``timestamps`` (int64), ``value_array`` (float64, int32, bool or
    object) and ``status_array`` (uint8 :class:`ValueStatus` numbers).
    """

    def __init__(
        self,
        data_source: str,
        session_key: str,
        start_time: int,
        end_time: int,
        identifier: str,
        timestamps: NDArray[np.int64] = _NO_TIMES,
        value_array: NDArray[Any] | None = None,
        status_array: NDArray[np.uint8] = _NO_STATUSES,
    ) -> None:
        self.data_source = data_source
        self.session_key = session_key
        self.start_time = start_time
        self.end_time = end_time
        self.identifier = identifier
        self.timestamps = timestamps
        self.value_array: NDArray[Any] = np.zeros(0) if value_array is None else value_array
        self.status_array = status_array
        self._values: list[TimestampValue] | None = None

    @property
    def values(self) -> list[TimestampValue]:
        if self._values is None:
            statuses = [ValueStatus(status) for status in self.status_array.tolist()]
            self._values = [
                TimestampValue(timestamp, value, status)
                for timestamp, value, status in zip(self.timestamps.tolist(), self.value_array.tolist(), statuses)
            ]
        return self._values

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.session_key} {self.identifier!r} "
            f"[{self.start_time}, {self.end_time}) {len(self.timestamps)} values)"
        )
