"""Sample lists (the columns or rows of a packet) serialized with numpy.

Every sample is a length-delimited record ``0x0A <len> [value field] [status field]`` whose
fields are left out when they hold their default (proto3). Records are laid out as fixed
*slots* (a field's bytes, written where the field is present):

* when each slot is present in every sample or in none (the usual case: non-zero values, one
  status), all records have one layout; every list then has the same size and header, and
  each slot is written with one strided assignment straight into the output;
* otherwise records are written at full width into a scratch matrix together with a mask of
  the bytes in use, and the mask compacts them (``matrix[mask]``) into the exact encoding.

Strings go through a plain per-sample path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Union

import numpy as np
from numpy.typing import NDArray

from ..wire import varint
from .errors import PacketBuildError
from .sample_types import SampleType
from .varints import int32_varint_columns, varint_columns, varint_sizes

#: Largest serialized message protobuf handles.
MAX_MESSAGE_SIZE = 2**31 - 1

_RECORD_TAG = 0x0A  # XSampleList.samples: field 1, length-delimited
_DOUBLE_TAG = 0x09  # DoubleSample.value: field 1, 64-bit
_VARINT_TAG = 0x08  # Int32Sample.value / BoolSample.value: field 1, varint
_STATUS_TAG = 0x10  # *Sample.status: field 2, varint
_STRING_TAG = 0x0A  # StringSample.value: field 1, length-delimited
_HEADER_WIDTH = 1 + 5 + 1 + 5  # outer tag, column length, list tag, list length
_PYTHON_HEADERS = 32  # up to this many lists, headers are cheaper made one by one

_U1 = np.dtype(np.uint8)
_F8 = np.dtype("<f8")

Statuses = Union[NDArray[np.uint8], int]
"""One status for every sample, or one per sample (same shape as the values)."""


class EncodedLists(Protocol):
    """Serialized sample lists of known size, ready to be copied into a packet."""

    @property
    def size(self) -> int:
        """Bytes written by :meth:`write`."""

    def write(self, out: NDArray[np.uint8], start: int) -> None:
        """Write the lists into ``out[start:start + size]``."""


@dataclass(frozen=True)
class _Slot:
    """One field of a record: its bytes for every sample, and where it is present."""

    dtype: np.dtype[np.generic]
    data: NDArray[np.generic] | int
    present: NDArray[np.bool_] | bool


@dataclass(frozen=True)
class _BytesLists:
    """Lists already serialized."""

    data: NDArray[np.uint8]

    @property
    def size(self) -> int:
        return len(self.data)

    def write(self, out: NDArray[np.uint8], start: int) -> None:
        out[start : start + len(self.data)] = self.data


@dataclass(frozen=True)
class _UniformLists:
    """Lists of records of one layout: the same header, then ``samples`` records, per list."""

    header: bytes
    record_size: int
    slots: tuple[_Slot, ...]
    shape: tuple[int, int]

    @property
    def size(self) -> int:
        lists, samples = self.shape
        return lists * (len(self.header) + samples * self.record_size)

    def write(self, out: NDArray[np.uint8], start: int) -> None:
        lists, samples = self.shape
        if lists == 0:
            return
        header = len(self.header)
        stride = header + samples * self.record_size
        _view(out, start, (lists, header), (stride, 1), _U1)[...] = np.frombuffer(self.header, np.uint8)
        if samples == 0:
            return
        offset = start + header
        strides = (stride, self.record_size)
        for slot in self.slots:
            _view(out, offset, (lists, samples), strides, slot.dtype)[...] = slot.data
            offset += slot.dtype.itemsize


def _view(
    buffer: NDArray[np.generic], offset: int, shape: tuple[int, ...], strides: tuple[int, ...], dtype: np.dtype[np.generic]
) -> NDArray[np.generic]:
    """A strided (possibly unaligned) view of ``dtype`` items into a contiguous byte buffer."""
    return np.ndarray(shape, dtype=dtype, buffer=buffer, offset=offset, strides=strides)


def _settled(present: NDArray[np.bool_]) -> NDArray[np.bool_] | bool:
    """``present`` as a plain bool when it is the same for every sample."""
    if present.size == 0 or present.all():
        return True
    if not present.any():
        return False
    return present


def _value_slots(sample_type: SampleType, values: NDArray[np.generic]) -> list[_Slot]:
    if sample_type is SampleType.DOUBLE:
        doubles = np.ascontiguousarray(values, dtype=_F8)
        present = _settled(doubles.view(np.uint64) != 0)  # -0.0 is written, +0.0 is not
        return [_Slot(_U1, _DOUBLE_TAG, present), _Slot(_F8, doubles, present)]
    if sample_type is SampleType.BOOL:
        present = _settled(np.asarray(values, dtype=np.bool_))
        return [_Slot(_U1, _VARINT_TAG, present), _Slot(_U1, 1, present)]
    # int32: negative values are sign-extended to 64 bits, hence 10-byte varints
    integers = np.ascontiguousarray(values, dtype=np.int32)
    nonzero = integers != 0
    slots = [_Slot(_U1, _VARINT_TAG, _settled(nonzero))]
    for data, used in int32_varint_columns(integers):
        slots.append(_Slot(_U1, data, _settled(used & nonzero)))
    return slots


def _status_slots(statuses: Statuses) -> list[_Slot]:
    if isinstance(statuses, int):
        return [_Slot(_U1, _STATUS_TAG, statuses != 0), _Slot(_U1, statuses, statuses != 0)]
    present = _settled(statuses != 0)
    return [_Slot(_U1, _STATUS_TAG, present), _Slot(_U1, statuses, present)]


def encode_lists(outer_tag: int, sample_type: SampleType, values: NDArray[np.generic], statuses: Statuses) -> EncodedLists:
    """Serialize the lists of a 2-D ``values`` array ``[lists, samples]``, each as one field.

    ``outer_tag`` is the packet field holding each list (columns or rows); ``statuses`` are
    validated statuses in 0..127.
    """
    if sample_type is SampleType.STRING:
        return _string_lists(outer_tag, values, statuses)
    lists, samples = values.shape
    slots = _value_slots(sample_type, values) + _status_slots(statuses)
    slots = [slot for slot in slots if slot.present is not False]
    record_max = 2 + sum(slot.dtype.itemsize for slot in slots)
    if samples * record_max > MAX_MESSAGE_SIZE:
        raise PacketBuildError(f"{samples} samples per list exceed the 2 GiB protobuf message limit")
    list_tag = (sample_type.value << 3) | 2
    if all(isinstance(slot.present, bool) for slot in slots):
        record_size = record_max
        list_size = samples * record_size
        column = bytes((list_tag,)) + varint(list_size)
        header = bytes((outer_tag,)) + varint(len(column) + list_size) + column
        framing = (_Slot(_U1, _RECORD_TAG, True), _Slot(_U1, record_size - 2, True))
        return _UniformLists(header, record_size, framing + tuple(slots), (lists, samples))
    return _BytesLists(_compacted(outer_tag, list_tag, slots, record_max, lists, samples))


def _compacted(
    outer_tag: int, list_tag: int, slots: list[_Slot], record_max: int, lists: int, samples: int
) -> NDArray[np.uint8]:
    """Lists with records of varying layout: full-width matrix, then keep the bytes in use."""
    content = np.zeros((lists, samples), dtype=np.uint8)
    constant = 0
    for slot in slots:
        if isinstance(slot.present, bool):
            constant += slot.dtype.itemsize
        else:
            content += slot.present.view(np.uint8) * np.uint8(slot.dtype.itemsize)
    content += np.uint8(constant)
    list_sizes = content.sum(axis=1, dtype=np.uint64) + np.uint64(2 * samples)

    width = _HEADER_WIDTH + samples * record_max
    matrix = np.empty((lists, width), dtype=np.uint8)
    mask = np.zeros((lists, width), dtype=np.bool_)
    matrix[:, :_HEADER_WIDTH], mask[:, :_HEADER_WIDTH] = _headers(outer_tag, list_tag, list_sizes)
    strides = (width, record_max)
    offset = _HEADER_WIDTH
    for slot in [_Slot(_U1, _RECORD_TAG, True), _Slot(_U1, content, True)] + slots:
        size = slot.dtype.itemsize
        _view(matrix, offset, (lists, samples), strides, slot.dtype)[...] = slot.data
        present = slot.present if isinstance(slot.present, bool) else slot.present[..., None]
        _view(mask, offset, (lists, samples, size), strides + (1,), mask.dtype)[...] = present
        offset += size
    return matrix[mask]


def _headers(outer_tag: int, list_tag: int, list_sizes: NDArray[np.uint64]) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """Header bytes ``[lists, 12]`` (outer tag, column size, list tag, list size) and their mask."""
    data = np.zeros((len(list_sizes), _HEADER_WIDTH), dtype=np.uint8)
    used = np.zeros((len(list_sizes), _HEADER_WIDTH), dtype=np.bool_)
    if len(list_sizes) <= _PYTHON_HEADERS:  # fewer numpy calls on tiny arrays
        for index, list_size in enumerate(list_sizes.tolist()):
            inner = bytes((list_tag,)) + varint(list_size)
            header = bytes((outer_tag,)) + varint(len(inner) + list_size) + inner
            data[index, : len(header)] = np.frombuffer(header, dtype=np.uint8)
            used[index, : len(header)] = True
        return data, used
    column_sizes = list_sizes + varint_sizes(list_sizes) + np.uint64(1)
    data[:, 0] = outer_tag
    data[:, 6] = list_tag
    data[:, 1:6], used[:, 1:6] = varint_columns(column_sizes, 5)
    data[:, 7:12], used[:, 7:12] = varint_columns(list_sizes, 5)
    used[:, [0, 6]] = True
    return data, used


def _string_lists(outer_tag: int, values: NDArray[np.generic], statuses: Statuses) -> _BytesLists:
    """String lists, one sample at a time."""
    status_rows = None if isinstance(statuses, int) else statuses.tolist()
    prefix = bytes((outer_tag,))
    list_tag = bytes(((SampleType.STRING.value << 3) | 2,))
    parts = []
    for index, row in enumerate(values.tolist()):
        row_statuses = [statuses] * len(row) if status_rows is None else status_rows[index]
        records = []
        for value, status in zip(row, row_statuses):
            if not isinstance(value, str):
                raise PacketBuildError(f"string samples must be str, got {type(value).__name__}")
            try:
                encoded = value.encode()
            except UnicodeEncodeError as error:
                raise PacketBuildError(f"string sample is not valid text: {error}") from None
            sample = bytes((_STRING_TAG,)) + varint(len(encoded)) + encoded if encoded else b""
            if status:
                sample += bytes((_STATUS_TAG, status))
            records.append(bytes((_RECORD_TAG,)) + varint(len(sample)) + sample)
        body = b"".join(records)
        column = list_tag + varint(len(body)) + body
        parts.append(prefix + varint(len(column)) + column)
    return _BytesLists(np.frombuffer(b"".join(parts), dtype=np.uint8))
