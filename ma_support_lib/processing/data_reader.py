"""The data reader service: merged samples in, one result per parameter and interval out."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Optional

from ..contracts.buffering.i_sample_reader_service import ISampleReaderService
from ..contracts.buffering.sample_window import SampleWindow
from ..contracts.interpolation.i_batch_result_handler import IBatchResultHandler
from ..contracts.interpolation.i_data_reader_service import IDataReaderService
from ..contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ..contracts.shared.api_result import ApiResult
from ..contracts.shared.i_handler import IHandler
from ..core.base.logger import ILogger
from ..core.base.service_base import ServiceBase
from .frequencies import DEFAULT_DELIVERY_HZ, period_ns
from .processors.aggregate import DefaultProcessor
from .samples import NumericColumns
from .subscription_arguments import checked_identifiers
from .subscription import Subscription


class _WindowInput(IHandler[SampleWindow]):
    def __init__(self, owner: DataReaderService) -> None:
        self._owner = owner

    def handle(self, obj: SampleWindow) -> None:
        self._owner._on_window(obj)


class DataReaderService(ServiceBase, IDataReaderService):
    """Runs its subscriptions on the windows of the sample reader given to
    ``set_sample_reader_service``, on that reader's threads.

    ``subscribe`` also subscribes the sample reader to the parameters (``unsubscribe`` leaves
    them subscribed there: another subscription may use them). ``delivery_frequency_hz``
    defaults to 10 Hz, or the subscription frequency when that is lower; ``processor``
    defaults to :class:`DefaultProcessor`. A parameter the session never had (no samples, no
    definition) is reported through the logger when the session ends.
    """

    def __init__(self, logger: ILogger) -> None:
        super().__init__(logger)
        self._sample_reader: ISampleReaderService | None = None
        self._subscriptions: dict[str, Subscription] = {}
        self._lock = threading.Lock()
        self._input = _WindowInput(self)

    def set_sample_reader_service(self, sample_reader: ISampleReaderService) -> None:
        if self._sample_reader is not None and self._sample_reader is not sample_reader:
            raise ValueError("set_sample_reader_service: this data reader already reads another sample reader")
        if self._sample_reader is None:
            self._sample_reader = sample_reader
            sample_reader.add_window_handler(self._input)
            with self._lock:
                identifiers = {i for s in self._subscriptions.values() for i in s.identifiers}
            if identifiers:
                sample_reader.subscribe(sorted(identifiers))

    def _on_stop(self) -> None:
        if self._sample_reader is not None:
            self._sample_reader.remove_handler(self._input)

    def subscribe(
        self,
        subscription_key: str,
        parameter_identifiers: Sequence[str],
        subscription_frequency_hz: float,
        handler: IBatchResultHandler,
        delivery_frequency_hz: Optional[float] = None,
        processor: Optional[ISubscriptionProcessor] = None,
    ) -> ApiResult[bool]:
        if self.is_stopped:
            return ApiResult.fail("subscribe: the service is stopped")
        try:
            subscription = self._subscription(
                subscription_key, parameter_identifiers, subscription_frequency_hz, handler,
                delivery_frequency_hz, processor,
            )  # fmt: skip
        except ValueError as exc:
            return ApiResult.fail(f"subscribe {subscription_key!r}: {exc}")
        with self._lock:
            if subscription_key in self._subscriptions:
                return ApiResult.fail(f"subscribe: the key {subscription_key!r} is taken; unsubscribe it first")
            self._subscriptions = {**self._subscriptions, subscription_key: subscription}
        if self._sample_reader is not None:
            self._sample_reader.subscribe(list(subscription.identifiers))
        return ApiResult.ok(True)

    def _subscription(
        self,
        key: str,
        parameter_identifiers: Sequence[str],
        frequency_hz: float,
        handler: IBatchResultHandler,
        delivery_hz: Optional[float],
        processor: Optional[ISubscriptionProcessor],
    ) -> Subscription:
        identifiers = checked_identifiers(key, parameter_identifiers, frequency_hz, handler, delivery_hz, processor)
        unknown = self._unknown(identifiers)
        if unknown:
            raise ValueError(f"unknown parameters {unknown!r} (not in any data format or configuration read so far)")
        period = period_ns("subscription_frequency_hz", frequency_hz)
        if delivery_hz is None:
            delivery_hz = min(float(frequency_hz), DEFAULT_DELIVERY_HZ)
        delivery = period_ns("delivery_frequency_hz", delivery_hz)
        chosen = processor if processor is not None else DefaultProcessor()
        return Subscription(key, identifiers, period, delivery, handler, chosen, self._logger)

    def _unknown(self, identifiers: list[str]) -> list[str]:
        """The identifiers the sample reader has not seen, once it has seen any."""
        known = self._sample_reader.known_parameters() if self._sample_reader is not None else frozenset()
        return [i for i in identifiers if i not in known] if known else []

    def unsubscribe(self, subscription_key: str) -> ApiResult[bool]:
        with self._lock:
            if subscription_key not in self._subscriptions:
                return ApiResult.fail(f"unsubscribe: no subscription {subscription_key!r}")
            self._subscriptions = {k: s for k, s in self._subscriptions.items() if k != subscription_key}
        return ApiResult.ok(True)

    def _on_window(self, window: SampleWindow) -> None:
        if not self.is_started:
            return
        numeric = NumericColumns(window, self._logger)
        for subscription in self._subscriptions.values():
            try:
                missing = subscription.on_window(window, numeric)
            except Exception as exc:  # a custom processor that raised
                self._logger.error(f"data reader {subscription.key!r}: processing failed: {exc!r}; continuing")
                continue
            unknown = self._unknown(sorted(missing)) if missing else []
            if unknown:
                self._logger.error(
                    f"data reader {subscription.key!r}: session {window.session_key} has no parameters {unknown!r} "
                    "(no samples and no definition); their results are empty"
                )
