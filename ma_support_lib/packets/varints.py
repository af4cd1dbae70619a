"""Base-128 varints, one at a time and vectorized over numpy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import PacketDecodeError

_SHIFTS = np.arange(0, 70, 7, dtype=np.uint64)
_THRESHOLDS = np.uint64(1) << _SHIFTS[1:]


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``data[pos]`` and the position after it."""
    result = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise PacketDecodeError(f"truncated varint at byte {pos}")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & 0xFFFF_FFFF_FFFF_FFFF, pos
    raise PacketDecodeError(f"varint longer than 10 bytes before byte {pos}")


def varint_sizes(values: NDArray[np.uint64]) -> NDArray[np.uint8]:
    """Encoded length in bytes (1 to 10) of each value."""
    return (np.searchsorted(_THRESHOLDS, values, side="right") + 1).astype(np.uint8)


def varint_columns(values: NDArray[np.uint64], width: int) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """Bytes ``[..., width]`` of each value's varint, and which of them belong to it.

    ``width`` must cover the longest varint of ``values``.
    """
    sizes = varint_sizes(values)
    data = np.empty(values.shape + (width,), dtype=np.uint8)
    used = np.empty(values.shape + (width,), dtype=np.bool_)
    for position in range(width):
        data[..., position] = _group(values, position, sizes)
        used[..., position] = sizes > position
    return data, used


def int32_varint_columns(values: NDArray[np.int32]) -> list[tuple[NDArray[np.uint8] | int, NDArray[np.bool_]]]:
    """Byte columns of int32 varints (negative values take 10 bytes), with where each is used.

    Cheaper than :func:`varint_columns`: bytes 5 to 9 only occur, constant, for negative values.
    """
    negative = values < 0
    sizes = np.ones(values.shape, dtype=np.uint8)
    for threshold in (1 << 7, 1 << 14, 1 << 21, 1 << 28):
        sizes += (values >= threshold).view(np.uint8)
    sizes[negative] = 10
    bits = values.view(np.uint32)
    columns: list[tuple[NDArray[np.uint8] | int, NDArray[np.bool_]]] = []
    for position in range(5):
        group = _group(bits, position, sizes)
        if position == 4:
            group |= negative.view(np.uint8) * np.uint8(0x70)  # sign extension of bits 32..34
        columns.append((group, sizes > position))
    if negative.any():
        columns += [(0xFF, negative)] * 4 + [(0x01, negative)]
    return columns


def _group(values: NDArray[np.unsignedinteger[Any]], position: int, sizes: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Byte ``position`` of varints: 7 value bits, plus the continuation bit when more follow."""
    group = (values >> values.dtype.type(7 * position)).astype(np.uint8)
    group &= 0x7F
    group |= (sizes > position + 1).view(np.uint8) << np.uint8(7)
    return group


def pack_varints(values: NDArray[np.uint64]) -> NDArray[np.uint8]:
    """The varints of a 1-D array, back to back (a packed repeated field's content)."""
    width = int(varint_sizes(values).max()) if len(values) else 1
    data, present = varint_columns(values, width)
    return data[present]


def unpack_varints(data: NDArray[np.uint8], max_size: int) -> NDArray[np.uint64] | None:
    """Values of back-to-back varints of at most ``max_size`` bytes; None if the bytes are not that."""
    if len(data) == 0:
        return np.zeros(0, dtype=np.uint64)
    ends = np.flatnonzero(data < 0x80)
    if len(ends) == 0 or ends[-1] != len(data) - 1:
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    sizes = ends - starts + 1
    if sizes.max() > max_size:
        return None
    values = np.zeros(len(ends), dtype=np.uint64)
    for position in range(int(sizes.max())):
        used = sizes > position
        groups = data[starts[used] + position].astype(np.uint64) & np.uint64(0x7F)
        values[used] |= groups << _SHIFTS[position]
    return values
