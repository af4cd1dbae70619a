"""A list of handlers that delivers to every handler and survives handlers that raise."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

from ..contracts.shared.i_handler import IHandler
from .base.logger import ILogger

T = TypeVar("T")


class HandlerList(Generic[T]):
    """Copy-on-write list of handlers, safe to change while another thread delivers.

    ``deliver`` calls the handlers in the order they were added, logs a handler that
    raises and goes on with the next. ``name`` and ``argument`` word the log and the
    ``TypeError`` for an object without a ``handle`` method.
    """

    def __init__(self, name: str, logger: ILogger, argument: str = "item") -> None:
        self._name = name
        self._argument = argument
        self._logger = logger
        self._handlers: tuple[IHandler[T], ...] = ()
        self._lock = threading.Lock()

    def add(self, handler: IHandler[T]) -> None:
        if not callable(getattr(handler, "handle", None)):
            raise TypeError(f"a {self._name} handler needs a handle({self._argument}) method, got {handler!r}")
        with self._lock:
            self._handlers = (*self._handlers, handler)

    def remove(self, handler: object) -> None:
        """Remove the first occurrence of ``handler``; an unknown handler is ignored."""
        with self._lock:
            handlers = list(self._handlers)
            if handler in handlers:
                handlers.remove(handler)
                self._handlers = tuple(handlers)

    def __bool__(self) -> bool:
        return bool(self._handlers)

    def deliver(self, item: T) -> None:
        for handler in self._handlers:
            try:
                handler.handle(item)
            except Exception as exc:
                self._logger.error(f"{self._name} handler {handler!r} raised {exc!r}; continuing")
