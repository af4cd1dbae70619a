"""The values of one column (``native/facade/ValueCodec.cs``) as a numpy array.

A column's kind says how its values travel: float64, int32 and bool (one byte) values are
read with one numpy call; strings one by one; markers, events, errors and CAN frames as their
fields, in the order of the contract class's fields; a ``TAGGED`` column (values of mixed
kinds) has each value preceded by its kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...contracts.buffering.can_data import CanData
from ...contracts.buffering.error_data import ErrorData
from ...contracts.buffering.event_data import EventData
from ...contracts.buffering.marker_data import MarkerData
from . import frames

FLOAT64, INT32, BOOL, TEXT, TAGGED, MARKER, EVENT, ERROR, CAN = range(9)
_DTYPES: dict[int, Any] = {FLOAT64: np.dtype("<f8"), INT32: np.dtype("<i4"), BOOL: np.dtype(np.bool_)}
_F64 = np.dtype("<f8")

Field = Callable[[frames.Reader], Any]


def _doubles(reader: frames.Reader) -> tuple[float, ...]:
    return tuple(float(v) for v in array(reader, _F64, reader.i32()))


_I64: Field = frames.Reader.i64
_TEXT: Field = frames.Reader.text
_BLOB: Field = frames.Reader.blob
#: record kind -> (contract class, how each of its fields travels)
_RECORDS: dict[int, tuple[Callable[..., Any], tuple[Field, ...]]] = {
    MARKER: (MarkerData, (_I64, _I64, _TEXT, _TEXT, _TEXT, _TEXT, _I64)),
    EVENT: (EventData, (_TEXT, _I64, _doubles)),
    ERROR: (ErrorData, (_TEXT, _I64, _TEXT, _TEXT, _TEXT, _TEXT, _I64, _I64)),
    CAN: (CanData, (_I64, _I64, _I64, _BLOB, _I64)),
}
_SCALARS: dict[int, Field] = {
    FLOAT64: lambda reader: float(array(reader, _F64, 1)[0]),
    INT32: frames.Reader.i32,
    BOOL: lambda reader: bool(reader.byte()),
    TEXT: _TEXT,
}


def array(reader: frames.Reader, dtype: Any, count: int) -> NDArray[Any]:
    """``count`` items of ``dtype`` at the reader's position (a copy)."""
    size = np.dtype(dtype).itemsize * count
    values = np.frombuffer(reader.data, dtype=dtype, count=count, offset=reader.at).copy()
    reader.at += size
    return values


def values(reader: frames.Reader, kind: int, count: int) -> NDArray[Any]:
    """``count`` values of a column of ``kind``; ``ValueError`` for a kind this side does not know."""
    if kind in _DTYPES:
        return array(reader, _DTYPES[kind], count)
    read = _reader(kind)
    items = np.empty(count, dtype=object)
    for index in range(count):
        items[index] = read(reader)
    return items


def _reader(kind: int) -> Field:
    if kind == TAGGED:
        return lambda reader: _reader(reader.byte())(reader)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind in _RECORDS:
        make, fields = _RECORDS[kind]
        return lambda reader: make(*(field(reader) for field in fields))
    raise ValueError(f"unknown value kind {kind}")
