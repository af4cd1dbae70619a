"""Sample lists (the columns or rows of a packet) decoded into numpy arrays.

Fast path: when consecutive lists share one header and all their records one byte layout
(the usual case), the region is viewed as a ``[lists, samples, record]`` byte array, every
tag, length and varint continuation bit is checked against the first record, and the values
are read out of their byte columns. Otherwise the records of each run of lists of one type
are located and read by :mod:`.record_parser`, and what even that cannot read (strings,
unusual encodings) by the protobuf parser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError
from numpy.typing import NDArray

from ..protos import open_data_pb2
from .errors import PacketDecodeError
from .sample_types import LIST_TAGS, SampleType
from .record_parser import ParsedRecords, parse_records
from .varints import read_varint

_RECORD_TAG = 0x0A
_STATUS_TAG = 0x10
_VALUE_TAGS = {SampleType.DOUBLE: 0x09, SampleType.INT32: 0x08, SampleType.BOOL: 0x08}
_INT32_LOW = 2**31  # varints below this, or at least 2**64 - this, are exact int32 values
_LIST_MESSAGES: dict[SampleType, Any] = {
    SampleType.DOUBLE: open_data_pb2.DoubleSampleList,
    SampleType.INT32: open_data_pb2.Int32SampleList,
    SampleType.BOOL: open_data_pb2.BoolSampleList,
    SampleType.STRING: open_data_pb2.StringSampleList,
}


@dataclass(frozen=True)
class DecodedLists:
    """Consecutive lists of one sample type and length: values and statuses ``[lists, samples]``."""

    sample_type: SampleType
    values: NDArray[Any]
    statuses: NDArray[np.uint8]


def decode_lists(data: bytes, start: int, end: int, outer_tag: int) -> list[DecodedLists] | None:
    """The lists that fill ``data[start:end]``, each a length-delimited field ``outer_tag``.

    None when the region holds anything else (other fields, columns with extra content): the
    caller then parses the whole packet with protobuf. Raises :class:`PacketDecodeError` when
    a list's samples are malformed.
    """
    array = np.frombuffer(data, dtype=np.uint8)
    header = _list_header(data, start, end, outer_tag)
    if header is None:
        return [] if start == end else None
    sample_type, body_start, body_end = header
    size = body_end - start
    if (end - start) % size == 0:
        block = array[start:end].reshape(-1, size)
        head = body_start - start
        if len(block) == 1 or (block[:, :head] == block[0, :head]).all():
            decoded = decode_records(sample_type, block[:, head:])
            if decoded is not None:
                return [decoded]
    spans = []
    position = start
    while position < end:
        header = _list_header(data, position, end, outer_tag)
        if header is None:
            return None
        spans.append(header)
        position = header[2]
    lists: list[DecodedLists] = []
    for sample_type, run in groupby(spans, key=lambda span: span[0]):
        lists += _decode_run(data, array, sample_type, [(body_start, body_end) for _, body_start, body_end in run])
    return lists


def _decode_run(
    data: bytes, array: NDArray[np.uint8], sample_type: SampleType, bodies: list[tuple[int, int]]
) -> list[DecodedLists]:
    """Consecutive lists of one sample type whose records vary in layout."""
    if sample_type is not SampleType.STRING:
        sizes = np.array([body_end - body_start for body_start, body_end in bodies], dtype=np.int64)
        stream = np.concatenate([array[body_start:body_end] for body_start, body_end in bodies])
        bounds = np.cumsum(sizes) - sizes
        parsed = parse_records(sample_type, stream, bounds)
        if parsed is not None:
            return _split(sample_type, parsed)
        if len(bodies) > 1:
            return [block for body in bodies for block in _decode_run(data, array, sample_type, [body])]
    return [parse_list(sample_type, data[body_start:body_end]) for body_start, body_end in bodies]


def _split(sample_type: SampleType, parsed: ParsedRecords) -> list[DecodedLists]:
    counts = parsed.counts
    if (counts == counts[0]).all():
        shape = (len(counts), int(counts[0]))
        return [DecodedLists(sample_type, parsed.values.reshape(shape), parsed.statuses.reshape(shape))]
    cuts = np.cumsum(counts)[:-1]
    values, statuses = np.split(parsed.values, cuts), np.split(parsed.statuses, cuts)
    return [DecodedLists(sample_type, v.reshape(1, -1), s.reshape(1, -1)) for v, s in zip(values, statuses)]


def _list_header(data: bytes, position: int, end: int, outer_tag: int) -> tuple[SampleType, int, int] | None:
    """Sample type and body bounds of a column/row holding exactly one sample list."""
    if position >= end or data[position] != outer_tag:
        return None
    try:
        column_size, body = read_varint(data, position + 1)
        column_end = body + column_size
        if column_size == 0 or column_end > end:
            return None
        sample_type = LIST_TAGS.get(data[body])
        list_size, list_start = read_varint(data, body + 1)
    except PacketDecodeError:
        return None
    if sample_type is None or list_start + list_size != column_end:
        return None
    return sample_type, list_start, column_end


def decode_records(sample_type: SampleType, records: NDArray[np.uint8]) -> DecodedLists | None:
    """Samples of lists ``[lists, bytes]`` whose records all share the first one's layout, else None."""
    lists, size = records.shape
    if size == 0:
        return DecodedLists(sample_type, np.zeros((lists, 0), sample_type.dtype), np.zeros((lists, 0), np.uint8))
    if sample_type is SampleType.STRING or records[0, 0] != _RECORD_TAG or records[0, 1] >= 0x80:
        return None
    record_size = 2 + int(records[0, 1])
    if size % record_size:
        return None
    layout = _layout(sample_type, bytes(records[0, :record_size]))
    if layout is None:
        return None
    grid = records.reshape(lists, size // record_size, record_size)
    expected = np.frombuffer(bytes(records[0, :record_size]), dtype=np.uint8)
    fixed = [0, 1] + [offset - 1 for offset, _ in layout.values()]
    if not (grid[:, :, fixed] == expected[fixed]).all():
        return None
    for name, (offset, width) in layout.items():
        if name == "value" and sample_type is SampleType.DOUBLE:
            continue
        groups = grid[:, :, offset : offset + width] & 0x80
        if not (groups == (expected[offset : offset + width] & 0x80)).all():
            return None
    values = _values(sample_type, grid, layout.get("value"))
    if values is None:
        return None
    if "status" in layout:
        offset, width = layout["status"]
        if width != 1:
            return None
        statuses = grid[:, :, offset].copy()
    else:
        statuses = np.zeros(grid.shape[:2], dtype=np.uint8)
    return DecodedLists(sample_type, values, statuses)


def _layout(sample_type: SampleType, record: bytes) -> dict[str, tuple[int, int]] | None:
    """Offset and width of each field present in a record (``0x0A <len> fields``)."""
    layout: dict[str, tuple[int, int]] = {}
    position = 2
    while position < len(record):
        tag = record[position]
        name = "value" if tag == _VALUE_TAGS[sample_type] else "status" if tag == _STATUS_TAG else None
        if name is None or name in layout:
            return None
        if name == "value" and sample_type is SampleType.DOUBLE:
            width = 8
        else:
            width = 1
            while position + width < len(record) and record[position + width] & 0x80:
                width += 1
            if width > 10:
                return None
        layout[name] = (position + 1, width)
        position += 1 + width
    return layout if position == len(record) else None


def _values(sample_type: SampleType, grid: NDArray[np.uint8], field: tuple[int, int] | None) -> NDArray[Any] | None:
    shape = grid.shape[:2]
    if field is None:
        return np.zeros(shape, dtype=sample_type.dtype)
    offset, width = field
    if sample_type is SampleType.DOUBLE:
        return grid[:, :, offset : offset + 8].view("<f8")[:, :, 0].astype(np.float64)
    if sample_type is SampleType.BOOL:
        return grid[:, :, offset] != 0 if width == 1 else None
    if width == 10 and (grid[:, :, offset + 9] > 1).any():
        return None
    number = np.zeros(shape, dtype=np.uint64)
    for position in range(width):
        number |= (grid[:, :, offset + position] & np.uint8(0x7F)).astype(np.uint64) << np.uint64(7 * position)
    if not ((number < _INT32_LOW) | (number >= np.uint64(2**64 - _INT32_LOW))).all():
        return None
    return number.view(np.int64).astype(np.int32)


def parse_list(sample_type: SampleType, body: bytes) -> DecodedLists:
    """One sample list parsed by protobuf, whatever its encoding."""
    try:
        message = _LIST_MESSAGES[sample_type].FromString(body)
    except DecodeError as error:
        raise PacketDecodeError(f"malformed {sample_type.name.lower()} samples: {error}") from None
    return lists_from_samples(sample_type, message.samples)


def lists_from_samples(sample_type: SampleType, samples: Sequence[Any]) -> DecodedLists:
    """One list from parsed ``*Sample`` messages."""
    values = np.array([sample.value for sample in samples], dtype=sample_type.dtype)
    return DecodedLists(sample_type, values.reshape(1, -1), statuses_array([sample.status for sample in samples]))


def statuses_array(statuses: list[int]) -> NDArray[np.uint8]:
    """``[1, n]`` uint8 statuses, refusing values uint8 cannot hold."""
    if statuses and not 0 <= min(statuses) <= max(statuses) <= 255:
        raise PacketDecodeError(f"status values {min(statuses)}..{max(statuses)} do not fit uint8")
    return np.array(statuses, dtype=np.uint8).reshape(1, -1)
