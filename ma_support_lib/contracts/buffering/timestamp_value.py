"""One value of one parameter, inside a :class:`SampleData`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from .sample_value import cast_value
from .value_status import ValueStatus

T = TypeVar("T")


@dataclass(frozen=True)
class TimestampValue:
    """``timestamp`` in ns since the Unix epoch."""

    timestamp: int
    value: Any
    status: ValueStatus = ValueStatus.VALID

    @property
    def value_type(self) -> type:
        return type(self.value)

    def cast(self, target: type[T]) -> T:
        return cast_value(self.value, target)
