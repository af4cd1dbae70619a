"""The handler interface packets and samples are delivered to."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar

T = TypeVar("T")


class IHandler(ABC, Generic[T]):
    """Receives items on a background thread; ``handle`` should return quickly."""

    @abstractmethod
    def handle(self, obj: T) -> None:
        """Process one item."""
