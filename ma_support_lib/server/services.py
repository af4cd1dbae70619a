"""The six gRPC services: thin translations between requests and the server's domain objects."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import grpc

from ..log import InvalidTopicError
from ..protos import api_pb2, key_generator_pb2
from .config import ServerConfig
from .connections import ConnectionRegistry
from .data_formats import DataFormatStore, FormatKind
from .keys import KeyGenerator
from .metrics import Metrics
from .notifications import NotificationHub
from .reading import DataPacketFilter, PacketStream, ReadContext, ReadPlan, plan_essentials, plan_read
from .routing import Router
from .sessions import SessionManager
from .errors import InvalidRequestError
from .writing import PacketWriter

#: Appends a client-streaming write may have in flight before it waits for acknowledgements.
WRITE_WINDOW = 32

Context = grpc.aio.ServicerContext[Any, Any]


class PacketWriterService:
    def __init__(self, writer: PacketWriter) -> None:
        self._writer = writer

    async def WriteDataPacket(self, request: api_pb2.WriteDataPacketRequest, context: Context) -> api_pb2.WriteDataPacketResponse:
        if not request.HasField("detail"):
            raise InvalidRequestError("detail is missing: WriteDataPacket needs a DataPacketDetails")
        await (await self._writer.write_data([request.detail]))
        return api_pb2.WriteDataPacketResponse()

    async def WriteDataPackets(self, requests: AsyncIterator[api_pb2.WriteDataPacketsRequest], context: Context) -> api_pb2.WriteDataPacketsResponse:
        async def append(request: api_pb2.WriteDataPacketsRequest) -> Awaitable[Any]:
            return await self._writer.write_data(request.details)

        await _pipelined(requests, append)
        return api_pb2.WriteDataPacketsResponse()

    async def WriteInfoPacket(self, request: api_pb2.WriteInfoPacketRequest, context: Context) -> api_pb2.WriteInfoPacketResponse:
        if not request.HasField("message"):
            raise InvalidRequestError("message is missing: WriteInfoPacket needs a Packet")
        await (await self._writer.write_info([request.message]))
        return api_pb2.WriteInfoPacketResponse()

    async def WriteInfoPackets(self, requests: AsyncIterator[api_pb2.WriteInfoPacketsRequest], context: Context) -> api_pb2.WriteInfoPacketsResponse:
        async def append(request: api_pb2.WriteInfoPacketsRequest) -> Awaitable[Any]:
            if not request.HasField("message"):
                raise InvalidRequestError("message is missing: each WriteInfoPacketsRequest needs a Packet")
            return await self._writer.write_info([request.message])

        await _pipelined(requests, append)
        return api_pb2.WriteInfoPacketsResponse()


async def _pipelined(requests: AsyncIterator[Any], append: Any) -> None:
    """Append each request in order, keeping up to ``WRITE_WINDOW`` unacknowledged, and
    return once all are acknowledged (after the client half-closes)."""
    pending: collections.deque[Awaitable[Any]] = collections.deque()
    index = 0
    try:
        async for request in requests:
            try:
                pending.append(await append(request))
            except (InvalidRequestError, InvalidTopicError) as exc:
                raise InvalidRequestError(
                    f"request #{index + 1} of the stream: {exc}; the {index} request(s) before it were stored"
                ) from None
            index += 1
            if len(pending) > WRITE_WINDOW:
                await pending.popleft()
    finally:
        if pending:
            await asyncio.gather(*pending)


class PacketReaderService:
    def __init__(
        self, log_: Any, config: ServerConfig, router: Router, connections: ConnectionRegistry,
        formats: DataFormatStore, metrics: Metrics,
    ) -> None:
        self._log = log_
        self._config = config
        self._router = router
        self._connections = connections
        self._formats = formats
        self._metrics = metrics

    async def _stream(
        self, connection_id: int, details: api_pb2.ConnectionDetails, plan: ReadPlan, group: str | None, **options: Any
    ) -> AsyncIterator[bytes]:
        """Responses of a read stream; ``group``: the consumer group whose offsets it commits."""
        subscription = self._log.subscribe(plan.start, group)
        context = ReadContext(str(connection_id), details.data_source, details.session_key)
        stream = PacketStream(subscription, plan, context, self._metrics, **options)
        with self._connections.on_close(connection_id, subscription):
            try:
                async for response in stream.responses():
                    yield response
            finally:
                await subscription.close()

    async def ReadPackets(self, request: api_pb2.ReadPacketsRequest, context: Context) -> AsyncIterator[bytes]:
        details = self._connections.get(request.connection.id)
        if details is None:
            return
        plan = await plan_read(details, self._config, self._router, self._log)
        stream = self._stream(
            request.connection.id, details, plan, details.consumer_group or None, batching=self._config.batching_responses
        )
        async for response in stream:
            yield response

    async def ReadDataPackets(self, request: api_pb2.ReadDataPacketsRequest, context: Context) -> AsyncIterator[bytes]:
        if not request.HasField("request"):
            return
        data_request = request.request
        details = self._connections.get(data_request.connection.id)
        if details is None:
            return
        keep = DataPacketFilter(data_request, details.data_source, self._formats)
        plan = await plan_read(details, self._config, self._router, self._log)
        await self._formats.ensure_loaded(details.data_source)
        stream = self._stream(
            data_request.connection.id, details, plan, details.consumer_group or None,
            batching=self._config.batching_responses, keep=keep.passes,
        )
        async for response in stream:
            yield response

    async def ReadEssentials(self, request: api_pb2.ReadEssentialsRequest, context: Context) -> AsyncIterator[bytes]:
        details = self._connections.get(request.connection.id)
        if details is None:
            return
        plan, ends = await plan_essentials(details, self._router, self._log)
        async for response in self._stream(request.connection.id, details, plan, None, batching=False, ends=ends):
            yield response


class ConnectionManagerService:
    def __init__(self, connections: ConnectionRegistry) -> None:
        self._connections = connections

    async def NewConnection(self, request: api_pb2.NewConnectionRequest, context: Context) -> api_pb2.NewConnectionResponse:
        if not request.HasField("details"):
            raise InvalidRequestError("details is missing: NewConnection needs ConnectionDetails")
        connection_id = self._connections.open(request.details)
        return api_pb2.NewConnectionResponse(connection=api_pb2.Connection(id=connection_id))

    async def GetConnection(self, request: api_pb2.GetConnectionRequest, context: Context) -> api_pb2.GetConnectionResponse:
        details = self._connections.get(request.connection.id)
        return api_pb2.GetConnectionResponse(details=details) if details is not None else api_pb2.GetConnectionResponse()

    async def CloseConnection(self, request: api_pb2.CloseConnectionRequest, context: Context) -> api_pb2.CloseConnectionResponse:
        return api_pb2.CloseConnectionResponse(success=await self._connections.close(request.connection.id))


class DataFormatManagerService:
    def __init__(self, formats: DataFormatStore) -> None:
        self._formats = formats

    async def GetParameterDataFormatId(self, request: api_pb2.GetParameterDataFormatIdRequest, context: Context) -> api_pb2.GetParameterDataFormatIdResponse:
        format_id = await self._formats.format_id(request.data_source, FormatKind.PARAMETER, tuple(request.parameters))
        return api_pb2.GetParameterDataFormatIdResponse(data_format_identifier=format_id)

    async def GetEventDataFormatId(self, request: api_pb2.GetEventDataFormatIdRequest, context: Context) -> api_pb2.GetEventDataFormatIdResponse:
        format_id = await self._formats.format_id(request.data_source, FormatKind.EVENT, (request.event,))
        return api_pb2.GetEventDataFormatIdResponse(data_format_identifier=format_id)

    async def GetParametersList(self, request: api_pb2.GetParametersListRequest, context: Context) -> api_pb2.GetParametersListResponse:
        identifiers = self._formats.identifiers(request.data_source, FormatKind.PARAMETER, request.data_format_identifier)
        return api_pb2.GetParametersListResponse(parameters=identifiers or ())

    async def GetEvent(self, request: api_pb2.GetEventRequest, context: Context) -> api_pb2.GetEventResponse:
        identifiers = self._formats.identifiers(request.data_source, FormatKind.EVENT, request.data_format_identifier)
        return api_pb2.GetEventResponse(event=identifiers[0] if identifiers else "")


class SessionManagementService:
    """Session RPCs; with session management off every unary RPC answers ``success=false``."""

    def __init__(self, sessions: SessionManager | None) -> None:
        self._sessions = sessions

    async def CreateSession(self, request: api_pb2.CreateSessionRequest, context: Context) -> api_pb2.CreateSessionResponse | bytes:
        if self._sessions is None:
            return api_pb2.CreateSessionResponse(success=False)
        return await self._sessions.create(request)

    async def EndSession(self, request: api_pb2.EndSessionRequest, context: Context) -> api_pb2.EndSessionResponse | bytes:
        if self._sessions is None:
            return api_pb2.EndSessionResponse(success=False)
        return await self._sessions.end(request)

    async def GetCurrentSessions(self, request: api_pb2.GetCurrentSessionsRequest, context: Context) -> api_pb2.GetCurrentSessionsResponse:
        if self._sessions is None:
            return api_pb2.GetCurrentSessionsResponse(success=False)
        return api_pb2.GetCurrentSessionsResponse(session_keys=self._sessions.current(request.data_source), success=True)

    async def GetSessionInfo(self, request: api_pb2.GetSessionInfoRequest, context: Context) -> api_pb2.GetSessionInfoResponse | bytes:
        if self._sessions is None:
            return api_pb2.GetSessionInfoResponse(success=False)
        return await self._sessions.info(request.session_key)

    async def _notifications(self, hub: NotificationHub[Any], data_source: str, context: Context) -> None:
        with hub.listen(data_source) as listener:
            while True:
                message, done = await listener.next()
                try:
                    await context.write(message)
                finally:
                    if not done.done():
                        done.set_result(None)

    async def GetSessionStartNotification(self, request: api_pb2.GetSessionStartNotificationRequest, context: Context) -> None:
        if self._sessions is not None:
            await self._notifications(self._sessions.registry.started, request.data_source, context)

    async def GetSessionStopNotification(self, request: api_pb2.GetSessionStopNotificationRequest, context: Context) -> None:
        if self._sessions is not None:
            await self._notifications(self._sessions.registry.stopped, request.data_source, context)

    async def UpdateSessionIdentifier(self, request: api_pb2.UpdateSessionIdentifierRequest, context: Context) -> api_pb2.UpdateSessionIdentifierResponse:
        if self._sessions is None:
            return api_pb2.UpdateSessionIdentifierResponse(success=False)

        def change(info: Any) -> None:
            info.identifier = request.identifier

        return api_pb2.UpdateSessionIdentifierResponse(success=await self._sessions.update(request.session_key, change))

    async def AddAssociateSession(self, request: api_pb2.AddAssociateSessionRequest, context: Context) -> api_pb2.AddAssociateSessionResponse:
        if self._sessions is None:
            return api_pb2.AddAssociateSessionResponse(success=False)

        def change(info: Any) -> None:
            info.associate_session_keys.append(request.associate_session_key)

        return api_pb2.AddAssociateSessionResponse(success=await self._sessions.update(request.session_key, change))

    async def UpdateSessionDetails(self, request: api_pb2.UpdateSessionDetailsRequest, context: Context) -> api_pb2.UpdateSessionDetailsResponse:
        if self._sessions is None:
            return api_pb2.UpdateSessionDetailsResponse(success=False)

        def change(info: Any) -> None:
            info.details.update(request.details)

        return api_pb2.UpdateSessionDetailsResponse(success=await self._sessions.update(request.session_key, change))


class UniqueKeyGeneratorService:
    def __init__(self, keys: KeyGenerator) -> None:
        self._keys = keys

    async def GenerateUniqueKey(self, request: key_generator_pb2.GenerateUniqueKeyRequest, context: Context) -> key_generator_pb2.GenerateUniqueKeyResponse:
        if request.type == key_generator_pb2.KEY_TYPE_STRING:
            return key_generator_pb2.GenerateUniqueKeyResponse(string_key=await self._keys.string_key())
        if request.type == key_generator_pb2.KEY_TYPE_ULONG:
            return key_generator_pb2.GenerateUniqueKeyResponse(ulong_key=await self._keys.ulong_key())
        raise InvalidRequestError(f"unsupported key type {request.type}: use KEY_TYPE_STRING or KEY_TYPE_ULONG")
