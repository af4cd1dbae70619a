"""The lifecycle every service (and the library object) shares."""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod

from .event import Event


class IService(ABC):
    """``initialise()``, then ``start()``; ``stop()`` at the end (idempotent).

    Events ``initialised``, ``started`` and ``stopped`` carry the UTC time of the change.
    """

    id: str
    #: Names of the events this interface declares (created by the service base class).
    EVENT_NAMES: tuple[str, ...] = ("initialised", "started", "stopped")

    initialised: Event[datetime.datetime]
    started: Event[datetime.datetime]
    stopped: Event[datetime.datetime]

    @property
    @abstractmethod
    def is_initialised(self) -> bool: ...

    @property
    @abstractmethod
    def is_started(self) -> bool: ...

    @abstractmethod
    def initialise(self) -> None: ...

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...
