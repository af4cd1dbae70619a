"""The handler list every reader delivers through: order, removal, handlers that raise."""

from __future__ import annotations

import pytest

from ma_support_lib.core.base.logger import ILogger
from ma_support_lib.core.handler_list import HandlerList


class _Errors(ILogger):
    def __init__(self) -> None:
        self.errors: list[str] = []

    def debug(self, message: str) -> None: ...

    def info(self, message: str) -> None: ...

    def warning(self, message: str) -> None: ...

    def error(self, message: str) -> None:
        self.errors.append(message)


class _Recorder:
    def __init__(self, name: str, seen: list[tuple[str, int]], fails: bool = False) -> None:
        self.name, self.seen, self.fails = name, seen, fails

    def handle(self, item: int) -> None:
        self.seen.append((self.name, item))
        if self.fails:
            raise RuntimeError("handler bug")


def test_delivers_in_order_and_goes_on_after_a_handler_raises() -> None:
    logger, seen = _Errors(), list[tuple[str, int]]()
    handlers: HandlerList[int] = HandlerList("number", logger)
    handlers.add(_Recorder("a", seen, fails=True))
    handlers.add(_Recorder("b", seen))
    handlers.deliver(1)
    assert seen == [("a", 1), ("b", 1)]
    assert len(logger.errors) == 1 and "number handler" in logger.errors[0] and "handler bug" in logger.errors[0]


def test_remove_takes_one_occurrence_and_ignores_unknown_handlers() -> None:
    seen: list[tuple[str, int]] = []
    handlers: HandlerList[int] = HandlerList("number", _Errors())
    twice = _Recorder("t", seen)
    handlers.add(twice)
    handlers.add(twice)
    handlers.remove(twice)
    handlers.remove(_Recorder("never added", seen))
    handlers.deliver(2)
    assert seen == [("t", 2)]
    handlers.remove(twice)
    assert not handlers


def test_a_handler_without_handle_is_refused_with_the_argument_named() -> None:
    handlers: HandlerList[int] = HandlerList("packet", _Errors(), argument="packet")
    with pytest.raises(TypeError, match=r"a packet handler needs a handle\(packet\) method"):
        handlers.add(object())  # type: ignore[arg-type]
