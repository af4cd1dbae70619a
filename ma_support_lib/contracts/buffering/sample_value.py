"""One parameter's value at one timestamp, inside a :class:`TimestampColumn`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .generic_value import GenericValue
from .value_status import ValueStatus


@dataclass(frozen=True)
class SampleValue(GenericValue):
    """``identifier`` is the parameter (or ``"Marker"``, ``"Event"``, ``"Error"``, ``"CAN"``);
    ``value`` a float, int, bool, str or a :class:`MarkerData` / :class:`EventData` /
    :class:`ErrorData` / :class:`CanData`; ``cast(float)`` converts it."""

    identifier: str
    value: Any
    status: ValueStatus = ValueStatus.VALID
