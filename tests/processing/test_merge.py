"""Merging buffered pieces into one time-ordered column per identifier."""

from __future__ import annotations

import numpy as np

from ma_support_lib.processing.piece import Piece
from ma_support_lib.processing.merge import merged_columns


def piece(times: list[int], columns: dict[str, list]) -> Piece:
    values = [np.array(v, dtype=np.int32 if isinstance(v[0], int) else np.float64) for v in columns.values()]
    statuses = [np.full(len(times), index, dtype=np.uint8) for index in range(len(columns))]
    return Piece.of(np.array(times, dtype=np.int64), tuple(columns), values, statuses)


def reference(pieces: list[Piece], identifier: str) -> tuple[list[int], list, list[int]]:
    """Per timestamp, the last arrival's value and status."""
    latest: dict[int, tuple] = {}
    for p in pieces:
        if identifier in p.identifiers:
            row = p.identifiers.index(identifier)
            for k, t in enumerate(p.timestamps.tolist()):
                latest[t] = (p.values[row][k].item(), int(p.statuses[row][k]))
    times = sorted(latest)
    return times, [latest[t][0] for t in times], [latest[t][1] for t in times]


def test_pieces_of_different_identifiers_and_dtypes_overlapping_in_time() -> None:
    pieces = [
        piece([30, 40, 50], {"A": [3.0, 4.0, 5.0], "B": [30.0, 40.0, 50.0]}),
        piece([10, 20, 30], {"A": [1.0, 2.0, 3.5], "C": [1, 2, 3]}),  # mixed dtypes, A at 30 again
        piece([20, 60], {"B": [20.0, 60.0], "A": [2.5, 6.0]}),  # other row order, A at 20 again
    ]
    columns = merged_columns(pieces)
    assert list(columns) == ["A", "B", "C"]
    for identifier, column in columns.items():
        times, values, statuses = reference(pieces, identifier)
        assert column.timestamps.tolist() == times
        assert column.values.tolist() == values
        assert column.statuses.tolist() == statuses
    assert columns["C"].values.dtype == np.int32 and columns["A"].values.dtype == np.float64
    assert columns["A"].values.tolist() == [1.0, 2.5, 3.5, 4.0, 5.0, 6.0]


def test_pieces_with_the_same_identifiers_share_one_time_array() -> None:
    pieces = [piece([1, 2], {"A": [1.0, 2.0], "B": [10.0, 20.0]}), piece([3, 4], {"A": [3.0, 4.0], "B": [30.0, 40.0]})]
    columns = merged_columns(pieces)
    assert columns["A"].timestamps is columns["B"].timestamps
    assert columns["A"].timestamps.tolist() == [1, 2, 3, 4]
    assert columns["B"].values.tolist() == [10.0, 20.0, 30.0, 40.0]
    assert columns["B"].statuses.tolist() == [1, 1, 1, 1]


def test_a_piece_with_the_same_identifiers_out_of_order_and_repeated() -> None:
    pieces = [piece([3, 4], {"A": [3.0, 4.0], "B": [30.0, 40.0]}), piece([1, 4], {"A": [1.0, 4.5], "B": [10.0, 45.0]})]
    columns = merged_columns(pieces)
    assert columns["A"].timestamps.tolist() == [1, 3, 4]
    assert columns["A"].values.tolist() == [1.0, 3.0, 4.5]
    assert columns["B"].values.tolist() == [10.0, 30.0, 45.0]


def test_columns_come_in_order_of_first_appearance() -> None:
    pieces = [piece([1], {"A": [1.0], "B": [2.0], "C": [3.0]}), piece([2], {"C": [4.0], "A": [5.0]})]
    columns = merged_columns(pieces)
    assert list(columns) == ["A", "B", "C"]
    assert columns["A"].values.tolist() == [1.0, 5.0] and columns["B"].values.tolist() == [2.0]


def test_no_pieces_no_columns() -> None:
    assert merged_columns([]) == {}
