"""The data reader (interpolation) over the .NET ``IDataReaderService``.

Each subscription's ``IBatchResultHandler`` is a facade ``BatchRecorder``: batches become
records on the queue of the sample reader the data reader reads (so they arrive in order with
its merging events), or on this service's own queue before one is set. A Python processor is
served to .NET by a :class:`ProcessorServer`. Python handlers run on Python threads only.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from ...contracts.buffering.i_sample_reader_service import ISampleReaderService
from ...contracts.interpolation.i_batch_result_handler import IBatchResultHandler
from ...contracts.interpolation.i_data_reader_service import IDataReaderService
from ...contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from ...processing.subscription_arguments import checked_identifiers
from . import errors, frames
from .processor_server import ProcessorServer
from .pump import EventPump
from .runtime import DotnetRuntime
from .sample_frames import BatchRecord
from .sample_outputs import batch_result
from .sample_reading import DotnetSampleReaderService
from .service import DotnetService


@dataclass(frozen=True)
class _Subscription:
    identifiers: tuple[str, ...]
    handler: IBatchResultHandler
    recorder: Any
    server: ProcessorServer | None


class DotnetDataReaderService(DotnetService, IDataReaderService):
    """See the module docstring. Inputs are checked here first (so errors read the same on
    any C# library); the C# ``Subscribe``'s own refusals come back as failed results."""

    def __init__(self, runtime: DotnetRuntime, service: Any, logger: ILogger) -> None:
        super().__init__(runtime, service, logger)
        self._queue = runtime.bridge.EventQueue()
        self._batches = EventPump(self._queue, self._on_records, "dotnet-data-reader-batches", logger)
        self._subscriptions: dict[str, _Subscription] = {}
        self._lock = threading.Lock()
        self._sample_reader: DotnetSampleReaderService | None = None

    def set_sample_reader_service(self, sample_reader: ISampleReaderService) -> None:
        if not isinstance(sample_reader, DotnetSampleReaderService):
            raise TypeError(
                "set_sample_reader_service: a dotnet data reader reads a sample reader of the dotnet backend, "
                f"got {type(sample_reader).__name__}"
            )
        if self._sample_reader is sample_reader:
            return
        errors.lifecycle("set_sample_reader_service", lambda: self._net.SetSampleReaderService(sample_reader.net))
        self._sample_reader = sample_reader
        sample_reader.add_batch_sink(self._on_batch)
        with self._lock:
            for subscription in self._subscriptions.values():
                subscription.recorder.Queue = sample_reader.queue

    def _on_start(self) -> None:
        self._batches.start()
        super()._on_start()

    def _on_stop(self) -> None:
        try:
            super()._on_stop()
        finally:
            self._batches.drain()  # batches the C# service produced up to its stop
            self._batches.stop()
            with self._lock:
                subscriptions, self._subscriptions = list(self._subscriptions.values()), {}
            for subscription in subscriptions:
                if subscription.server is not None:
                    subscription.server.close()

    def subscribe(
        self,
        subscription_key: str,
        parameter_identifiers: Sequence[str],
        subscription_frequency_hz: float,
        handler: IBatchResultHandler,
        delivery_frequency_hz: Optional[float] = None,
        processor: Optional[ISubscriptionProcessor] = None,
    ) -> ApiResult[bool]:
        action = f"subscribe {subscription_key!r}"
        if self.is_stopped:
            return ApiResult.fail(f"{action}: the service is stopped")
        try:
            checked_identifiers(
                subscription_key, parameter_identifiers, subscription_frequency_hz, handler, delivery_frequency_hz, processor
            )
        except ValueError as exc:
            problem: str | None = str(exc)
        else:
            problem = self._unknown(parameter_identifiers)
        if problem is not None:
            return ApiResult.fail(f"{action}: {problem}")
        with self._lock:
            if subscription_key in self._subscriptions:
                return ApiResult.fail(f"{action}: the key is taken; unsubscribe it first")
        bridge = self._runtime.bridge
        queue = self._sample_reader.queue if self._sample_reader is not None else self._queue
        recorder = bridge.BatchRecorder(queue)
        server = ProcessorServer(bridge, processor, subscription_key, self._logger) if processor is not None else None
        delivery = math.nan if delivery_frequency_hz is None else float(delivery_frequency_hz)
        subscription = _Subscription(tuple(parameter_identifiers), handler, recorder, server)
        with self._lock:
            self._subscriptions = {**self._subscriptions, subscription_key: subscription}
        outcome = errors.done(
            action,
            lambda: bridge.Construction.Subscribe(
                self._net, subscription_key, list(parameter_identifiers), float(subscription_frequency_hz), recorder,
                delivery, server.bridge if server is not None else None,
            ),  # fmt: skip
        )
        if not outcome.success:
            self._forget(subscription_key)
        return outcome

    def unsubscribe(self, subscription_key: str) -> ApiResult[bool]:
        with self._lock:
            if subscription_key not in self._subscriptions:
                return ApiResult.fail(f"unsubscribe: no subscription {subscription_key!r}")
        outcome = errors.done(f"unsubscribe {subscription_key!r}", lambda: self._net.Unsubscribe(subscription_key))
        self._forget(subscription_key)
        return outcome

    def _forget(self, key: str) -> None:
        with self._lock:
            subscription = self._subscriptions.get(key)
            self._subscriptions = {k: s for k, s in self._subscriptions.items() if k != key}
        if subscription is not None and subscription.server is not None:
            subscription.server.close()

    def _unknown(self, identifiers: Sequence[str]) -> str | None:
        known = self._sample_reader.known_parameters() if self._sample_reader is not None else frozenset()
        unknown = [i for i in identifiers if i not in known] if known else []
        return f"unknown parameters {unknown!r} (not in any data read so far)" if unknown else None

    # -- delivery (on a pump thread) ---------------------------------------------------------

    def _on_records(self, records: list[frames.Record]) -> None:
        for record in records:
            if isinstance(record, BatchRecord):
                self._on_batch(record)

    def _on_batch(self, record: BatchRecord) -> None:
        subscription = self._subscriptions.get(record.subscription_key)
        if subscription is None or not self.is_started:
            return
        take = subscription.server.take if subscription.server is not None else _no_python_results
        try:
            batch = batch_result(record, subscription.identifiers, take)
        except KeyError as exc:
            self._logger.error(f"data reader {record.subscription_key!r}: a batch names an unknown result handle {exc}")
            return
        try:
            subscription.handler.handle(batch)
        except Exception as exc:
            self._logger.error(f"data reader {record.subscription_key!r}: handler {subscription.handler!r} raised {exc!r}; continuing")


def _no_python_results(handle: int) -> Any:
    raise KeyError(handle)
