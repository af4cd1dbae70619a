"""The four sample types of the Open Data protocol and their numpy dtypes."""

from __future__ import annotations

import enum

import numpy as np

from .errors import PacketBuildError


class SampleType(enum.IntEnum):
    """A sample list type; the value is its field number in ``SampleColumn``/``SampleRow``."""

    DOUBLE = 1
    INT32 = 2
    BOOL = 3
    STRING = 4

    @property
    def dtype(self) -> np.dtype[np.generic]:
        """The dtype of decoded values (strings are ``object`` arrays of ``str``)."""
        return _DTYPES[self]


_DTYPES: dict[SampleType, np.dtype[np.generic]] = {
    SampleType.DOUBLE: np.dtype(np.float64),
    SampleType.INT32: np.dtype(np.int32),
    SampleType.BOOL: np.dtype(np.bool_),
    SampleType.STRING: np.dtype(object),
}

#: ``(field_number << 3) | LEN`` of each sample list inside a column or row.
LIST_TAGS: dict[int, SampleType] = {(t.value << 3) | 2: t for t in SampleType}


def sample_type_of(dtype: np.dtype[np.generic]) -> SampleType:
    """The sample type a values array of ``dtype`` is written as.

    float64 -> double, int32 -> int32, bool -> bool, unicode/``StringDType``/object -> string.
    Anything else is refused rather than silently converted.
    """
    if dtype.kind == "f" and dtype.itemsize == 8:
        return SampleType.DOUBLE
    if dtype.kind == "i" and dtype.itemsize == 4:
        return SampleType.INT32
    if dtype.kind == "b":
        return SampleType.BOOL
    if dtype.kind in "UTO":
        return SampleType.STRING
    raise PacketBuildError(
        f"unsupported values dtype {dtype}: use float64, int32, bool or strings "
        "(cast explicitly, e.g. values.astype(np.int32))"
    )
