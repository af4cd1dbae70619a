"""The two streaming hot paths of a server, called from the process that runs it.

A library that hosts its own server (its embedded mode) writes and reads packets through
these instead of through a socket: the same guarded handlers run on the server's event loop,
with the same errors and statuses, but a packet crosses one thread boundary each way
instead of four (gRPC's request consumer, completion-queue poller and channel threads).
Unary calls still go over gRPC; they are not on the per-packet path.

Calls look like gRPC's synchronous ones: ``write_data_packets(iterator of serialized
requests)`` returns the response or raises, ``read_packets(request)`` returns an iterable of
responses with ``cancel()``. Failures are :class:`LocalRpcError`, a :class:`grpc.RpcError`
with ``code()`` and ``details()``. Both directions are flow-controlled (a bounded number of
messages in flight), as HTTP/2 would.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar

import grpc
from google.protobuf.message import Message

from ..protos import api_pb2

T = TypeVar("T")

#: Messages one call may have in flight between the caller's thread and the event loop.
WINDOW = 16


class LocalRpcError(grpc.RpcError):
    """A failed in-process call: the status the server's handler gave, as over gRPC."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self._code = code
        self._details = details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class _Context:
    """The part of a servicer context the handlers use: ``abort``."""

    async def abort(self, code: grpc.StatusCode, details: str = "") -> None:
        raise LocalRpcError(code, details)


_END = object()


def _stopped() -> LocalRpcError:
    return LocalRpcError(grpc.StatusCode.UNAVAILABLE, "the in-process Stream API server stopped")


def _cancelled() -> LocalRpcError:
    return LocalRpcError(grpc.StatusCode.CANCELLED, "cancelled by the client")


def _failure(exc: BaseException) -> LocalRpcError:
    if isinstance(exc, LocalRpcError):
        return exc
    if isinstance(exc, (asyncio.CancelledError, concurrent.futures.CancelledError)):
        return _stopped()
    return LocalRpcError(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}: {exc}")


class LocalCalls:
    """``WriteDataPackets`` and ``ReadPackets`` of a server running on ``loop``, for callers on
    other threads of the same process. :meth:`close` ends every call still running."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, write_data_packets: Callable[..., Any], read_packets: Callable[..., Any]
    ) -> None:
        self._loop = loop
        self._write = write_data_packets
        self._read = read_packets
        self._lock = threading.Lock()
        self._running: set[concurrent.futures.Future[Any]] = set()
        self._closed = False

    def _submit(self, coroutine: Any) -> concurrent.futures.Future[Any]:
        with self._lock:
            if self._closed:
                coroutine.close()
                raise _stopped()
            future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
            self._running.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def close(self) -> None:
        """Cancel the calls still running (their callers get ``UNAVAILABLE``); refuse new ones."""
        with self._lock:
            self._closed = True
            running = list(self._running)
        for future in running:
            future.cancel()

    # -- WriteDataPackets --------------------------------------------------------------------

    def write_data_packets(self, requests: Iterator[bytes]) -> api_pb2.WriteDataPacketsResponse:
        """Stream serialized ``WriteDataPacketsRequest``s to the handler; its response once
        every request is stored, or :class:`LocalRpcError`."""
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        window = threading.Semaphore(WINDOW)

        async def incoming() -> AsyncIterator[api_pb2.WriteDataPacketsRequest]:
            while True:
                item = await inbox.get()
                window.release()
                if item is _END:
                    return
                yield item

        future = self._submit(self._write(incoming(), _Context()))
        future.add_done_callback(lambda _: window.release(WINDOW + 1))  # unblock a waiting sender
        put = inbox.put_nowait
        try:
            for data in requests:
                request = api_pb2.WriteDataPacketsRequest.FromString(data)
                window.acquire()
                if future.done():
                    break
                _call_soon(self._loop, put, request)
        except BaseException:
            future.cancel()
            raise
        if not future.done():
            window.acquire()
            _call_soon(self._loop, put, _END)
        try:
            response: api_pb2.WriteDataPacketsResponse = future.result()
        except BaseException as exc:
            raise _failure(exc) from None
        return response

    # -- ReadPackets -------------------------------------------------------------------------

    def read_packets(self, request: api_pb2.ReadPacketsRequest, parse: Callable[[bytes], T]) -> ReadStream[T]:
        """The handler's responses, each given to ``parse`` as serialized bytes."""
        stream: ReadStream[T] = ReadStream(self._loop, parse)
        stream.future = self._submit(stream.pump(self._read(request, _Context())))
        stream.future.add_done_callback(stream.ended)
        return stream


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., Any], *args: Any) -> None:
    """``loop.call_soon_threadsafe``; ``UNAVAILABLE`` once the server's loop has closed."""
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:
        raise _stopped() from None


class ReadStream(Generic[T]):
    """Responses of one in-process ``ReadPackets`` call; iterate, or ``cancel()``."""

    future: concurrent.futures.Future[None]

    def __init__(self, loop: asyncio.AbstractEventLoop, parse: Callable[[bytes], T]) -> None:
        self._loop = loop
        self._parse = parse
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._window: asyncio.Semaphore | None = None
        self._cancelled = False

    async def pump(self, responses: AsyncIterator[Message | bytes]) -> None:
        """Move the handler's responses to the caller's queue, at most ``WINDOW`` ahead."""
        window = self._window = asyncio.Semaphore(WINDOW)
        async for response in responses:
            await window.acquire()
            self._queue.put(response if isinstance(response, bytes) else response.SerializeToString())

    def ended(self, future: concurrent.futures.Future[None]) -> None:
        """Queue how the call ended (after its responses)."""
        if future.cancelled():
            self._queue.put(_cancelled() if self._cancelled else _stopped())
        elif future.exception() is not None:
            self._queue.put(_failure(future.exception()))  # type: ignore[arg-type]
        else:
            self._queue.put(_END)

    def _consumed(self) -> None:
        if self._window is not None:
            self._window.release()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        item = self._queue.get()
        if item is _END:
            self._queue.put(_END)  # later calls end too
            raise StopIteration
        if isinstance(item, LocalRpcError):
            self._queue.put(item)
            raise item
        try:
            self._loop.call_soon_threadsafe(self._consumed)
        except RuntimeError:  # the server's loop has closed; the end is queued
            pass
        return self._parse(item)

    def cancel(self) -> bool:
        """End the call; iteration raises ``CANCELLED`` once what was delivered is read."""
        self._cancelled = True
        self.future.cancel()
        return True
