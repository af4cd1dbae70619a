"""Receives a subscription's results, one batch per delivery period."""

from __future__ import annotations

from abc import ABC, abstractmethod

from .batch_result import BatchResult


class IBatchResultHandler(ABC):
    @abstractmethod
    def handle(self, batch_result: BatchResult) -> None: ...
