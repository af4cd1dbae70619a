"""Packet writing over the .NET ``IPacketWriterService``, many packets per bridge call.

``write_data`` checks a packet and appends it to a batch (a ``Route`` record when the
destination changes, then the packet); a sender thread hands the whole batch to the facade's
``WriterBridge.WriteBatch`` by address and length, which calls ``WriteData`` for each packet
inside .NET. Refusals are reported by the next ``write_data``/``flush`` and the logger.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

from ...contracts.packet_writing.i_packet_writer_service import IPacketWriterService
from ...contracts.packet_writing.info_type import InfoType
from ...contracts.packet_writing.packet_bytes import PacketBytes
from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from ..checks import check_write_data, info_packet_data
from . import errors, frames
from .runtime import DotnetRuntime
from .service import DotnetService

#: Most bytes batched before ``write_data`` waits for the sender (back-pressure).
QUEUE_BYTES = 64 * 1024 * 1024
#: How long ``write_data`` waits for batch space, and ``stop`` for the last batch.
QUEUE_WAIT_S = 30.0
_WRITTEN: ApiResult[bool] = ApiResult.ok(True)


def _with_address(buffer: bytearray, call: Any) -> Any:
    """``call(address, length)`` with ``buffer``'s memory pinned for the call."""
    view = (ctypes.c_char * len(buffer)).from_buffer(buffer)
    try:
        return call(ctypes.addressof(view), len(buffer))
    finally:
        del view


class DotnetPacketWriterService(DotnetService, IPacketWriterService):
    """Batches packets for the .NET writer; see the module docstring."""

    def __init__(self, runtime: DotnetRuntime, service: Any, logger: ILogger) -> None:
        super().__init__(runtime, service, logger)
        self._bridge = runtime.bridge.WriterBridge(service)
        self._cond = threading.Condition()
        self._batch = bytearray()
        self._route: tuple[str, str, str] | None = None
        self._batched = 0  # packets in _batch
        self._enqueued = 0  # packets accepted by write_data
        self._settled = 0  # packets the .NET writer has taken (written or refused)
        self._failure: str | None = None
        self._closing = False
        self._thread: threading.Thread | None = None

    def _on_start(self) -> None:
        super()._on_start()
        self._thread = threading.Thread(target=self._send_loop, name="dotnet-packet-writer", daemon=True)
        self._thread.start()

    def _on_stop(self) -> None:
        result = self.flush(QUEUE_WAIT_S)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        if not result.success:
            self._logger.error(f"packet writer stopped with packets not written: {result.message}")
        super()._on_stop()

    def write_data(self, data_source: str, stream: str, session_key: str, packet_bytes: PacketBytes) -> ApiResult[bool]:
        refusal = self.refusal("write_data")
        if refusal is not None:
            return ApiResult.fail(refusal)
        data, problem = check_write_data(data_source, stream, session_key, packet_bytes)
        if problem is not None:
            return ApiResult.fail(problem)
        route = (data_source, stream, session_key)
        with self._cond:
            failure, self._failure = self._failure, None
            if failure is not None:
                return ApiResult.fail(failure)
            if len(self._batch) >= QUEUE_BYTES and not self._closing:
                if not self._cond.wait_for(lambda: len(self._batch) < QUEUE_BYTES or self._closing, QUEUE_WAIT_S):
                    return ApiResult.fail(f"write_data: the batch stayed full for {QUEUE_WAIT_S:g} s")
            if self._closing:
                return ApiResult.fail("write_data: the service is stopping")
            if not self._batch:
                self._cond.notify_all()
            if route != self._route:
                self._batch += frames.route(*route)
                self._route = route
            self._batch += frames.packet_header(len(data))
            self._batch += data
            self._batched += 1
            self._enqueued += 1
        return _WRITTEN

    def write_info(self, packet_bytes: PacketBytes, info_type: InfoType = InfoType.SESSION_INFO) -> ApiResult[bool]:
        def call() -> Any:
            data = info_packet_data(packet_bytes)
            kind = int(InfoType(info_type))
            return _with_address(bytearray(data), lambda at, size: self._bridge.WriteInfo(at, size, kind))

        return errors.service_result(self, "write_info", call, bool)

    def flush(self, timeout: float | None = None) -> ApiResult[bool]:
        with self._cond:
            target = self._enqueued
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: self._settled >= target or self._closing, timeout=timeout):
                return ApiResult.fail(f"flush: {target - self._settled} packet(s) still not written after {timeout:g} s")
            failure, self._failure = self._failure, None
        return ApiResult.fail(failure) if failure is not None else _WRITTEN

    def _send_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._batch) or self._closing)
                if not self._batch:
                    return
                batch, count = self._batch, self._batched
                self._batch, self._batched, self._route = bytearray(), 0, None
                self._cond.notify_all()
            try:
                message = str(_with_address(batch, self._bridge.WriteBatch))
            except Exception as exc:
                message = f"{count} packet(s) not written: {errors.describe(exc)}"
            with self._cond:
                self._settled += count
                if message:
                    self._logger.error(f"packet writer: {message}")
                    self._failure = message
                self._cond.notify_all()

