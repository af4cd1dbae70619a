"""The numpy builders write exactly the bytes of the protobuf API's SerializeToString()."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ma_support_lib.packets import VALID, periodic_packet, row_packet, synchro_packet, wrap_packet
from ma_support_lib.protos import open_data_pb2 as od

from . import reference
from .generators import KINDS, column, data_format, pick, statuses, uniform_column

SIZES = [0, 1, 2, 9, 10, 11, 127, 128, 1500]


def _status_argument(rng: np.random.Generator, count: int, size: int) -> tuple[Any, list[np.ndarray]]:
    """A statuses argument in one of its accepted forms, and the per-column statuses it means."""
    form = int(rng.integers(4))
    if form == 0:
        status = int(rng.integers(4))
        return status, [np.full(size, status, np.uint8) for _ in range(count)]
    if form == 1:
        per_column = [int(rng.integers(4)) for _ in range(count)]
        return per_column, [np.full(size, s, np.uint8) for s in per_column]
    if form == 2:
        matrix = statuses(rng, (count, size))
        return matrix, list(matrix)
    rows = [statuses(rng, (size,)) if rng.random() < 0.5 else np.uint8(2) for _ in range(count)]
    return rows, [np.broadcast_to(np.uint8(r), (size,)) for r in rows]


@pytest.mark.parametrize("seed", range(60))
def test_periodic_mixed_columns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count, size = int(rng.integers(0, 6)), int(rng.choice(SIZES[:-1]))
    columns = [column(rng, str(rng.choice(KINDS)), size) for _ in range(count)]
    status_argument, per_column = _status_argument(rng, count, size)
    fmt = data_format(rng, count)
    start_time = pick(rng, [0, 1, 2**63 - 1, 2**64 - 1, int(rng.integers(2**62))])
    interval = pick(rng, [0, 1, 127, 128, 2**32 - 1])
    built = periodic_packet(fmt, start_time, interval, columns, status_argument)
    assert built == reference.periodic(fmt, start_time, interval, columns, per_column)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", SIZES)
def test_periodic_2d_array_of_each_type(kind: str, size: int) -> None:
    rng = np.random.default_rng(size)
    values = np.stack([column(rng, kind, size) for _ in range(4)]) if size else np.zeros((4, 0), _DTYPES[kind])
    mixed = statuses(rng, values.shape)
    assert periodic_packet(9, 10**18, 1000, values, mixed) == reference.periodic(9, 10**18, 1000, values, mixed)
    valid = np.full(values.shape, VALID, np.uint8)
    assert periodic_packet(9, 10**18, 1000, values) == reference.periodic(9, 10**18, 1000, values, valid)


_DTYPES = {"double": np.float64, "int32": np.int32, "bool": np.bool_, "string": object}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [0, 1, 3, 127])
@pytest.mark.parametrize("variant", ["regular", "zeros", "negative zeros", "negative", "wide"])
def test_one_layout_for_every_sample(kind: str, status: int, variant: str) -> None:
    """Columns whose samples all encode alike: the strided fast path."""
    rng = np.random.default_rng(status)
    values = np.stack([uniform_column(kind, 300, rng) for _ in range(3)])
    if variant == "zeros":
        values = np.zeros_like(values) if kind != "string" else np.full(values.shape, "", object)
    elif variant == "negative zeros" and kind == "double":
        values = np.full(values.shape, -0.0)
    elif variant == "negative" and kind in ("double", "int32"):
        values = -values
    elif variant == "wide" and kind == "int32":
        values = values * np.int32(2**24)
    per_sample = np.full(values.shape, status, np.uint8)
    assert periodic_packet([], 0, 0, values, status) == reference.periodic([], 0, 0, values, per_sample)


@pytest.mark.parametrize("kind", KINDS)
def test_one_odd_sample_among_regular_ones(kind: str) -> None:
    """A single sample with another layout anywhere in the packet."""
    rng = np.random.default_rng(1)
    for position in (0, 1, 499, 999):
        values = np.stack([uniform_column(kind, 1000, rng) for _ in range(2)])
        odd = {"double": 0.0, "int32": -5, "bool": False, "string": "ünï"}[kind]
        values[1, position] = odd
        valid = np.full(values.shape, 1, np.uint8)
        assert periodic_packet(3, 1, 1, values) == reference.periodic(3, 1, 1, values, valid)
        status_only = valid.copy()
        status_only[0, position] = 0
        assert periodic_packet(3, 1, 1, values, status_only) == reference.periodic(3, 1, 1, values, status_only)


def test_no_columns() -> None:
    assert periodic_packet(1, 2, 3, []) == reference.periodic(1, 2, 3, [], [])
    assert periodic_packet(None, 0, 0, np.zeros((0, 5))) == reference.periodic(None, 0, 0, [], [])
    assert periodic_packet(None, 0, 0, []) == b""


def test_empty_columns_of_each_type() -> None:
    columns: list[np.ndarray] = [np.zeros(0), np.zeros(0, np.int32), np.zeros(0, bool), np.array([], object), np.array([], "U")]
    empty = [np.zeros(0, np.uint8)] * len(columns)
    assert periodic_packet(7, 1, 1, columns) == reference.periodic(7, 1, 1, columns, empty)


@pytest.mark.parametrize("seed", range(30))
def test_rows(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    kind = str(rng.choice(KINDS))
    rows, parameters = int(rng.choice([0, 1, 5, 31, 32, 33, 200])), int(rng.integers(0, 6))
    values = column(rng, kind, rows * parameters).reshape(rows, parameters)
    timestamps = np.sort(rng.integers(0, 2**63, size=rows, dtype=np.int64))
    if rng.random() < 0.3:
        values = np.stack([uniform_column(kind, parameters, rng) for _ in range(rows)]) if rows else values
    status_matrix = statuses(rng, values.shape, mixed=bool(rng.random() < 0.5))
    fmt = data_format(rng, parameters)
    assert row_packet(fmt, timestamps, values, status_matrix) == reference.rows(fmt, timestamps, values, status_matrix)
    unsigned = timestamps.astype(np.uint64)
    assert row_packet(fmt, unsigned, values, status_matrix) == reference.rows(fmt, timestamps, values, status_matrix)


def test_row_statuses_broadcast() -> None:
    values = np.arange(12, dtype=np.float64).reshape(4, 3)
    per_parameter = np.array([1, 2, 0], np.uint8)
    want = reference.rows(5, np.arange(4), values, np.broadcast_to(per_parameter, values.shape))
    assert row_packet(5, np.arange(4), values, per_parameter) == want
    assert row_packet(5, [0, 1, 2, 3], values, [1, 2, 0]) == want


def test_row_timestamps_at_the_limits() -> None:
    timestamps = np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64)
    values = np.ones((4, 1))
    assert row_packet(1, timestamps, values) == reference.rows(1, timestamps, values, np.ones((4, 1), np.uint8))


@pytest.mark.parametrize("seed", range(30))
def test_synchro(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    size = int(rng.choice([1, 2, 3, 129, 700]))
    intervals = rng.choice(np.array([0, 1, 127, 128, 16384, 2**21, 2**28, 2**32 - 1], dtype=np.uint32), size=size - 1)
    count = int(rng.integers(0, 5))
    columns = [column(rng, str(rng.choice(KINDS)), size) for _ in range(count)]
    status_argument, per_column = _status_argument(rng, count, size)
    fmt = data_format(rng, count)
    start_time = pick(rng, [0, 12345, 2**64 - 1])
    built = synchro_packet(fmt, start_time, intervals, columns, status_argument)
    assert built == reference.synchro(fmt, start_time, intervals, columns, per_column)


def test_synchro_without_samples_or_intervals() -> None:
    assert synchro_packet(3, 5, [], []) == reference.synchro(3, 5, np.zeros(0, np.uint32), [], [])
    one = [np.array([1.5])]
    assert synchro_packet(3, 5, [], one) == reference.synchro(3, 5, np.zeros(0, np.uint32), one, [np.ones(1, np.uint8)])


@pytest.mark.parametrize(
    "fmt", [0, 1, 2**64 - 1, np.uint64(2**64 - 1), [], [""], ["a", "", "ü" * 200], ("x:y", "z"), None]
)
def test_data_formats(fmt: Any) -> None:
    values = np.ones((1, 2))
    expected_format = int(fmt) if isinstance(fmt, np.integer) else fmt
    assert periodic_packet(fmt, 1, 1, values) == reference.periodic(expected_format, 1, 1, values, [np.ones(2, np.uint8)])


def test_big_packets() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=(10, 100_000))
    values[:, ::1000] = 0.0
    mixed = statuses(rng, values.shape)
    assert periodic_packet(1, 1, 1, values, mixed) == reference.periodic(1, 1, 1, values, mixed)
    integers = rng.integers(-(2**31), 2**31, size=(2, 200_000)).astype(np.int32)
    valid = np.ones(integers.shape, np.uint8)
    assert periodic_packet(1, 1, 1, integers) == reference.periodic(1, 1, 1, integers, valid)


def test_long_lists_have_multibyte_lengths() -> None:
    """List lengths cross the 1-, 2- and 3-byte varint boundaries."""
    for size in (9, 10, 1260, 1261, 161_319, 161_320):
        values = np.full((1, size), 1.5)
        want = reference.periodic(1, 1, 1, values, [np.ones(size, np.uint8)])
        assert periodic_packet(1, 1, 1, values) == want


@pytest.mark.parametrize("packet_type", ["PeriodicData", "RowData", "SynchroData"])
def test_wrapped_packet(packet_type: str) -> None:
    content = periodic_packet(1, 2, 3, np.ones((2, 2)))
    for key, packet_id, essential in [("", 0, False), ("session-ü", 2**64 - 1, True)]:
        want = od.Packet(type=packet_type, session_key=key, content=content, id=packet_id, is_essential=essential)
        built = wrap_packet(packet_type, content, key, packet_id=packet_id, is_essential=essential)
        assert built == want.SerializeToString()


def test_string_dtypes() -> None:
    words = ["", "a", "ü€🏎", "x" * 300]
    per_sample = [np.ones(4, np.uint8)]
    want = reference.periodic(1, 1, 1, [np.array(words, dtype=object)], per_sample)
    assert periodic_packet(1, 1, 1, [np.array(words)]) == want
    assert periodic_packet(1, 1, 1, [np.array(words, dtype=object)]) == want
    assert periodic_packet(1, 1, 1, [words]) == want


def test_byte_orders_and_strided_views() -> None:
    """Big-endian dtypes, transposed and sliced arrays encode like their native copies."""
    rng = np.random.default_rng(11)
    doubles = rng.normal(size=(6, 40))
    doubles[:, ::5] = 0.0
    integers = rng.integers(-1000, 1000, size=(6, 40)).astype(np.int32)
    for values in (doubles, integers):
        native = periodic_packet(1, 2, 3, values)
        assert periodic_packet(1, 2, 3, values.astype(values.dtype.newbyteorder(">"))) == native
        assert periodic_packet(1, 2, 3, np.asfortranarray(values)) == native
        assert periodic_packet(1, 2, 3, list(values.T.copy().T)) == native
        assert row_packet(1, np.arange(40), values.T) == row_packet(1, np.arange(40), values.T.copy())
        sliced = np.repeat(values, 2, axis=1)[:, ::2]
        assert periodic_packet(1, 2, 3, sliced) == native


def test_numpy_string_dtype() -> None:
    words = ["a", "", "ü€"]
    string_dtype = getattr(np.dtypes, "StringDType", None)
    if string_dtype is None:
        pytest.skip("numpy without StringDType")
    want = periodic_packet(1, 1, 1, [np.array(words, dtype=object)])
    assert periodic_packet(1, 1, 1, [np.array(words, dtype=string_dtype())]) == want
