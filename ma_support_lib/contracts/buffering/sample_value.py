"""One parameter's value at one timestamp, inside a :class:`TimestampColumn`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from .value_status import ValueStatus

T = TypeVar("T")


def cast_value(value: Any, target: type[T]) -> T:
    """``value`` as ``target`` (``float`` of an int32 or bool sample, etc.); ``TypeError`` if
    it cannot be converted (a marker as ``float``)."""
    if isinstance(value, target):
        return value
    try:
        return target(value)  # type: ignore[call-arg]
    except (TypeError, ValueError) as error:
        raise TypeError(f"cannot cast {type(value).__name__} {value!r} to {target.__name__}: {error}") from None


@dataclass(frozen=True)
class SampleValue:
    """``identifier`` is the parameter (or ``"Marker"``, ``"Event"``, ``"Error"``, ``"CAN"``);
    ``value`` a float, int, bool, str or a :class:`MarkerData` / :class:`EventData` /
    :class:`ErrorData` / :class:`CanData`."""

    identifier: str
    value: Any
    status: ValueStatus = ValueStatus.VALID

    @property
    def value_type(self) -> type:
        return type(self.value)

    def cast(self, target: type[T]) -> T:
        return cast_value(self.value, target)
