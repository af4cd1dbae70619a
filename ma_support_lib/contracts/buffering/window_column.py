"""One parameter's samples in a :class:`SampleWindow`, as numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, eq=False)
class WindowColumn:
    """``timestamps`` (int64 ns, strictly increasing), ``values`` (float64, int32, bool or
    object for strings and markers/events/errors/CAN) and ``statuses`` (uint8
    :class:`ValueStatus` numbers), all the same length."""

    timestamps: NDArray[np.int64]
    values: NDArray[Any]
    statuses: NDArray[np.uint8]

    def __len__(self) -> int:
        return len(self.timestamps)
