"""What buffered values share: the runtime type of ``value`` and a cast."""

from __future__ import annotations

from typing import Any, TypeVar

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


class GenericValue:
    """Mixed into classes with a ``value`` attribute (the C# ``IGenericValue``)."""

    value: Any

    @property
    def value_type(self) -> type:
        return type(self.value)

    def cast(self, target: type[T]) -> T:
        return cast_value(self.value, target)
