"""Builders refuse input that cannot make a valid packet, with a PacketBuildError saying why."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ma_support_lib.packets import PacketBuildError, periodic_packet, row_packet, synchro_packet, wrap_packet

GOOD = np.ones((2, 3))


def test_errors_are_value_errors() -> None:
    assert issubclass(PacketBuildError, ValueError)


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ([np.ones(3), np.ones(4)], "same length"),
        (np.ones(3), "2-D"),
        (np.ones((2, 3, 4)), "2-D"),
        ([np.ones((2, 2))], "must be 1-D"),
        ("abc", "2-D array"),
        (42, "2-D array"),
    ],
)
def test_column_shapes(columns: Any, match: str) -> None:
    with pytest.raises(PacketBuildError, match=match):
        periodic_packet(1, 0, 1, columns)


@pytest.mark.parametrize(
    "dtype", [np.int64, np.int16, np.uint32, np.uint8, np.float32, np.float16, np.complex128, "S3", "datetime64[ns]"]
)
def test_unsupported_dtypes(dtype: Any) -> None:
    with pytest.raises(PacketBuildError, match="unsupported values dtype"):
        periodic_packet(1, 0, 1, np.zeros((2, 3), dtype=dtype))
    with pytest.raises(PacketBuildError, match="unsupported values dtype"):
        periodic_packet(1, 0, 1, [np.ones(3), np.zeros(3, dtype=dtype)])
    with pytest.raises(PacketBuildError, match="unsupported values dtype"):
        row_packet(1, [1, 2], np.zeros((2, 3), dtype=dtype))


def test_python_int_lists_need_an_explicit_dtype() -> None:
    with pytest.raises(PacketBuildError, match="int32"):
        periodic_packet(1, 0, 1, [[1, 2, 3]])
    periodic_packet(1, 0, 1, [np.array([1, 2, 3], np.int32)])


@pytest.mark.parametrize(
    ("start_time", "interval", "match"),
    [
        (-1, 1, "start_time"),
        (2**64, 1, "start_time"),
        (1.5, 1, "start_time must be an int"),
        ("1", 1, "start_time must be an int"),
        (0, -1, "interval"),
        (0, 2**32, "interval"),
        (0, 0.5, "interval must be an int"),
    ],
)
def test_time_arguments(start_time: Any, interval: Any, match: str) -> None:
    with pytest.raises(PacketBuildError, match=match):
        periodic_packet(1, start_time, interval, GOOD)


@pytest.mark.parametrize(
    ("statuses", "match"),
    [
        (-1, "0..127"),
        (128, "0..127"),
        (np.array([[1, 2, 300], [1, 1, 1]]), "0..127"),
        (1.0, "integers"),
        (True, "integers"),
        (np.ones((2, 3), np.float64), "integers"),
        (np.ones((3, 2), np.uint8), "do not fit"),
        (np.ones(4, np.uint8), "do not fit"),
        ("1", "integers"),
    ],
)
def test_statuses_of_a_2d_array(statuses: Any, match: str) -> None:
    with pytest.raises(PacketBuildError, match=match):
        periodic_packet(1, 0, 1, GOOD, statuses)


@pytest.mark.parametrize(
    ("statuses", "match"),
    [
        ([1, 2, 3], "3 status entries for 2 columns"),
        ([1], "1 status entries"),
        ([np.ones(3, np.uint8), np.ones(4, np.uint8)], "do not fit"),
        ([1, -2], "0..127"),
        ({"a": 1}, "one entry"),
        ([[1, 2], [1, 2, 3]], "do not fit"),
    ],
)
def test_statuses_per_column(statuses: Any, match: str) -> None:
    with pytest.raises(PacketBuildError, match=match):
        periodic_packet(1, 0, 1, list(GOOD), statuses)


@pytest.mark.parametrize(
    ("data_format", "match"),
    [
        (-1, "outside uint64"),
        (2**64, "outside uint64"),
        ("Speed:Chassis", "not a string"),
        (b"abc", "not a string"),
        (["a", 1], "must be str"),
        (["a\udc80"], "not valid text"),
        (1.5, "int id or a sequence"),
    ],
)
def test_data_formats(data_format: Any, match: str) -> None:
    with pytest.raises(PacketBuildError, match=match):
        periodic_packet(data_format, 0, 1, GOOD)


@pytest.mark.parametrize(
    ("timestamps", "rows", "match"),
    [
        ([1, 2], np.ones((3, 2)), "2 timestamps for 3 rows"),
        ([-1, 2], np.ones((2, 2)), "must not be negative"),
        ([1.0, 2.0], np.ones((2, 2)), "must be integers"),
        ([[1, 2]], np.ones((2, 2)), "1-D"),
        ([1, 2], np.ones(2), "2-D"),
        ([1, 2], [np.ones(2), np.ones(3)], "rows is not an array"),
    ],
)
def test_rows(timestamps: Any, rows: Any, match: str) -> None:
    with pytest.raises(PacketBuildError, match=match):
        row_packet(1, timestamps, rows)


def test_row_statuses() -> None:
    with pytest.raises(PacketBuildError, match="do not fit"):
        row_packet(1, [1, 2], np.ones((2, 3)), np.ones((3, 2), np.uint8))
    with pytest.raises(PacketBuildError, match="statuses is not an array"):
        row_packet(1, [1, 2], np.ones((2, 3)), [[1, 2, 3], [1]])


@pytest.mark.parametrize(
    ("intervals", "columns", "match"),
    [
        ([1], GOOD, "columns of 3 samples need 2 intervals, got 1"),
        ([1, 2, 3], GOOD, "need 2 intervals"),
        ([], np.zeros((1, 0)), "need -1 intervals"),
        ([1, -2], GOOD, "must not be negative"),
        ([1, 2**32], GOOD, "below 2\\*\\*32"),
        ([1.0, 2.0], GOOD, "integers"),
    ],
)
def test_synchro(intervals: Any, columns: Any, match: str) -> None:
    with pytest.raises(PacketBuildError, match=match):
        synchro_packet(1, 0, intervals, columns)


@pytest.mark.parametrize("value", [None, 5, b"bytes", "a\ud800"])
def test_string_samples(value: Any) -> None:
    column = np.array(["ok", value], dtype=object)
    with pytest.raises(PacketBuildError, match="string sample"):
        periodic_packet(1, 0, 1, [column])


def test_envelope() -> None:
    with pytest.raises(PacketBuildError, match="envelope"):
        wrap_packet("PeriodicData", b"", packet_id=-1)
    with pytest.raises(PacketBuildError, match="envelope"):
        wrap_packet("PeriodicData", "not bytes")  # type: ignore[arg-type]
