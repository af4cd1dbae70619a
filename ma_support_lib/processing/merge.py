"""Putting buffered pieces into time order per identifier, one sample per timestamp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..contracts.buffering.window_column import WindowColumn
from .decoding import Piece

_G = TypeVar("_G", bound=np.generic)
_Order = tuple[NDArray[np.int64], Optional[NDArray[np.intp]]]


def merged_columns(pieces: Sequence[Piece]) -> dict[str, WindowColumn]:
    """The pieces (in arrival order) as one column per identifier, sorted by time.

    Where two samples share a timestamp, the one that arrived last is kept: a packet sent
    again replaces, rather than duplicates, what it carried. Identifiers found in the same
    pieces share one timestamp array, ordered once, and are joined as the rows of one array
    when their values have one dtype.
    """
    spots: dict[str, list[tuple[int, int]]] = {}
    for k, piece in enumerate(pieces):
        for c, identifier in enumerate(piece.identifiers):
            spots.setdefault(identifier, []).append((k, c))
    groups: dict[tuple[int, ...], list[str]] = {}
    for identifier, where in spots.items():
        groups.setdefault(tuple(k for k, _ in where), []).append(identifier)
    built: dict[str, WindowColumn] = {}
    for signature, identifiers in groups.items():
        times, index = _time_order([pieces[k].timestamps for k in signature])
        values = _rows([[pieces[k].values[c] for k, c in spots[i]] for i in identifiers], index)
        statuses = _rows([[pieces[k].statuses[c] for k, c in spots[i]] for i in identifiers], index)
        built.update((i, WindowColumn(times, v, s)) for i, v, s in zip(identifiers, values, statuses))
    return {identifier: built[identifier] for identifier in spots}


def _rows(arrays: list[list[NDArray[Any]]], index: Optional[NDArray[np.intp]]) -> list[NDArray[Any]]:
    """Each identifier's ``arrays`` joined (and ordered by ``index``): rows of one 2-d array
    when there are several identifiers and parts, all of one dtype."""
    if len(arrays) == 1 or len(arrays[0]) == 1 or len({a.dtype for parts in arrays for a in parts}) > 1:
        return [_joined(parts, index) for parts in arrays]
    stacked = [np.stack(column) for column in zip(*arrays)]
    matrix = stacked[0] if len(stacked) == 1 else np.concatenate(stacked, axis=1)
    return list(matrix if index is None else matrix[:, index])


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
