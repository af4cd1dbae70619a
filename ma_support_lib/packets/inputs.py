"""Validation of builder inputs: scalars, statuses, timestamps and column arrays."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import PacketBuildError
from .list_encoder import Statuses
from .sample_types import SampleType, sample_type_of

#: Columns of a PeriodicData or SynchroData packet: ``[parameters, samples]`` or one 1-D array each.
ColumnsLike = Union[NDArray[Any], Sequence[ArrayLike]]
#: One status for all samples, or per sample (broadcast to the values; per column for a sequence).
StatusesLike = ArrayLike

MAX_STATUS = 127


def as_array(name: str, values: ArrayLike) -> NDArray[Any]:
    """``np.asarray(values)``, with numpy's complaints (ragged nesting...) as PacketBuildError."""
    try:
        return np.asarray(values)
    except (TypeError, ValueError) as error:
        raise PacketBuildError(f"{name} is not an array: {error}") from None


def unsigned(name: str, value: int, bits: int) -> int:
    """``value`` as an int, checked to fit an unsigned field of ``bits`` bits."""
    try:
        number = operator.index(value)
    except TypeError:
        raise PacketBuildError(f"{name} must be an int, got {type(value).__name__}") from None
    if not 0 <= number < 1 << bits:
        raise PacketBuildError(f"{name} must be in 0..2**{bits}-1, got {number}")
    return number


def unsigned_array(name: str, values: ArrayLike, bits: int) -> NDArray[np.uint64]:
    """A 1-D integer array checked to fit ``bits`` unsigned bits, as uint64."""
    array = as_array(name, values)
    if array.ndim != 1:
        raise PacketBuildError(f"{name} must be a 1-D array, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.uint64)
    if array.dtype.kind not in "iu":
        raise PacketBuildError(f"{name} must be integers, got dtype {array.dtype}")
    if array.dtype.kind == "i" and array.min() < 0:
        raise PacketBuildError(f"{name} must not be negative, got {array.min()}")
    if bits < 64 and int(array.max()) >= 1 << bits:
        raise PacketBuildError(f"{name} must be below 2**{bits}, got {array.max()}")
    return array.astype(np.uint64)


def statuses_for(statuses: StatusesLike, shape: tuple[int, ...]) -> Statuses:
    """One status as an int, or per-sample statuses as uint8 of ``shape``."""
    array = as_array("statuses", statuses)
    if array.dtype.kind not in "iu":
        raise PacketBuildError(f"statuses must be integers (DataStatus values), got dtype {array.dtype}")
    if array.size and (int(array.min()) < 0 or int(array.max()) > MAX_STATUS):
        low, high = int(array.min()), int(array.max())
        raise PacketBuildError(f"statuses must be in 0..{MAX_STATUS} (DataStatus values), got {low}..{high}")
    if array.ndim == 0:
        return int(array)
    try:
        return np.broadcast_to(array, shape).astype(np.uint8)
    except ValueError:
        raise PacketBuildError(f"statuses of shape {array.shape} do not fit values of shape {shape}") from None


def values_2d(name: str, values: ArrayLike) -> tuple[SampleType, NDArray[Any]]:
    """A 2-D values array and its sample type."""
    array = as_array(name, values)
    if array.ndim != 2:
        raise PacketBuildError(f"{name} must be a 2-D array, got shape {array.shape}")
    return sample_type_of(array.dtype), array


Group = tuple[SampleType, NDArray[Any], Statuses]


def column_groups(columns: ColumnsLike, statuses: StatusesLike) -> tuple[list[Group], int | None]:
    """Runs of consecutive columns of one sample type as 2-D arrays, and the samples per column.

    The sample count is None when there are no columns to tell it.
    """
    if isinstance(columns, np.ndarray):
        sample_type, array = values_2d("columns", columns)
        return [(sample_type, array, statuses_for(statuses, array.shape))], array.shape[1]
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence):
        raise PacketBuildError("columns must be a 2-D array [parameters, samples] or a sequence of 1-D arrays")
    arrays = [as_array(f"column {index}", column) for index, column in enumerate(columns)]
    for index, array in enumerate(arrays):
        if array.ndim != 1:
            raise PacketBuildError(f"column {index} must be 1-D, got shape {array.shape}")
    lengths = sorted({len(array) for array in arrays})
    if len(lengths) > 1:
        raise PacketBuildError(f"columns must all have the same length, got lengths {lengths}")
    if not arrays:
        return [], None
    samples = lengths[0]
    per_column = _per_column_statuses(statuses, len(arrays), samples)
    groups: list[Group] = []
    start = 0
    types = [sample_type_of(array.dtype) for array in arrays]
    for end in range(1, len(arrays) + 1):
        if end == len(arrays) or types[end] is not types[start]:
            groups.append((types[start], np.stack(arrays[start:end]), _stacked(per_column[start:end], samples)))
            start = end
    return groups, samples


def _per_column_statuses(statuses: StatusesLike, count: int, samples: int) -> list[Statuses]:
    if isinstance(statuses, (int, np.integer)) or (isinstance(statuses, np.ndarray) and statuses.ndim == 0):
        return [statuses_for(statuses, (samples,))] * count
    if isinstance(statuses, (str, bytes)) or not isinstance(statuses, (Sequence, np.ndarray)):
        raise PacketBuildError("statuses must be an int, or one entry (int or 1-D array) per column")
    entries = list(statuses)
    if len(entries) != count:
        raise PacketBuildError(f"{len(entries)} status entries for {count} columns")
    return [statuses_for(entry, (samples,)) for entry in entries]


def _stacked(statuses: list[Statuses], samples: int) -> Statuses:
    scalars = [status for status in statuses if isinstance(status, int)]
    if len(scalars) == len(statuses) and min(scalars) == max(scalars):
        return scalars[0]
    rows = [np.full(samples, status, np.uint8) if isinstance(status, int) else status for status in statuses]
    return np.stack(rows)
