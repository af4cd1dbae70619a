"""Handler lists that deliver to every handler and survive handlers that raise."""

from __future__ import annotations

import threading
import typing
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..contracts.shared.i_handler import IHandler
from ..core.base.logger import ILogger

if TYPE_CHECKING:
    from ..contracts.buffering.i_sample_reader_service import ISampleReaderService

T = TypeVar("T")


class HandlerList(Generic[T]):
    """Copy-on-write list of handlers; ``deliver`` logs a handler that raises and goes on."""

    def __init__(self, name: str, logger: ILogger) -> None:
        self._name = name
        self._logger = logger
        self._handlers: tuple[IHandler[T], ...] = ()
        self._lock = threading.Lock()

    def add(self, handler: IHandler[T]) -> None:
        if not callable(getattr(handler, "handle", None)):
            raise TypeError(f"a {self._name} handler needs a handle(item) method, got {handler!r}")
        with self._lock:
            self._handlers = (*self._handlers, handler)

    def remove(self, handler: object) -> None:
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


def handled_type(handler: object) -> object | None:
    """``X`` for a handler whose class derives from ``IHandler[X]``, else None."""
    for cls in type(handler).__mro__:
        for base in getattr(cls, "__orig_bases__", ()):
            if typing.get_origin(base) is IHandler:
                arguments: tuple[Any, ...] = typing.get_args(base)
                return arguments[0] if arguments else None
    return None


def add_typed_handler(service: ISampleReaderService, handler: IHandler[Any]) -> None:
    """``ISampleReaderService.add_handler``: the ``add_..._handler`` its generic base names."""
    from ..contracts.buffering.sample_data import SampleData
    from ..contracts.buffering.sample_window import SampleWindow
    from ..contracts.buffering.timestamp_data import TimestampData

    kind = handled_type(handler)
    if kind is TimestampData:
        service.add_timestamp_handler(handler)
    elif kind is SampleData:
        service.add_sample_handler(handler)
    elif kind is SampleWindow:
        service.add_window_handler(handler)
    else:
        raise TypeError(
            f"add_handler: cannot tell what {type(handler).__name__} handles; derive it from "
            "IHandler[TimestampData] or IHandler[SampleData], or use add_timestamp_handler / add_sample_handler"
        )
