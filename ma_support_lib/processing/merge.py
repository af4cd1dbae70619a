"""Putting buffered pieces into time order per identifier, one sample per timestamp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..contracts.buffering.window_column import WindowColumn
from .piece import Piece, Values

_G = TypeVar("_G", bound=np.generic)
_Order = tuple[NDArray[np.int64], Optional[NDArray[np.intp]]]


def merged_columns(pieces: Sequence[Piece]) -> dict[str, WindowColumn]:
    """The pieces (in arrival order) as one column per identifier (in order of first
    appearance), sorted by time.

    Where two samples share a timestamp, the one that arrived last is kept: a packet sent
    again replaces, rather than duplicates, what it carried. Identifiers found in the same
    pieces share one timestamp array, ordered once, and are joined as the rows of one array
    when their pieces hold them as such.
    """
    built: dict[str, WindowColumn] = {}
    groups = _groups(pieces)
    for signature, identifiers, rows in groups:
        times, index = _time_order([pieces[k].timestamps for k in signature])
        parts = [pieces[k] for k in signature]
        values = _joined_rows([p.values for p in parts], rows, index)
        statuses = _joined_rows([p.statuses for p in parts], rows, index)
        built.update((i, WindowColumn(times, v, s)) for i, v, s in zip(identifiers, values, statuses))
    if len(groups) < 2:
        return built
    return {i: built[i] for i in dict.fromkeys(i for piece in pieces for i in piece.identifiers)}


def _groups(pieces: Sequence[Piece]) -> list[tuple[tuple[int, ...], list[str], list[list[int]]]]:
    """The identifiers grouped by the pieces they are in: those pieces, the identifiers, and
    for each identifier its row in each of those pieces."""
    if not pieces:
        return []
    first = pieces[0].identifiers
    if all(piece.identifiers == first for piece in pieces) and len(set(first)) == len(first):
        return [(tuple(range(len(pieces))), list(first), [[c] * len(pieces) for c in range(len(first))])]
    spots: dict[str, list[tuple[int, int]]] = {}
    for k, piece in enumerate(pieces):
        for c, identifier in enumerate(piece.identifiers):
            spots.setdefault(identifier, []).append((k, c))
    groups: dict[tuple[int, ...], list[str]] = {}
    for identifier, where in spots.items():
        groups.setdefault(tuple(k for k, _ in where), []).append(identifier)
    return [(signature, names, [[c for _, c in spots[i]] for i in names]) for signature, names in groups.items()]


def _joined_rows(parts: list[Values], rows: list[list[int]], index: Optional[NDArray[np.intp]]) -> Sequence[NDArray[Any]]:
    """Row ``rows[i][j]`` of each part ``j`` joined, for each ``i`` (and ordered by ``index``)."""
    matrices = [part for part in parts if isinstance(part, np.ndarray)]
    if len(matrices) < len(parts) or len({m.dtype for m in matrices}) > 1:
        return [_joined([parts[j][c] for j, c in enumerate(row)], index) for row in rows]
    picked = []
    for j, matrix in enumerate(matrices):
        chosen = [row[j] for row in rows]
        picked.append(matrix if chosen == list(range(len(matrix))) else matrix[chosen])
    joined = picked[0] if len(picked) == 1 else np.concatenate(picked, axis=1)
    return list(joined if index is None else joined[:, index])


def _time_order(times: Sequence[NDArray[np.int64]]) -> _Order:
    """The joined times sorted without repeats, and the index that does it (None: as they are)."""
    t = _joined(times, None)
    if len(t) < 2:
        return t, None
    steps = np.diff(t)
    if (steps > 0).all():
        return t, None
    order = np.argsort(t, kind="stable") if (steps < 0).any() else np.arange(len(t))
    ordered = t[order]
    keep = np.ones(len(t), dtype=bool)
    keep[:-1] = ordered[1:] != ordered[:-1]  # last arrival of each timestamp
    index = order[keep]
    return t[index], index


def _joined(arrays: Sequence[NDArray[_G]], index: Optional[NDArray[np.intp]]) -> NDArray[_G]:
    joined = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
    return joined if index is None else joined[index]
