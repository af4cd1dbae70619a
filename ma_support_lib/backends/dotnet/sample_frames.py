"""Records of the buffering and interpolation types (``native/facade/SampleCodec.cs``).

A parameter's values travel as one column: a count, int64 timestamps, status bytes, then the
values (float64, int32, one byte per bool, or strings), read with one numpy call each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...contracts.buffering.window_column import WindowColumn
from . import frames

TIMESTAMP_DATA, SAMPLE_DATA, BATCH, PROCESS_REQUEST = 8, 9, 10, 11
DATA, START, END = 0, 1, 2
DEFAULT_RESULT, PYTHON_RESULT, OTHER_RESULT = 0, 1, 2
_DTYPES: dict[int, Any] = {0: np.dtype("<f8"), 1: np.dtype("<i4"), 2: np.dtype(np.bool_)}


@dataclass(frozen=True)
class Range:
    """What the TimestampData and SampleData records share; ``marker`` is DATA, START or END."""

    marker: int
    data_source: str
    session_key: str
    start_time: int
    end_time: int


@dataclass(frozen=True)
class TimestampRecord(frames.Decoded):
    range: Range
    columns: dict[str, WindowColumn]


@dataclass(frozen=True)
class SampleRecord(frames.Decoded):
    range: Range
    identifier: str
    column: WindowColumn


@dataclass(frozen=True)
class ResultItem:
    """One result of a batch: ``tag`` says whether ``statistics`` (a DefaultResult's
    first, last, min, max, mean, count, is_super_sampled), ``handle`` (a Python processor's
    result) or ``type_name`` (another .NET result type) is set."""

    tag: int
    identifier: str
    start: int
    end: int
    statistics: tuple[float, float, float, float, float, int, bool] | None = None
    handle: int = 0
    type_name: str = ""


@dataclass(frozen=True)
class BatchRecord(frames.Decoded):
    data_source: str
    session_key: str
    subscription_key: str
    start: int
    end: int
    results: list[ResultItem]


@dataclass(frozen=True)
class ProcessRequest(frames.Decoded):
    request_id: int
    parameter_id: str
    start: int
    end: int
    timestamps: NDArray[np.int64]
    values: NDArray[np.float64]


def _array(reader: frames.Reader, dtype: Any, count: int) -> NDArray[Any]:
    size = np.dtype(dtype).itemsize * count
    array = np.frombuffer(reader.data, dtype=dtype, count=count, offset=reader.at).copy()
    reader.at += size
    return array


def _range(reader: frames.Reader) -> Range:
    return Range(reader.byte(), reader.text(), reader.text(), reader.i64(), reader.i64())


def _column(reader: frames.Reader) -> tuple[str, WindowColumn]:
    identifier, kind, count = reader.text(), reader.byte(), reader.i32()
    times = _array(reader, "<i8", count).astype(np.int64)
    statuses = _array(reader, np.uint8, count)
    if kind in _DTYPES:
        values = _array(reader, _DTYPES[kind], count)
    else:
        values = np.array([reader.text() for _ in range(count)], dtype=object)
    return identifier, WindowColumn(times, values, statuses)


def _timestamp_record(reader: frames.Reader) -> TimestampRecord:
    span = _range(reader)
    return TimestampRecord(span, dict(_column(reader) for _ in range(reader.i32())))


def _sample_record(reader: frames.Reader) -> SampleRecord:
    span = _range(reader)
    identifier, column = _column(reader)
    return SampleRecord(span, identifier, column)


def _result(reader: frames.Reader) -> ResultItem:
    tag, identifier, start, end = reader.byte(), reader.text(), reader.i64(), reader.i64()
    if tag == DEFAULT_RESULT:
        first, last, low, high, mean = (float(v) for v in _array(reader, "<f8", 5))
        statistics = (first, last, low, high, mean, reader.i32(), bool(reader.byte()))
        return ResultItem(tag, identifier, start, end, statistics=statistics)
    if tag == PYTHON_RESULT:
        return ResultItem(tag, identifier, start, end, handle=reader.i64())
    return ResultItem(tag, identifier, start, end, type_name=reader.text())


def _batch_record(reader: frames.Reader) -> BatchRecord:
    head = (reader.text(), reader.text(), reader.text(), reader.i64(), reader.i64())
    return BatchRecord(*head, [_result(reader) for _ in range(reader.i32())])


def _process_request(reader: frames.Reader) -> ProcessRequest:
    request_id, parameter, start, end, count = reader.i64(), reader.text(), reader.i64(), reader.i64(), reader.i32()
    times = _array(reader, "<i8", count).astype(np.int64)
    return ProcessRequest(request_id, parameter, start, end, times, _array(reader, "<f8", count).astype(np.float64))


def last_times(data: bytes) -> list[tuple[str, int]]:
    """What ``SampleCodec.LastTimes`` encoded."""
    reader = frames.Reader(data)
    return [(reader.text(), reader.i64()) for _ in range(reader.i32())]


frames.DECODERS.update(
    {
        TIMESTAMP_DATA: _timestamp_record,
        SAMPLE_DATA: _sample_record,
        BATCH: _batch_record,
        PROCESS_REQUEST: _process_request,
    }
)
