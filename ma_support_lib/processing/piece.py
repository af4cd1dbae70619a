"""One packet's samples, per identifier, as numpy arrays ready for the window buffer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
from numpy.typing import NDArray

#: Values of several identifiers: a 2-d array ``[identifiers, samples]`` when they share a
#: dtype, else one array per identifier (``values[i]`` is identifier ``i``'s either way).
Values = Union[NDArray[Any], tuple[NDArray[Any], ...]]


@dataclass(frozen=True, eq=False)
class Piece:
    """Samples of one packet: ``values[i]`` / ``statuses[i]`` are those of ``identifiers[i]``,
    all at ``timestamps`` (int64 ns, in packet order); ``statuses`` is ``[identifiers, samples]``."""

    timestamps: NDArray[np.int64]
    identifiers: tuple[str, ...]
    values: Values
    statuses: NDArray[np.uint8]

    @staticmethod
    def of(timestamps: NDArray[np.int64], identifiers: tuple[str, ...], values: Sequence[NDArray[Any]],
           statuses: Sequence[NDArray[np.uint8]]) -> Piece:  # fmt: skip
        """A piece of per-identifier arrays, joined into 2-d arrays where they share a dtype."""
        count = len(timestamps)
        return Piece(timestamps, identifiers, _matrix(values, count), _matrix(statuses, count))  # type: ignore[arg-type]

    def rows(self, rows: slice | NDArray[np.bool_]) -> Piece:
        """Only the samples at ``rows`` of the timestamps."""
        if isinstance(self.values, tuple):
            return Piece(self.timestamps[rows], self.identifiers, tuple(v[rows] for v in self.values), self.statuses[:, rows])
        return Piece(self.timestamps[rows], self.identifiers, self.values[:, rows], self.statuses[:, rows])

    def without(self, identifiers: set[str]) -> Piece:
        kept = [i for i, identifier in enumerate(self.identifiers) if identifier not in identifiers]
        values = tuple(self.values[i] for i in kept) if isinstance(self.values, tuple) else self.values[kept]
        return Piece(self.timestamps, tuple(self.identifiers[i] for i in kept), values, self.statuses[kept])

    def split(self, end: int) -> tuple[Piece | None, Piece | None]:
        """The samples older than ``end``, and the rest (None for no samples)."""
        below = self.timestamps < end
        count = int(np.count_nonzero(below))
        if count == 0 or count == len(below):
            return (self, None) if count else (None, self)
        if below[:count].all():  # sorted, as most packets are: views, not copies
            return self.rows(slice(0, count)), self.rows(slice(count, None))
        return self.rows(below), self.rows(~below)


def _matrix(arrays: Sequence[NDArray[Any]], count: int) -> Values:
    if len({a.dtype for a in arrays}) > 1:
        return tuple(arrays)
    if not arrays:
        return np.zeros((0, count))
    return np.concatenate(arrays).reshape(len(arrays), count)
