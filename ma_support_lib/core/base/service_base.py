"""The lifecycle shared by the library object and every service."""

from __future__ import annotations

import datetime
import threading
import uuid

from ...contracts.shared.event import Event
from ...contracts.shared.i_service import IService
from ...errors import ServiceStateError
from .logger import ILogger, Logger


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class ServiceBase(IService):
    """``initialise`` -> ``start`` -> ``stop``, with the lifecycle events.

    Subclasses implement ``_on_initialise``, ``_on_start`` and ``_on_stop``. Every event
    named in an ``EVENT_NAMES`` of the class's interfaces is created here. ``initialise`` and
    ``start`` are no-ops when already done; ``start`` before ``initialise`` and anything after
    ``stop`` raise :class:`ServiceStateError`; ``stop`` may be called at any time.
    """

    def __init__(self, logger: ILogger | None = None) -> None:
        self.id = str(uuid.uuid4())
        self._logger: ILogger = logger or Logger()
        self._state_lock = threading.RLock()
        self._initialised = False
        self._started = False
        self._stopped = False
        for cls in type(self).__mro__:
            for name in vars(cls).get("EVENT_NAMES", ()):
                if name not in self.__dict__:
                    setattr(self, name, Event(f"{type(self).__name__}.{name}", self._logger))

    @property
    def is_initialised(self) -> bool:
        return self._initialised

    @property
    def is_started(self) -> bool:
        return self._started and not self._stopped

    @property
    def is_stopped(self) -> bool:
        return self._stopped

    def initialise(self) -> None:
        with self._state_lock:
            self._refuse_if_stopped("initialise")
            if self._initialised:
                return
            self._on_initialise()
            self._initialised = True
        self.initialised.fire(self, utc_now())

    def start(self) -> None:
        with self._state_lock:
            self._refuse_if_stopped("start")
            if not self._initialised:
                raise ServiceStateError(f"{type(self).__name__}.start() called before initialise()")
            if self._started:
                return
            self._on_start()
            self._started = True
        self.started.fire(self, utc_now())

    def stop(self) -> None:
        with self._state_lock:
            if self._stopped:
                return
            self._stopped = True
            try:
                self._on_stop()
            finally:
                self._started = False
        self.stopped.fire(self, utc_now())

    def _on_initialise(self) -> None:
        """Prepare the service (may reach the server)."""

    def _on_start(self) -> None:
        """Begin background work."""

    def _on_stop(self) -> None:
        """End background work and release resources."""

    def _refuse_if_stopped(self, action: str) -> None:
        if self._stopped:
            raise ServiceStateError(f"{type(self).__name__}.{action}() called after stop(); create a new service")

    def refusal(self, action: str) -> str | None:
        """Why the service cannot serve ``action`` now, or ``None`` when it can."""
        if self._stopped:
            return f"{action}: the service is stopped"
        if not self._started:
            return f"{action}: the service is not started; call initialise() and start() first"
        return None
