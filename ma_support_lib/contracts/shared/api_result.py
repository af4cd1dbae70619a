"""The result every fallible library call returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ApiResult(Generic[T]):
    """Outcome of a call: ``success``, the ``data`` (``None`` on failure) and a ``message``.

    ``error_message`` is the same text as ``message`` (both names are in use).
    """

    success: bool
    data: T | None = None
    message: str = ""

    @property
    def error_message(self) -> str:
        return self.message

    @classmethod
    def ok(cls, data: T, message: str = "") -> ApiResult[T]:
        """A successful result carrying ``data``."""
        return cls(True, data, message)

    @classmethod
    def fail(cls, message: str) -> ApiResult[T]:
        """A failed result: no data, and a message saying what went wrong."""
        return cls(False, None, message)

    def __bool__(self) -> bool:
        return self.success
