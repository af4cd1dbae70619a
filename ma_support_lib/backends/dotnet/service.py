"""What every .NET-backed service shares: lifecycle calls and event delivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from ...core.base.service_base import ServiceBase
from . import errors, frames
from .pump import EventPump
from .runtime import DotnetRuntime

T = TypeVar("T")


class DotnetService(ServiceBase):
    """A library service over a .NET ``IModuleApiService``.

    ``EVENTS`` maps C# event names to this service's events; a subclass that has events
    passes the facade's recorder type for its .NET service to ``__init__``: the recorder
    queues what the .NET events carry, and a pump delivers it on a Python thread (and
    synchronously after each call, so events a call raised arrive before it returns).
    """

    EVENTS: dict[str, str] = {}
    #: Whether ``stop()`` delivers what the .NET service queued up to its stop (else it is dropped).
    DRAIN_ON_STOP = False

    def __init__(self, runtime: DotnetRuntime, service: Any, logger: ILogger, recorder: Any = None) -> None:
        super().__init__(logger)
        self._runtime = runtime
        self._net = service
        self._recorder: Any = None
        self._pump: EventPump | None = None
        if recorder is not None:
            self._recorder = recorder(service, runtime.bridge.EventQueue())
            name = f"dotnet-{type(self).__name__}-events"
            self._pump = EventPump(self._recorder.Queue, self._deliver, name, self._logger)

    @property
    def net(self) -> Any:
        """The .NET service (for wiring services of the same backend together)."""
        return self._net

    def _on_initialise(self) -> None:
        errors.lifecycle(f"{type(self).__name__}.initialise()", self._net.Initialise)

    def _on_start(self) -> None:
        if self._pump is not None:
            self._pump.start()
        errors.lifecycle(f"{type(self).__name__}.start()", self._net.Start)

    def _on_stop(self) -> None:
        try:
            if self._net.IsStarted:
                errors.lifecycle(f"{type(self).__name__}.stop()", self._net.Stop)
        finally:
            if self._recorder is not None:
                self._recorder.Detach()
            if self._pump is not None:
                if self.DRAIN_ON_STOP:
                    self._pump.drain()
                self._pump.stop()

    def _call(self, action: str, call: Callable[[], Any], convert: Callable[[Any], T]) -> ApiResult[T]:
        """A .NET call returning ``ApiResult<...>``, refused when not started."""
        outcome = errors.service_result(self, action, call, convert)
        if self._pump is not None and self.is_started:
            self._pump.drain()
        return outcome

    def _deliver(self, records: list[frames.Record]) -> None:
        for record in records:
            if isinstance(record, frames.EventRecord):
                self._fire(record)

    def _fire(self, record: frames.EventRecord) -> None:
        name = self.EVENTS.get(record.name)
        if name is None:
            self._logger.warning(f"{type(self).__name__}: no Python event for the .NET event {record.name}")
            return
        getattr(self, name).fire(self, record.args)


def encoded(data: Any) -> bytes:
    """The bytes of a .NET ``byte[]`` (through the buffer protocol, not element by element)."""
    return bytes(memoryview(data))
