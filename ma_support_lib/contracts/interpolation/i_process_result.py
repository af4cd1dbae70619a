"""What a subscription processor returns for one parameter and interval."""

from __future__ import annotations

from abc import ABC, abstractmethod


class IProcessResult(ABC):
    @property
    @abstractmethod
    def identifier(self) -> str: ...

    @property
    @abstractmethod
    def interval_start_time_nano(self) -> int: ...

    @property
    @abstractmethod
    def interval_end_time_nano(self) -> int: ...
