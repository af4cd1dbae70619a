"""Decoded buffering and interpolation records as the library's contract types."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ...contracts.buffering.end_sample_data import EndSampleData
from ...contracts.buffering.end_timestamp_data import EndTimestampData
from ...contracts.buffering.sample_data import SampleData
from ...contracts.buffering.sample_value import SampleValue
from ...contracts.buffering.sample_window import SampleWindow
from ...contracts.buffering.start_sample_data import StartSampleData
from ...contracts.buffering.start_timestamp_data import StartTimestampData
from ...contracts.buffering.timestamp_column import TimestampColumn
from ...contracts.buffering.timestamp_data import TimestampData
from ...contracts.buffering.value_status import ValueStatus
from ...contracts.interpolation.batch_result import BatchResult
from ...contracts.interpolation.default_result import DefaultResult
from ...contracts.interpolation.i_process_result import IProcessResult
from ...contracts.interpolation.interpolated_result import InterpolatedResult
from ...contracts.interpolation.result_table import DEFAULT_STATISTICS, ResultTable
from .sample_frames import DEFAULT_RESULT, END, PYTHON_RESULT, START, BatchRecord, ResultItem, SampleRecord, TimestampRecord


def timestamp_data(record: TimestampRecord) -> TimestampData:
    span = record.range
    if span.marker == START:
        return StartTimestampData(span.data_source, span.session_key)
    if span.marker == END:
        return EndTimestampData(span.data_source, span.session_key)

    def columns() -> list[TimestampColumn]:
        at: dict[int, list[SampleValue]] = {}
        for identifier, column in record.columns.items():
            statuses = [ValueStatus(s) for s in column.statuses.tolist()]
            for time, value, status in zip(column.timestamps.tolist(), column.values.tolist(), statuses):
                at.setdefault(time, []).append(SampleValue(identifier, value, status))
        return [TimestampColumn(time, at[time]) for time in sorted(at)]

    return TimestampData(span.data_source, span.session_key, span.start_time, span.end_time, columns)


def sample_window(record: TimestampRecord) -> SampleWindow | None:
    """The window of a data record; a final empty one for the End sentinel; None for Start."""
    span = record.range
    if span.marker == START:
        return None
    final = span.marker == END
    return SampleWindow(span.data_source, span.session_key, span.start_time, span.end_time, dict(record.columns), final)


def sample_data(record: SampleRecord) -> SampleData:
    span = record.range
    if span.marker == START:
        return StartSampleData(span.data_source, span.session_key)
    if span.marker == END:
        return EndSampleData(span.data_source, span.session_key)
    column = record.column
    return SampleData(
        span.data_source, span.session_key, span.start_time, span.end_time, record.identifier,
        column.timestamps, column.values, column.statuses,
    )  # fmt: skip


def batch_result(record: BatchRecord, identifiers: Sequence[str], python_result: Callable[[int], IProcessResult]) -> BatchResult:
    """The batch; with a :class:`ResultTable` when its results are default or interpolated
    results filling the grid of intervals x ``identifiers`` (as the built-in ones do)."""
    results = [_result(item, python_result) for item in record.results]
    return BatchResult(
        record.data_source, record.session_key, record.subscription_key, record.start, record.end, results,
        table=_table(results, tuple(identifiers)),
    )  # fmt: skip


def _result(item: ResultItem, python_result: Callable[[int], IProcessResult]) -> IProcessResult:
    if item.tag == DEFAULT_RESULT and item.statistics is not None:
        first, last, low, high, mean, count, flagged = item.statistics
        a, b, c, d, e = (None if math.isnan(v) else v for v in (first, last, low, high, mean))
        return DefaultResult(item.identifier, item.start, item.end, a, b, c, d, e, count, flagged)
    if item.tag == PYTHON_RESULT:
        return python_result(item.handle)
    return _Foreign(item.identifier, item.start, item.end, item.type_name)


class _Foreign(InterpolatedResult):
    """A .NET result of a type this bridge does not know (its type name is kept)."""

    def __init__(self, identifier: str, start: int, end: int, type_name: str) -> None:
        super().__init__(identifier, start, end, None)
        self.type_name = type_name


def _table(results: list[IProcessResult], identifiers: tuple[str, ...]) -> ResultTable | None:
    width = len(identifiers)
    if not results or not width or len(results) % width:
        return None
    kind = type(results[0])
    if kind not in (DefaultResult, InterpolatedResult) or any(type(r) is not kind for r in results):
        return None
    rows = [results[k : k + width] for k in range(0, len(results), width)]
    for row in rows:
        if tuple(r.identifier for r in row) != identifiers or len({r.interval_start_time_nano for r in row}) != 1:
            return None
    starts = np.array([row[0].interval_start_time_nano for row in rows], dtype=np.int64)
    ends = np.array([row[0].interval_end_time_nano for row in rows], dtype=np.int64)
    names = ("value",) if kind is InterpolatedResult else DEFAULT_STATISTICS
    statistics = {}
    for name in names:
        cells = [[getattr(r, name) for r in row] for row in rows]
        if name == "count":
            statistics[name] = np.array(cells, dtype=np.int64)
        elif name == "is_super_sampled":
            statistics[name] = np.array(cells, dtype=bool)
        else:
            statistics[name] = np.array([[np.nan if c is None else c for c in row] for row in cells], dtype=np.float64)
    return ResultTable(identifiers, starts, ends, statistics)
