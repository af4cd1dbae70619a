"""Sample records of varying layout (zero values, mixed statuses, varint widths) read with numpy.

A list body is a run of records ``0x0A <len> fields``. Where they start is sequential in
principle (each length gives the next start), so it is found the other way round: every
``0x0A`` byte whose record parses is a candidate, candidates whose successor is not a
candidate are dropped, and what is left must be one gap-free chain from the first byte to the
last, which is then exactly what a sequential parser reads. False candidates (a ``0x0A``
inside a value) almost never survive; when one does, or a record is not the plain
``[value field][status field]`` form, the caller falls back to the protobuf parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .sample_types import SampleType

_RECORD_TAG = 0x0A
_STATUS_TAG = 0x10
_VALUE_TAGS = {SampleType.DOUBLE: 0x09, SampleType.INT32: 0x08, SampleType.BOOL: 0x08}
_PADDING = 24  # bytes past the end that reads of a record's fields may touch
_PRUNE_ROUNDS = 4
_INT32_LOW = 2**31
_CONTINUATION = 0x8080_8080_8080_8080


@dataclass(frozen=True)
class ParsedRecords:
    """Values and statuses of consecutive records, and how many fall in each list."""

    values: NDArray[Any]
    statuses: NDArray[np.uint8]
    counts: NDArray[np.int64]


def parse_records(sample_type: SampleType, stream: NDArray[np.uint8], bounds: NDArray[np.int64]) -> ParsedRecords | None:
    """Records of numeric samples filling ``stream``, split at ``bounds`` (list boundaries, 0 first).

    None when the records cannot be told apart this way, or hold anything but one value and
    one status field each, or int32 values outside int32.
    """
    size = len(stream)
    if size == 0:
        empty = np.zeros(0, dtype=sample_type.dtype)
        return ParsedRecords(empty, np.zeros(0, np.uint8), np.zeros(len(bounds), np.int64))
    padded = np.zeros((size + _PADDING) // 8 * 8, dtype=np.uint8)  # whole 64-bit words
    padded[:size] = stream
    starts = np.flatnonzero(stream == _RECORD_TAG)
    lengths = padded[starts + 1].astype(np.int64)
    ends = starts + 2 + lengths
    plausible = (lengths < 0x80) & (ends <= size)
    layout = _layout(sample_type, padded, starts[plausible], lengths[plausible])
    starts, ends = starts[plausible][layout.valid], ends[plausible][layout.valid]
    chain = _chain(starts, ends, size)
    if chain is None:
        return None
    records = starts[chain]
    split = np.searchsorted(records, bounds)
    inside = np.minimum(split, len(records) - 1)
    if not ((bounds == size) | (records[inside] == bounds)).all():
        return None  # a record would straddle two lists
    counts = np.diff(np.append(split, len(records)))
    width = layout.value_width[layout.valid][chain]
    has_status = layout.has_status[layout.valid][chain]
    values = _values(sample_type, padded, records + 3, width)
    if values is None:
        return None
    statuses = np.where(has_status, padded[records + 3 + width + np.where(width > 0, 1, 0)], 0).astype(np.uint8)
    return ParsedRecords(values, statuses, counts)


@dataclass(frozen=True)
class _Layout:
    """Which candidates are well-formed records, and their value width (0: no value) and status."""

    valid: NDArray[np.bool_]
    value_width: NDArray[np.int64]
    has_status: NDArray[np.bool_]


def _layout(sample_type: SampleType, padded: NDArray[np.uint8], starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> _Layout:
    """Check each candidate is ``0x0A len [value field] [status field]`` (this order, status < 128)."""
    has_value = (lengths >= 2) & (padded[starts + 2] == _VALUE_TAGS[sample_type])
    if sample_type is SampleType.DOUBLE:
        value_width = np.where(has_value, 8, 0)
    else:
        value_width = np.zeros(len(starts), dtype=np.int64)
        value_width[has_value] = _varint_widths(padded, starts[has_value] + 3)
        if sample_type is SampleType.BOOL:
            has_value &= value_width == 1
            value_width[~has_value] = 0
    rest = lengths - np.where(has_value, value_width + 1, 0)
    status = starts + 2 + lengths - rest
    has_status = (rest == 2) & (padded[status] == _STATUS_TAG) & (padded[status + 1] < 0x80)
    return _Layout((rest == 0) | has_status, value_width, has_status)


def _varint_widths(padded: NDArray[np.uint8], at: NDArray[np.int64]) -> NDArray[np.int64]:
    """Length of the varint at each position (more than 10: not a valid varint)."""
    widths = _widths_in_word(_words_at(padded, at))
    long = widths > 8
    widths[long] = 8 + _widths_in_word(_words_at(padded, at[long] + 8))
    return widths


def _widths_in_word(words: NDArray[np.uint64]) -> NDArray[np.int64]:
    """1 + index of the first byte without continuation bit; 9 if all 8 bytes have one."""
    stops = ~words & np.uint64(_CONTINUATION)
    lowest = stops & (~stops + np.uint64(1))  # lowest set bit: bit 8k+7 of the first stop byte
    bit = (lowest.astype(np.float64).view(np.int64) >> 52) - 1023  # exponent of a power of two
    return np.where(stops == 0, 9, (bit + 1) >> 3)


def _words_at(padded: NDArray[np.uint8], at: NDArray[np.int64]) -> NDArray[np.uint64]:
    """The 8 bytes at each position as a little-endian integer, from two aligned words."""
    words = padded.view("<u8")
    index = at >> 3
    shift = ((at & 7) * 8).astype(np.uint64)
    joined: NDArray[np.uint64] = (words[index] >> shift) | (words[index + 1] << (np.uint64(64) - shift))
    return joined  # (a shift by 64 gives 0)


def _chain(starts: NDArray[np.int64], ends: NDArray[np.int64], stop: int) -> NDArray[np.bool_] | None:
    """Which candidates (sorted by start) a sequential parse of ``[0, stop)`` reads, or None."""
    keep = np.ones(len(starts), dtype=np.bool_)
    if len(starts) and starts[0] == 0 and ends[-1] == stop and (ends[:-1] == starts[1:]).all():
        return keep  # no false candidates: the usual case
    for _ in range(_PRUNE_ROUNDS):
        kept = starts[keep]
        if len(kept) == 0:
            return None
        found = np.searchsorted(kept, ends)
        linked = (ends == stop) | (kept[np.minimum(found, len(kept) - 1)] == ends)
        pruned = keep & linked
        if (pruned == keep).all():
            break
        keep = pruned
    else:
        return None
    kept, kept_ends = starts[keep], ends[keep]
    if len(kept) == 0 or kept[0] != 0 or kept_ends[-1] != stop or (kept_ends[:-1] != kept[1:]).any():
        return None
    return keep


def _values(
    sample_type: SampleType, padded: NDArray[np.uint8], at: NDArray[np.int64], width: NDArray[np.int64]
) -> NDArray[Any] | None:
    """Values whose bytes start at ``at`` (``width`` 0: the field is absent, the value default)."""
    word = _words_at(padded, at)
    word[width == 0] = 0
    if sample_type is SampleType.DOUBLE:
        doubles: NDArray[np.float64] = word.view(np.float64)
        return doubles
    if sample_type is SampleType.BOOL:  # one-byte varints only
        flags: NDArray[np.bool_] = (word & np.uint64(0x7F)) != 0
        return flags
    # int32: the low 35 bits of up to 5 varint bytes; 10-byte varints must be sign extensions
    groups = word & (np.uint64(1) << (np.minimum(width, 5) * 8).astype(np.uint64)) - np.uint64(1)
    number = np.zeros(len(at), dtype=np.uint64)
    for position in range(5):
        number |= (groups >> np.uint64(position)) & np.uint64(0x7F << (7 * position))
    short = width <= 5
    negative = (width == 10) & (number >> np.uint64(31) == 15)
    if negative.any():
        upper = _words_at(padded, at[negative] + 5) & np.uint64(0xFF_FFFF_FFFF)
        negative[negative] = upper == 0x01_FFFF_FFFF
    if not ((short & (number < _INT32_LOW)) | negative).all():
        return None  # beyond int32 or unusual encodings: left to protobuf
    return (number.astype(np.int64) - np.where(negative, 2**35, 0)).astype(np.int32)
