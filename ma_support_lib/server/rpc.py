"""gRPC plumbing: method handlers from service descriptors, and error translation.

Handlers may return (or yield) protobuf messages or already-serialized ``bytes``; the latter
lets read streams frame stored packets without re-encoding them.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from ..log import InvalidTopicError, LogClosedError, LogError, RecordTooLargeError, UnknownTopicError
from .errors import InvalidRequestError
from .health import Health

log = logging.getLogger(__name__)


def _serialize(message: Message | bytes) -> bytes:
    if isinstance(message, bytes):
        return message
    return message.SerializeToString()


def _status_for(exc: BaseException) -> tuple[grpc.StatusCode, str] | None:
    """The status a domain error maps to, or ``None`` for unexpected errors."""
    if isinstance(exc, (InvalidRequestError, InvalidTopicError)):
        return grpc.StatusCode.INVALID_ARGUMENT, str(exc)
    if isinstance(exc, UnknownTopicError):
        return grpc.StatusCode.NOT_FOUND, str(exc)
    if isinstance(exc, RecordTooLargeError):
        return grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc)
    if isinstance(exc, LogClosedError):
        return grpc.StatusCode.UNAVAILABLE, "the server is shutting down"
    if isinstance(exc, LogError):
        return grpc.StatusCode.UNAVAILABLE, f"log error: {exc}"
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code(), f"upstream call failed: {exc.details()}"
    return None


async def _abort(context: grpc.aio.ServicerContext[Any, Any], method: str, exc: Exception) -> None:
    status = _status_for(exc)
    if status is None:
        log.exception("%s failed", method)
        status = (grpc.StatusCode.INTERNAL, f"{method} failed: {type(exc).__name__}: {exc}")
    await context.abort(*status)


async def _refuse_until_started(health: Health | None, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    if health is not None and not health.started:
        await context.abort(grpc.StatusCode.UNAVAILABLE, f"the Stream API server is starting: {health.reason}")


def _guard(method: str, handler: Callable[..., Any], health: Health | None = None) -> Callable[..., Any]:
    """Wrap a handler so domain errors become gRPC statuses with a message, and calls before
    start-up is over are refused with ``UNAVAILABLE``."""
    if inspect.isasyncgenfunction(handler):

        @functools.wraps(handler)
        async def stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            await _refuse_until_started(health, context)
            try:
                async for item in handler(request, context):
                    yield item
            except (grpc.aio.AbortError, GeneratorExit):
                raise
            except Exception as exc:  # noqa: BLE001 - every failure becomes a status
                await _abort(context, method, exc)

        return stream

    @functools.wraps(handler)
    async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await _refuse_until_started(health, context)
        try:
            return await handler(request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a status
            await _abort(context, method, exc)

    return unary


def guarded(descriptor: ServiceDescriptor, servicer: object, method: str, health: Health | None = None) -> Callable[..., Any]:
    """The servicer's implementation of ``method``, as the server runs it: domain errors become
    statuses with a message, and calls before start-up is over are refused."""
    return _guard(f"{descriptor.name}.{method}", getattr(servicer, method), health)


def service_handler(
    descriptor: ServiceDescriptor, servicer: object, health: Health | None = None
) -> grpc.GenericRpcHandler[Any, Any]:
    """A generic handler serving every method of ``descriptor`` from ``servicer``.

    The servicer has one coroutine (or async generator, for server streaming) per RPC,
    named like the RPC.
    """
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
    for method in descriptor.methods:
        wrapped = guarded(descriptor, servicer, method.name, health)
        deserializer = GetMessageClass(method.input_type).FromString
        if method.client_streaming and not method.server_streaming:
            factory = grpc.stream_unary_rpc_method_handler
        elif method.server_streaming and not method.client_streaming:
            factory = grpc.unary_stream_rpc_method_handler
        elif not method.client_streaming:
            factory = grpc.unary_unary_rpc_method_handler
        else:
            factory = grpc.stream_stream_rpc_method_handler
        handlers[method.name] = factory(wrapped, request_deserializer=deserializer, response_serializer=_serialize)
    return grpc.method_handlers_generic_handler(descriptor.full_name, handlers)
