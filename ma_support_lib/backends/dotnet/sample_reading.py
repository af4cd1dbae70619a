"""The sample reader (buffering) over the .NET ``ISampleReaderService``.

The facade's recorder is the .NET service's ``IHandler<ITimestampData>`` and
``IHandler<ISampleData>`` (registered for a kind once a Python handler of that kind is added)
and records the merging events; a Python thread delivers them. Windows
(``add_window_handler``) are built from the TimestampData records. Values the facade cannot
carry (a value type it does not know) are skipped: counted (:meth:`skipped_values`) and logged
once per type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...contracts.buffering.i_sample_reader_service import ISampleReaderService
from ...contracts.buffering.sample_data import SampleData
from ...contracts.buffering.sample_window import SampleWindow
from ...contracts.buffering.timestamp_data import TimestampData
from ...contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ...contracts.shared.api_result import ApiResult
from ...contracts.shared.i_handler import IHandler
from ...core.base.logger import ILogger
from ...core.handler_list import HandlerList
from ...processing.handlers import add_typed_handler
from . import errors, frames
from .packet_reading import DotnetPacketReaderService
from .runtime import DotnetRuntime
from .sample_frames import BatchRecord, SampleRecord, TimestampRecord, last_times
from .sample_outputs import sample_data, sample_window, timestamp_data
from .service import DotnetService, encoded, forward_log


class DotnetSampleReaderService(DotnetService, ISampleReaderService):
    """See the module docstring. ``known_parameters`` are the identifiers that had samples in
    the data delivered so far (noted by the facade whether or not Python handles it)."""

    #: A C# sample reader flushes its sessions when it stops; that data reaches the handlers.
    DRAIN_ON_STOP = True
    EVENTS = {
        "SessionDataMergingStarted": "session_data_merging_started",
        "SessionDataMergingCompleted": "session_data_merging_completed",
    }

    def __init__(self, runtime: DotnetRuntime, service: Any, logger: ILogger) -> None:
        super().__init__(runtime, service, logger, runtime.bridge.SampleReaderRecorder)
        self._reader: DotnetPacketReaderService | None = None
        self._timestamp_handlers: HandlerList[TimestampData] = HandlerList("timestamp data", self._logger)
        self._sample_handlers: HandlerList[SampleData] = HandlerList("sample data", self._logger)
        self._window_handlers: HandlerList[SampleWindow] = HandlerList("sample window", self._logger)
        self._batch_sinks: tuple[Callable[[BatchRecord], None], ...] = ()

    @property
    def queue(self) -> Any:
        """The .NET queue this service's records go to, in .NET order."""
        return self._recorder.Queue

    def add_batch_sink(self, sink: Callable[[BatchRecord], None]) -> None:
        """Deliver the batch records that arrive on :attr:`queue` (a data reader's) to ``sink``,
        in order with this service's records."""
        self._batch_sinks = (*self._batch_sinks, sink)

    def set_reader_service(self, reader: IPacketReaderService) -> None:
        if not isinstance(reader, DotnetPacketReaderService):
            raise TypeError(
                f"set_reader_service: a dotnet sample reader reads a packet reader of the dotnet backend, got {type(reader).__name__}"
            )
        errors.lifecycle("set_reader_service", lambda: self._net.SetReaderService(reader.net))
        self._reader = reader

    # -- handlers ----------------------------------------------------------------------------

    def add_handler(self, handler: IHandler[Any]) -> None:
        add_typed_handler(self, handler)

    def add_timestamp_handler(self, handler: IHandler[TimestampData]) -> None:
        self._timestamp_handlers.add(handler)
        self._recorder.WantTimestamps()

    def add_sample_handler(self, handler: IHandler[SampleData]) -> None:
        self._sample_handlers.add(handler)
        self._recorder.WantSamples()

    def add_window_handler(self, handler: IHandler[SampleWindow]) -> None:
        self._window_handlers.add(handler)
        self._recorder.WantTimestamps()

    def remove_handler(self, handler: IHandler[Any]) -> None:
        for handlers in (self._timestamp_handlers, self._sample_handlers, self._window_handlers):
            handlers.remove(handler)

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe(self, parameter_identifiers: Iterable[str]) -> ApiResult[bool]:
        return self._identifiers_call("subscribe", parameter_identifiers, self._net.Subscribe)

    def subscribe_all(self) -> ApiResult[bool]:
        return errors.done("subscribe_all", self._net.SubscribeAll)

    def unsubscribe(self, parameter_identifiers: Iterable[str]) -> ApiResult[bool]:
        return self._identifiers_call("unsubscribe", parameter_identifiers, self._net.Unsubscribe)

    def unsubscribe_all(self) -> ApiResult[bool]:
        return errors.done("unsubscribe_all", self._net.UnsubscribeAll)

    def _identifiers_call(self, action: str, identifiers: Iterable[str], call: Any) -> ApiResult[bool]:
        if isinstance(identifiers, (str, bytes)) or not isinstance(identifiers, Iterable):
            return ApiResult.fail(f"{action}: parameter_identifiers must be a list of str, got {identifiers!r}")
        names = list(identifiers)
        if not all(isinstance(name, str) and name for name in names):
            return ApiResult.fail(f"{action}: parameter identifiers must be non-empty str, got {names!r}")
        strings = self._runtime.bridge.Construction.Strings(names)
        return errors.done(action, lambda: call(strings))

    def get_last_time_info(self, data_source: str, session_key: str) -> list[tuple[str, int]]:
        infos = errors.lifecycle("get_last_time_info", lambda: self._net.GetLastTimeInfo(data_source, session_key))
        return last_times(encoded(self._runtime.bridge.SampleCodec.LastTimes(infos)))

    def known_parameters(self) -> frozenset[str]:
        return frozenset(str(name) for name in self._recorder.Known())

    def skipped_values(self) -> int:
        """How many values the facade skipped because it cannot carry their type."""
        return int(self._recorder.Skipped)

    # -- delivery (on the pump thread) -------------------------------------------------------

    def _deliver(self, records: list[frames.Record]) -> None:
        for record in records:
            if isinstance(record, TimestampRecord):
                if self._timestamp_handlers:
                    self._timestamp_handlers.deliver(timestamp_data(record))
                window = sample_window(record) if self._window_handlers else None
                if window is not None:
                    self._window_handlers.deliver(window)
            elif isinstance(record, SampleRecord):
                self._sample_handlers.deliver(sample_data(record))
            elif isinstance(record, BatchRecord):
                for sink in self._batch_sinks:
                    sink(record)
            elif isinstance(record, frames.EventRecord):
                self._fire(record)
            elif isinstance(record, frames.LogRecord):
                forward_log(self._logger, record, "[C#] ")
