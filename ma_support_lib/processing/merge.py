"""Putting one identifier's buffered chunks into time order, one sample per timestamp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..contracts.buffering.window_column import WindowColumn


def merged(times: Sequence[NDArray[np.int64]], values: Sequence[NDArray[Any]], statuses: Sequence[NDArray[np.uint8]]) -> WindowColumn:
    """The chunks (in arrival order) as one column sorted by time.

    Where two samples share a timestamp, the one that arrived last is kept: a packet sent
    again replaces, rather than duplicates, what it carried.
    """
    t = times[0] if len(times) == 1 else np.concatenate(times)
    v = values[0] if len(values) == 1 else np.concatenate(values)
    s = statuses[0] if len(statuses) == 1 else np.concatenate(statuses)
    if len(t) > 1:
        steps = np.diff(t)
        if not (steps > 0).all():
            if (steps < 0).any():
                order = np.argsort(t, kind="stable")
                t, v, s = t[order], v[order], s[order]
            keep = np.ones(len(t), dtype=bool)
            keep[:-1] = t[1:] != t[:-1]  # last arrival of each timestamp
            t, v, s = t[keep], v[keep], s[keep]
    return WindowColumn(t, v, s)
