"""The data sources a library object knows of."""

from __future__ import annotations

import threading

DEFAULT_DATA_SOURCE = "Default"


class DataSources:
    """``Default`` plus every data source the library has used (thread-safe)."""

    def __init__(self) -> None:
        self._names = {DEFAULT_DATA_SOURCE}
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        if name and name not in self._names:
            with self._lock:
                self._names.add(name)

    def known(self) -> set[str]:
        with self._lock:
            return set(self._names)
