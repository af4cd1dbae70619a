"""One value of one parameter, inside a :class:`SampleData`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .generic_value import GenericValue
from .value_status import ValueStatus


@dataclass(frozen=True)
class TimestampValue(GenericValue):
    """``timestamp`` in ns since the Unix epoch; ``cast(float)`` converts the value."""

    timestamp: int
    value: Any
    status: ValueStatus = ValueStatus.VALID
