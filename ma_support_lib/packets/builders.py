"""Serialized PeriodicData, RowData and SynchroData packet contents from numpy arrays.

The bytes are exactly what ``SerializeToString()`` gives for the same message built with the
protobuf API, without a Python object per sample (see :mod:`.list_encoder`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..protos import open_data_pb2
from ..wire import varint
from .data_format import DataFormatLike, data_format_field
from .errors import PacketBuildError
from .inputs import ColumnsLike, StatusesLike, column_groups, statuses_for, unsigned, unsigned_array, values_2d
from .list_encoder import MAX_MESSAGE_SIZE, EncodedLists, encode_lists
from .varints import pack_varints

VALID: int = open_data_pb2.DATA_STATUS_VALID

_START_TIME = b"\x11"  # field 2, 64-bit (PeriodicData and SynchroData)
_INTERVAL = b"\x18"  # PeriodicData field 3, varint
_TIMESTAMPS = b"\x12"  # RowData field 2, packed
_INTERVALS = b"\x1a"  # SynchroData field 3, packed
_COLUMN_TAG = 0x22  # PeriodicData/SynchroData field 4
_ROW_TAG = 0x1A  # RowData field 3


def periodic_packet(
    data_format: DataFormatLike,
    start_time: int,
    interval: int,
    columns: ColumnsLike,
    statuses: StatusesLike = VALID,
) -> bytes:
    """A serialized ``PeriodicDataPacket``: samples every ``interval`` ns from ``start_time`` ns.

    ``data_format`` is a data format id, a sequence of parameter identifiers, or None to leave
    it out. ``columns`` is a 2-D array ``[parameters, samples]`` or a sequence of equally long
    1-D arrays, of float64, int32, bool or strings (a sequence may mix them). ``statuses`` is
    one ``DataStatus`` for every sample, or per-sample statuses: broadcast to a 2-D
    ``columns``, or one entry (int or 1-D array) per column of a sequence.
    """
    prefix = data_format_field(data_format)
    prefix += _fixed64_field(_START_TIME, unsigned("start_time", start_time, 64))
    interval = unsigned("interval", interval, 32)
    if interval:
        prefix += _INTERVAL + varint(interval)
    groups, _ = column_groups(columns, statuses)
    return _assemble(prefix, [encode_lists(_COLUMN_TAG, *group) for group in groups])


def row_packet(
    data_format: DataFormatLike,
    timestamps: ArrayLike,
    rows: ArrayLike,
    statuses: StatusesLike = VALID,
) -> bytes:
    """A serialized ``RowDataPacket``: one row of samples per timestamp (ns).

    ``timestamps`` is a 1-D array of non-negative integers and ``rows`` a 2-D array
    ``[rows, parameters]`` of one of float64, int32, bool or strings; ``statuses`` is one
    ``DataStatus`` or per-sample statuses broadcast to ``rows``.
    """
    prefix = data_format_field(data_format)
    times = unsigned_array("timestamps", timestamps, 64)
    sample_type, values = values_2d("rows", rows)
    if len(times) != values.shape[0]:
        raise PacketBuildError(f"{len(times)} timestamps for {values.shape[0]} rows")
    if len(times):
        prefix += _TIMESTAMPS + varint(8 * len(times)) + times.astype("<u8").tobytes()
    lists = encode_lists(_ROW_TAG, sample_type, values, statuses_for(statuses, values.shape))
    return _assemble(prefix, [lists])


def synchro_packet(
    data_format: DataFormatLike,
    start_time: int,
    intervals: ArrayLike,
    columns: ColumnsLike,
    statuses: StatusesLike = VALID,
) -> bytes:
    """A serialized ``SynchroDataPacket``: samples at ``start_time`` and after each interval (ns).

    ``intervals`` is a 1-D array of uint32 gaps between consecutive samples, so each column has
    ``len(intervals) + 1`` samples. ``columns``, ``statuses`` and ``data_format`` are as for
    :func:`periodic_packet`.
    """
    prefix = data_format_field(data_format)
    prefix += _fixed64_field(_START_TIME, unsigned("start_time", start_time, 64))
    gaps = unsigned_array("intervals", intervals, 32)
    groups, samples = column_groups(columns, statuses)
    if samples is not None and samples != len(gaps) + 1:
        raise PacketBuildError(f"columns of {samples} samples need {samples - 1} intervals, got {len(gaps)}")
    if len(gaps):
        packed = pack_varints(gaps)
        prefix += _INTERVALS + varint(len(packed)) + packed.tobytes()
    return _assemble(prefix, [encode_lists(_COLUMN_TAG, *group) for group in groups])


def _fixed64_field(tag: bytes, value: int) -> bytes:
    return tag + value.to_bytes(8, "little") if value else b""


def _assemble(prefix: bytes, blocks: list[EncodedLists]) -> bytes:
    total = len(prefix) + sum(block.size for block in blocks)
    if total > MAX_MESSAGE_SIZE:
        raise PacketBuildError(f"packet of {total} bytes exceeds the 2 GiB protobuf message limit")
    out: NDArray[Any] = np.empty(total, dtype=np.uint8)
    out[: len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    position = len(prefix)
    for block in blocks:
        block.write(out, position)
        position += block.size
    return out.tobytes()
