"""A custom processor: one result per parameter and interval."""

from __future__ import annotations

from abc import ABC, abstractmethod

from .i_process_result import IProcessResult
from .process_context import ProcessContext


class ISubscriptionProcessor(ABC):
    """``process`` is called once per parameter and interval, in time order per parameter,
    never concurrently for one subscription."""

    @abstractmethod
    def process(self, context: ProcessContext) -> IProcessResult: ...
