"""A timer thread that runs a check at a fixed period until stopped."""

from __future__ import annotations

import threading
from collections.abc import Callable


class PeriodicCheck:
    """Calls ``check`` every ``period_s`` seconds on a daemon thread, from ``start`` until
    ``stop`` (which waits for a call in progress to finish). An exception ``check`` raises
    goes to ``on_error`` and the checks go on."""

    def __init__(
        self, name: str, check: Callable[[], object], period_s: float, on_error: Callable[[Exception], object]
    ) -> None:
        self._check = check
        self._on_error = on_error
        self._period_s = period_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self._period_s):
            try:
                self._check()
            except Exception as exc:
                self._on_error(exc)
