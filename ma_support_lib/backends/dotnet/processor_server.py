"""A Python subscription processor serving a .NET ``ProcessorBridge``.

The bridge is the ``ISubscriptionProcessor`` the C# data reader calls; it queues each
``ProcessContext`` and waits. A Python thread takes the requests, calls ``process``, keeps the
result under a handle and answers with it (or with the exception, which the .NET call then
throws). Batches bring the handles back; :meth:`take` turns them into the results again.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from ...contracts.interpolation.data_point import DataPoint
from ...contracts.interpolation.i_process_result import IProcessResult
from ...contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ...contracts.interpolation.process_context import ProcessContext
from ...core.base.logger import ILogger
from . import frames
from .pump import EventPump
from .sample_frames import ProcessRequest


class ProcessorServer:
    def __init__(self, bridge: Any, processor: ISubscriptionProcessor, name: str, logger: ILogger) -> None:
        self._processor = processor
        self._logger = logger
        self._name = name
        self._results: dict[int, IProcessResult] = {}
        self._handles = itertools.count(1)
        self._lock = threading.Lock()
        self.bridge = bridge.ProcessorBridge(bridge.EventQueue())
        self._pump = EventPump(self.bridge.Requests, self._serve, f"dotnet-processor-{name}", logger)
        self._pump.start()

    def take(self, handle: int) -> IProcessResult:
        with self._lock:
            return self._results.pop(handle)

    def close(self) -> None:
        """Pending and later .NET calls of the processor throw; results not delivered are dropped."""
        self.bridge.Close()
        self._pump.stop()
        with self._lock:
            self._results.clear()

    def _serve(self, records: list[frames.Record]) -> None:
        for record in records:
            if isinstance(record, ProcessRequest):
                self._answer(record)

    def _answer(self, request: ProcessRequest) -> None:
        points = [
            DataPoint(request.parameter_id, time, value)
            for time, value in zip(request.timestamps.tolist(), request.values.tolist())
        ]
        context = ProcessContext(request.parameter_id, request.start, request.end, points)
        try:
            result = self._processor.process(context)
            if not isinstance(result, IProcessResult):
                raise TypeError(f"process() returned {type(result).__name__}, not an IProcessResult")
        except Exception as exc:
            self._logger.error(
                f"data reader {self._name!r}: processor {self._processor!r} raised {exc!r} for {request.parameter_id} "
                f"[{request.start}, {request.end}); the C# data reader gets the error"
            )
            self.bridge.Fail(request.request_id, repr(exc))
            return
        with self._lock:
            handle = next(self._handles)
            self._results[handle] = result
        self.bridge.Reply(
            request.request_id, result.identifier, result.interval_start_time_nano, result.interval_end_time_nano, handle
        )
