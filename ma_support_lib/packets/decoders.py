"""PeriodicData, RowData and SynchroData packets decoded into :class:`SampleData`.

Canonical encodings (what ``SerializeToString()`` writes: fields in order, each once, packed
repeated fields) are read directly with numpy (see :mod:`.list_decoder`); anything else is
handed to the protobuf parser, so every valid packet decodes to exactly its values.

:class:`PacketDecodeError` is raised for bytes that are not a valid packet, and for packets
numpy arrays cannot hold as they are: lists of different lengths, counts of timestamps and
samples that disagree, timestamps beyond int64, statuses beyond uint8, an empty column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from google.protobuf.message import DecodeError, Message
from numpy.typing import NDArray

from ..protos import open_data_pb2
from .data_format import DataFormat, data_format_of, parse_data_format
from .envelope import SampleDataPacketType, unwrap_packet
from .errors import PacketDecodeError
from .list_decoder import DecodedLists, decode_lists, lists_from_samples
from .sample_data import SampleData
from .sample_types import SampleType
from .varints import read_varint, unpack_varints

_INT64_MAX = 2**63 - 1
_COLUMN_TAG = 0x22
_ROW_TAG = 0x1A
_LIST_FIELDS = {"double_samples": SampleType.DOUBLE, "int32_samples": SampleType.INT32,
                "bool_samples": SampleType.BOOL, "string_samples": SampleType.STRING}  # fmt: skip


def decode_periodic(content: bytes) -> SampleData:
    """Decode a serialized ``PeriodicDataPacket``."""
    fields = _canonical(content, _periodic_prefix, _COLUMN_TAG) or _parsed_periodic(content)
    data_format, (start_time, interval), lists = fields
    values, statuses = _columns(lists)
    count = len(values[0]) if values else 0
    if count and start_time + (count - 1) * interval > _INT64_MAX:
        raise PacketDecodeError("timestamps beyond the int64 nanosecond range")
    timestamps = start_time + np.arange(count, dtype=np.int64) * np.int64(interval)
    return SampleData("PeriodicData", data_format, timestamps, values, statuses, interval)


def decode_rows(content: bytes) -> SampleData:
    """Decode a serialized ``RowDataPacket``; values and statuses come per parameter (column)."""
    fields = _canonical(content, _rows_prefix, _ROW_TAG) or _parsed_rows(content)
    data_format, times, lists = fields
    if len(times) and int(times.max()) > _INT64_MAX:
        raise PacketDecodeError("timestamps beyond the int64 nanosecond range")
    rows = sum(len(block.values) for block in lists)
    if rows != len(times):
        raise PacketDecodeError(f"{len(times)} timestamps for {rows} rows")
    values, statuses = _transposed(lists)
    return SampleData("RowData", data_format, times.astype(np.int64), values, statuses)


def decode_synchro(content: bytes) -> SampleData:
    """Decode a serialized ``SynchroDataPacket``."""
    fields = _canonical(content, _synchro_prefix, _COLUMN_TAG) or _parsed_synchro(content)
    data_format, (start_time, gaps), lists = fields
    values, statuses = _columns(lists)
    offsets = np.zeros(len(gaps) + 1, dtype=np.int64)
    np.cumsum(gaps, out=offsets[1:])
    if start_time + int(offsets[-1]) > _INT64_MAX:
        raise PacketDecodeError("timestamps beyond the int64 nanosecond range")
    for index, column in enumerate(values):
        if len(column) != len(offsets):
            raise PacketDecodeError(f"column {index} has {len(column)} samples for {len(gaps)} intervals")
    return SampleData("SynchroData", data_format, start_time + offsets, values, statuses)


_DECODERS: dict[SampleDataPacketType, Callable[[bytes], SampleData]] = {
    "PeriodicData": decode_periodic,
    "RowData": decode_rows,
    "SynchroData": decode_synchro,
}


def decode_content(packet_type: SampleDataPacketType, content: bytes) -> SampleData:
    """Decode the content of a packet of type ``PeriodicData``, ``RowData`` or ``SynchroData``."""
    try:
        decoder = _DECODERS[packet_type]
    except KeyError:
        raise PacketDecodeError(f"packet type {packet_type!r} carries no samples") from None
    return decoder(content)


def decode_packet(packet: bytes) -> SampleData:
    """Decode a serialized ``Packet`` envelope holding a sample packet."""
    return decode_content(*unwrap_packet(packet))


# --- canonical encodings, read directly -------------------------------------------------

_Extra = TypeVar("_Extra")
_Fields = tuple[DataFormat, _Extra, list[DecodedLists]]


class _Cursor:
    """Reads the leading fields of a message, one expected tag at a time."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def at(self, tag: int) -> bool:
        """Whether the next field has ``tag`` (and then steps over it)."""
        if self.position < len(self.data) and self.data[self.position] == tag:
            self.position += 1
            return True
        return False

    def varint(self) -> int:
        value, self.position = read_varint(self.data, self.position)
        return value

    def fixed64(self) -> int:
        end = self.position + 8
        if end > len(self.data):
            raise PacketDecodeError("truncated fixed64")
        value = int.from_bytes(self.data[self.position : end], "little")
        self.position = end
        return value

    def delimited(self) -> tuple[int, int]:
        size = self.varint()
        start, self.position = self.position, self.position + size
        if self.position > len(self.data):
            raise PacketDecodeError("truncated field")
        return start, self.position

    def data_format(self) -> DataFormat:
        if not self.at(0x0A):
            return None
        start, end = self.delimited()
        return parse_data_format(self.data[start:end])


def _canonical(
    content: bytes, prefix: Callable[[_Cursor], _Extra | None], list_tag: int
) -> _Fields[_Extra] | None:
    """Fields of a canonically encoded packet, or None to let protobuf parse it."""
    cursor = _Cursor(content)
    try:
        data_format = cursor.data_format()
        extra = prefix(cursor)
        if extra is None:
            return None
        lists = decode_lists(content, cursor.position, len(content), list_tag)
    except PacketDecodeError:
        return None
    return None if lists is None else (data_format, extra, lists)


def _periodic_prefix(cursor: _Cursor) -> tuple[int, int] | None:
    start_time = cursor.fixed64() if cursor.at(0x11) else 0
    interval = cursor.varint() if cursor.at(0x18) else 0
    return None if interval >= 2**32 else (start_time, interval)


def _rows_prefix(cursor: _Cursor) -> NDArray[np.uint64] | None:
    if not cursor.at(0x12):
        return np.zeros(0, dtype=np.uint64)
    start, end = cursor.delimited()
    if (end - start) % 8:
        return None
    return np.frombuffer(cursor.data, dtype="<u8", count=(end - start) // 8, offset=start).astype(np.uint64)


def _synchro_prefix(cursor: _Cursor) -> tuple[int, NDArray[np.uint64]] | None:
    start_time = cursor.fixed64() if cursor.at(0x11) else 0
    if not cursor.at(0x1A):
        return start_time, np.zeros(0, dtype=np.uint64)
    start, end = cursor.delimited()
    gaps = unpack_varints(np.frombuffer(cursor.data, dtype=np.uint8, count=end - start, offset=start), 5)
    if gaps is None or (len(gaps) and int(gaps.max()) >= 2**32):
        return None
    return start_time, gaps


# --- anything else, through the protobuf parser -------------------------------------------


_M = TypeVar("_M", bound=Message)


def _parse(message_type: type[_M], content: bytes) -> _M:
    try:
        return message_type.FromString(content)
    except DecodeError as error:
        raise PacketDecodeError(f"malformed {message_type.__name__}: {error}") from None


def _format(message: Any) -> DataFormat:
    return data_format_of(message.data_format) if message.HasField("data_format") else None


def _parsed_lists(lists: Any, kind: str) -> list[DecodedLists]:
    decoded = []
    for index, item in enumerate(lists):
        which = item.WhichOneof("list")
        if which is None:
            raise PacketDecodeError(f"{kind} {index} holds no sample list")
        decoded.append(lists_from_samples(_LIST_FIELDS[which], getattr(item, which).samples))
    return decoded


def _parsed_periodic(content: bytes) -> _Fields[tuple[int, int]]:
    message = _parse(open_data_pb2.PeriodicDataPacket, content)
    extra = (int(message.start_time), int(message.interval))
    return _format(message), extra, _parsed_lists(message.columns, "column")


def _parsed_rows(content: bytes) -> _Fields[NDArray[np.uint64]]:
    message = _parse(open_data_pb2.RowDataPacket, content)
    times = np.array(message.timestamps, dtype=np.uint64)
    return _format(message), times, _parsed_lists(message.rows, "row")


def _parsed_synchro(content: bytes) -> _Fields[tuple[int, NDArray[np.uint64]]]:
    message = _parse(open_data_pb2.SynchroDataPacket, content)
    extra = (int(message.start_time), np.array(message.intervals, dtype=np.uint64))
    return _format(message), extra, _parsed_lists(message.columns, "column")


# --- per-parameter arrays -------------------------------------------------------------------

_PerParameter = tuple[tuple[NDArray[Any], ...], tuple[NDArray[np.uint8], ...]]


def _columns(lists: list[DecodedLists]) -> _PerParameter:
    """Columns are parameters: one array per list."""
    values = tuple(row for block in lists for row in block.values)
    statuses = tuple(row for block in lists for row in block.statuses)
    lengths = sorted({len(column) for column in values})
    if len(lengths) > 1:
        raise PacketDecodeError(f"columns have different lengths {lengths}")
    return values, statuses


def _transposed(lists: list[DecodedLists]) -> _PerParameter:
    """Rows hold one sample of each parameter: one array per position in the rows."""
    if not lists:
        return (), ()
    widths = sorted({block.values.shape[1] for block in lists})
    if len(widths) > 1:
        raise PacketDecodeError(f"rows have different lengths {widths}")
    mixed = len({block.sample_type for block in lists}) > 1
    values = np.concatenate([block.values.astype(object) if mixed else block.values for block in lists])
    statuses = np.concatenate([block.statuses for block in lists])
    return tuple(np.ascontiguousarray(values.T)), tuple(np.ascontiguousarray(statuses.T))
