"""Many parameters' numeric samples in one set of arrays, ordered by parameter then time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..contracts.buffering.sample_window import SampleWindow
from ..contracts.buffering.value_status import ValueStatus
from ..core.base.logger import ILogger

_NO_TIMES: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
_NO_VALUES: NDArray[np.float64] = np.zeros(0)
_NO_OWNERS: NDArray[np.intp] = np.zeros(0, dtype=np.intp)
_G = TypeVar("_G", bound=np.generic)


@dataclass(frozen=True, eq=False)
class Samples:
    """``times``/``values`` of parameter ``owner[i]`` (an index into a parameter list), sorted by
    ``owner`` and, within one owner, by time."""

    times: NDArray[np.int64]
    values: NDArray[np.float64]
    owner: NDArray[np.intp]

    def __len__(self) -> int:
        return len(self.times)

    def where(self, mask: NDArray[np.bool_]) -> Samples:
        return Samples(self.times[mask], self.values[mask], self.owner[mask])

    def offsets(self, parameters: int) -> NDArray[np.intp]:
        """``offsets[p]:offsets[p + 1]`` is parameter ``p``'s slice."""
        ends = np.zeros(parameters + 1, dtype=np.intp)
        np.cumsum(np.bincount(self.owner, minlength=parameters), out=ends[1:])
        return ends

    def last_chosen(self, chosen: NDArray[np.bool_]) -> NDArray[np.intp]:
        """The index of each owner's last ``chosen`` sample (owners with one)."""
        index = np.flatnonzero(chosen)
        owner = self.owner[index]
        return index[np.append(owner[1:] != owner[:-1], True)] if len(index) else index

    @staticmethod
    def empty() -> Samples:
        return Samples(_NO_TIMES, _NO_VALUES, _NO_OWNERS)

    @staticmethod
    def joined(parts: Sequence[Samples]) -> Samples:
        """Parts one after the other in time (each sorted) as one sorted set."""
        parts = [part for part in parts if len(part)]
        if not parts:
            return Samples.empty()
        if len(parts) == 1:
            return parts[0]
        owner = np.concatenate([part.owner for part in parts])
        order = np.argsort(owner, kind="stable")  # merges the parts' sorted runs; keeps time order
        times = np.concatenate([part.times for part in parts])[order]
        return Samples(times, np.concatenate([part.values for part in parts])[order], owner[order])


class NumericColumns:
    """The usable samples of a window's columns as :class:`Samples`, converted once for every
    subscription on the same parameters: MISSING and ERROR samples left out, int32 and bool as
    float."""

    def __init__(self, window: SampleWindow, logger: ILogger) -> None:
        self._window = window
        self._logger = logger
        self._cache: dict[tuple[str, ...], tuple[Samples, NDArray[np.bool_]]] = {}

    def get(self, identifiers: tuple[str, ...]) -> tuple[Samples, NDArray[np.bool_]]:
        """The samples of ``identifiers`` (owner: position in it), and which had any."""
        found = self._cache.get(identifiers)
        if found is None:
            found = self._cache[identifiers] = self._gather(identifiers)
        return found

    def _gather(self, identifiers: tuple[str, ...]) -> tuple[Samples, NDArray[np.bool_]]:
        owners: list[int] = []
        times: list[NDArray[np.int64]] = []
        values: list[NDArray[Any]] = []
        statuses: list[NDArray[np.uint8]] = []
        for p, identifier in enumerate(identifiers):
            column = self._window.columns.get(identifier)
            if column is None or not len(column):
                continue
            if column.values.dtype.kind not in "fiub":
                self._logger.error(f"data reader: {identifier} has non-numeric samples; skipped")
                continue
            owners.append(p)
            times.append(column.timestamps)
            values.append(column.values)
            statuses.append(column.statuses)
        present = np.zeros(len(identifiers), dtype=bool)
        if not owners:
            return Samples.empty(), present
        lengths = [len(t) for t in times]
        samples = Samples(
            _joined(times), _joined(values).astype(np.float64, copy=False),
            np.repeat(np.array(owners, dtype=np.intp), lengths),
        )  # fmt: skip
        usable = _joined(statuses) <= ValueStatus.VALID
        if usable.all():
            present[owners] = True
        else:
            samples = samples.where(usable)
            present[samples.owner] = True
        return samples, present


def _joined(arrays: Sequence[NDArray[_G]]) -> NDArray[_G]:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
