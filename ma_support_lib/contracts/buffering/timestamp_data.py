"""Buffered values of one emitted range, aligned by timestamp."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Union

from .timestamp_column import TimestampColumn

ColumnsSource = Union[Sequence[TimestampColumn], Callable[[], list[TimestampColumn]]]


class TimestampData:
    """One :class:`TimestampColumn` per distinct timestamp in ``[start_time, end_time)``
    (ns), in time order; ``timestamp`` is ``start_time``. ``time_columns`` may be given as a
    function that builds them on first use."""

    def __init__(
        self, data_source: str, session_key: str, start_time: int, end_time: int, time_columns: ColumnsSource = ()
    ) -> None:
        self.data_source = data_source
        self.session_key = session_key
        self.start_time = start_time
        self.end_time = end_time
        self._source = time_columns
        self._columns: list[TimestampColumn] | None = None

    @property
    def timestamp(self) -> int:
        return self.start_time

    @property
    def time_columns(self) -> list[TimestampColumn]:
        if self._columns is None:
            source = self._source
            self._columns = source() if callable(source) else list(source)
        return self._columns

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.session_key} [{self.start_time}, {self.end_time}))"
