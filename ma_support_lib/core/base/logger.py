"""The logger interface the library reports through, and the default implementation."""

from __future__ import annotations

import logging
import sys
from abc import ABC, abstractmethod


class ILogger(ABC):
    """What the library needs from a logger: four levels, one message each."""

    @abstractmethod
    def debug(self, message: str) -> None: ...

    @abstractmethod
    def info(self, message: str) -> None: ...

    @abstractmethod
    def warning(self, message: str) -> None: ...

    @abstractmethod
    def error(self, message: str) -> None: ...


class Logger(ILogger):
    """Writes to the standard :mod:`logging` logger ``name`` (default ``ma_support_lib``).

    If neither that logger nor the root logger has a handler, one is added that prints
    ``time level message`` lines to stderr at ``level`` (default INFO), so messages are seen
    without configuring :mod:`logging`.
    """

    def __init__(self, name: str = "ma_support_lib", level: int = logging.INFO) -> None:
        self._log = logging.getLogger(name)
        if not self._log.handlers and not logging.getLogger().handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            self._log.addHandler(handler)
            self._log.setLevel(level)
            self._log.propagate = False

    def debug(self, message: str) -> None:
        self._log.debug(message)

    def info(self, message: str) -> None:
        self._log.info(message)

    def warning(self, message: str) -> None:
        self._log.warning(message)

    def error(self, message: str) -> None:
        self._log.error(message)
