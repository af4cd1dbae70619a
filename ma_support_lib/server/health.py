"""The standard gRPC health service (``grpc.health.v1.Health``): ``Check`` and ``Watch``.

Status ``SERVING`` once the server has replayed its sessions and data formats and its broker
answers; ``NOT_SERVING`` while it waits for the broker (at start-up, or when the broker stops
answering later). The service names it knows are ``""`` (the whole server) and the Stream API
services; others get ``NOT_FOUND`` (``Check``) or ``SERVICE_UNKNOWN`` (``Watch``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

SERVICE_NAME = "grpc.health.v1.Health"
UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN = 0, 1, 2, 3


def _messages() -> tuple[type[Message], type[Message]]:
    """``HealthCheckRequest`` and ``HealthCheckResponse``, built from their definition in
    grpc's ``health.proto`` (request: ``string service = 1``; response: ``ServingStatus status = 1``)."""
    file = descriptor_pb2.FileDescriptorProto(name="ma_support_lib/grpc_health_v1.proto", package="grpc.health.v1", syntax="proto3")
    request = file.message_type.add(name="HealthCheckRequest")
    request.field.add(name="service", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                      label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    response = file.message_type.add(name="HealthCheckResponse")
    status = response.enum_type.add(name="ServingStatus")
    for name, number in (("UNKNOWN", UNKNOWN), ("SERVING", SERVING), ("NOT_SERVING", NOT_SERVING), ("SERVICE_UNKNOWN", SERVICE_UNKNOWN)):
        status.value.add(name=name, number=number)
    response.field.add(name="status", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_ENUM,
                       type_name=".grpc.health.v1.HealthCheckResponse.ServingStatus",
                       label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return (GetMessageClass(pool.FindMessageTypeByName("grpc.health.v1.HealthCheckRequest")),
            GetMessageClass(pool.FindMessageTypeByName("grpc.health.v1.HealthCheckResponse")))


HealthCheckRequest, HealthCheckResponse = _messages()


class Health:
    """The server's readiness: ``reason`` says why it is not serving (``None`` when it is)."""

    def __init__(self, services: Iterable[str]) -> None:
        self.services = {"", *services}
        self.reason: str | None = "starting"
        #: Whether start-up (waiting for the broker, replaying the log) is over; until then
        #: the Stream API services answer ``UNAVAILABLE``.
        self.started = False
        self._changed = asyncio.Condition()

    @property
    def status(self) -> int:
        return SERVING if self.reason is None else NOT_SERVING

    async def set(self, reason: str | None) -> None:
        """``None``: serving; otherwise not serving, because of ``reason``."""
        if reason == self.reason:
            return
        self.reason = reason
        async with self._changed:
            self._changed.notify_all()

    async def mark_started(self) -> None:
        self.started = True
        await self.set(None)

    async def Check(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Message:
        if request.service not in self.services:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {request.service!r}")
        return HealthCheckResponse(status=self.status)

    async def Watch(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Message]:
        if request.service not in self.services:
            yield HealthCheckResponse(status=SERVICE_UNKNOWN)
            return
        while True:
            status = self.status
            yield HealthCheckResponse(status=status)
            async with self._changed:
                await self._changed.wait_for(lambda: self.status != status)

    def handler(self) -> grpc.GenericRpcHandler[Any, Any]:
        serialize = HealthCheckResponse.SerializeToString
        return grpc.method_handlers_generic_handler(SERVICE_NAME, {
            "Check": grpc.unary_unary_rpc_method_handler(self.Check, HealthCheckRequest.FromString, serialize),
            "Watch": grpc.unary_stream_rpc_method_handler(self.Watch, HealthCheckRequest.FromString, serialize),
        })
