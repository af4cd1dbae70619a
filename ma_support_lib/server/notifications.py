"""Session start and stop notification streams, per data source.

A publisher waits (bounded) until every listening stream has written the notification, so a
start notification reaches its listeners before the ``CreateSession`` that caused it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Generic, TypeVar

Message = TypeVar("Message")

#: How long a publisher waits for slow listeners before going on without them.
DELIVERY_TIMEOUT_S = 5.0


class Listener(Generic[Message]):
    """One open notification stream: notifications to write, each with a done-future."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[Message, asyncio.Future[None]]] = asyncio.Queue()

    async def next(self) -> tuple[Message, asyncio.Future[None]]:
        return await self.queue.get()

    def discard_pending(self) -> None:
        """Release publishers waiting on notifications this listener will never write."""
        while not self.queue.empty():
            _, done = self.queue.get_nowait()
            if not done.done():
                done.set_result(None)


class NotificationHub(Generic[Message]):
    """Listeners grouped by exact data source name (there is no wildcard)."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[Listener[Message]]] = {}

    @contextlib.contextmanager
    def listen(self, data_source: str) -> Iterator[Listener[Message]]:
        listener: Listener[Message] = Listener()
        self._listeners.setdefault(data_source, set()).add(listener)
        try:
            yield listener
        finally:
            listeners = self._listeners.get(data_source)
            if listeners is not None:
                listeners.discard(listener)
                if not listeners:
                    del self._listeners[data_source]
            listener.discard_pending()

    def listener_count(self, data_source: str) -> int:
        return len(self._listeners.get(data_source, ()))

    async def publish(self, data_source: str, message: Message, timeout: float = DELIVERY_TIMEOUT_S) -> None:
        """Queue ``message`` to every listener of ``data_source`` and wait until written."""
        listeners = self._listeners.get(data_source)
        if not listeners:
            return
        loop = asyncio.get_running_loop()
        pending = []
        for listener in list(listeners):
            done: asyncio.Future[None] = loop.create_future()
            listener.queue.put_nowait((message, done))
            pending.append(done)
        await asyncio.wait(pending, timeout=timeout)
