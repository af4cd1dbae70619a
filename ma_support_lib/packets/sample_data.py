"""Samples decoded from one sample packet, per parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .data_format import DataFormat
from .envelope import SampleDataPacketType


@dataclass(frozen=True, eq=False)
class SampleData:
    """The content of a PeriodicData, RowData or SynchroData packet as numpy arrays.

    ``values[i]`` and ``statuses[i]`` hold parameter ``i``'s samples at ``timestamps`` (ns):
    float64, int32 or bool arrays, ``object`` arrays of ``str`` for string samples (and for
    RowData whose rows mix sample types), and uint8 ``DataStatus`` values.
    """

    packet_type: SampleDataPacketType
    data_format: DataFormat
    timestamps: NDArray[np.int64]
    values: tuple[NDArray[Any], ...]
    statuses: tuple[NDArray[np.uint8], ...]
    #: PeriodicData's interval in ns; None for the other packet types.
    interval: int | None = None

    def value_matrix(self) -> NDArray[Any]:
        """All values as one ``[parameters, samples]`` array (dtypes promoted by numpy)."""
        if not self.values:
            return np.zeros((0, len(self.timestamps)))
        return np.stack(self.values)

    def status_matrix(self) -> NDArray[np.uint8]:
        """All statuses as one ``[parameters, samples]`` uint8 array."""
        if not self.statuses:
            return np.zeros((0, len(self.timestamps)), dtype=np.uint8)
        return np.stack(self.statuses)
