"""Delivering on Python threads what .NET threads queued.

.NET threads never call into Python: the facade's recorders append records to an
``EventQueue``; an :class:`EventPump` thread waits on it (the GIL is released while it waits
in .NET), takes everything pending in one call and hands the decoded records to ``deliver``.
``drain`` delivers what is pending on the calling thread, so events a call raised
synchronously are delivered before the call returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ...core.base.logger import ILogger
from . import frames

#: How long one wait in .NET lasts before the pump checks whether it should stop.
WAIT_MS = 100


class EventPump:
    """One Python thread delivering the records of one .NET ``EventQueue``, in order."""

    def __init__(self, queue: Any, deliver: Callable[[list[frames.Record]], None], name: str, logger: ILogger) -> None:
        self.queue = queue
        self._deliver = deliver
        self._logger = logger
        self._name = name
        self._lock = threading.Lock()  # taking and delivering, so batches keep their order
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def drain(self) -> None:
        """Deliver what is pending now, on this thread."""
        with self._lock:
            self._take_and_deliver()

    def stop(self) -> None:
        """Stop delivering; records still pending are dropped."""
        self._stopping.set()
        self.queue.Close()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            if self.queue.Wait(WAIT_MS):
                with self._lock:
                    self._take_and_deliver()

    def _take_and_deliver(self) -> None:
        if self._stopping.is_set():
            return
        taken = self.queue.Take()
        if len(taken) == 0:
            return
        try:
            self._deliver(frames.records(bytes(memoryview(taken))))
        except Exception as exc:
            self._logger.error(f"{self._name}: delivering .NET records raised {exc!r}")
