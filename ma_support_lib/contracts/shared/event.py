"""Events with ``subscribe`` / ``unsubscribe`` and ``(sender, args)`` callbacks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from ...core.base.logger import ILogger, Logger

T = TypeVar("T")

Callback = Callable[[object, T], object]


class Event(Generic[T]):
    """A list of callbacks called as ``callback(sender, args)``.

    ``unsubscribe`` removes the first callback *equal* to the one given, so a bound method
    written the same way twice (``obj.method``) unsubscribes what it subscribed. A callback
    that raises is logged and does not stop the others or the caller.
    """

    def __init__(self, name: str = "event", logger: ILogger | None = None) -> None:
        self._name = name
        self._logger = logger
        self._callbacks: tuple[Callback[T], ...] = ()
        self._lock = threading.Lock()

    def subscribe(self, callback: Callback[T]) -> None:
        if not callable(callback):
            raise TypeError(f"{self._name}.subscribe needs a callable (sender, args), got {callback!r}")
        with self._lock:
            self._callbacks = (*self._callbacks, callback)

    def unsubscribe(self, callback: Callback[T]) -> None:
        """Remove ``callback``; unknown callbacks are ignored."""
        with self._lock:
            callbacks = list(self._callbacks)
            if callback in callbacks:
                callbacks.remove(callback)
                self._callbacks = tuple(callbacks)

    def fire(self, sender: object, args: T) -> None:
        """Call every callback; exceptions are logged, not raised."""
        for callback in self._callbacks:
            try:
                callback(sender, args)
            except Exception as exc:
                (self._logger or Logger()).error(f"a {self._name} callback raised {exc!r}; continuing")
