"""One gRPC channel to a Stream API server, its stubs, and call error handling."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from ...contracts.shared.api_result import ApiResult
from ...core.base.service_base import ServiceBase
from ...errors import BackendUnavailableError
from ...protos import api_pb2, api_pb2_grpc
from ...server.local_calls import LocalCalls, LocalRpcError
from .raw_messages import RawReadPacketsResponse

T = TypeVar("T")

_API = "/ma.streaming.api.v1."
#: Deadline of unary calls: the server answers them at once, so this only guards against hangs.
UNARY_DEADLINE_S = 30.0


class StreamApiClient:
    """Stubs of the five Stream API services over one channel to ``address``.

    ``write_data_packets`` takes already-serialized requests, and ``read_packets`` yields
    responses whose packets are still ``bytes``, so the hot paths never re-encode a packet.
    With ``local`` (the server runs in this process), those two are in-process calls.
    """

    def __init__(self, address: str, local: LocalCalls | None = None) -> None:
        self.address = address
        self.channel = grpc.insecure_channel(
            address,
            options=[
                ("grpc.max_receive_message_length", -1),
                ("grpc.max_send_message_length", -1),
                ("grpc.enable_retries", 0),
            ],
        )
        self.sessions = api_pb2_grpc.SessionManagementServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.data_formats = api_pb2_grpc.DataFormatManagerServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.connections = api_pb2_grpc.ConnectionManagerServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.reader = api_pb2_grpc.PacketReaderServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.writer = api_pb2_grpc.PacketWriterServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.write_data_packets: Callable[..., Any] = self.channel.stream_unary(
            _API + "PacketWriterService/WriteDataPackets",
            request_serializer=None,
            response_deserializer=api_pb2.WriteDataPacketsResponse.FromString,
        )
        self.read_packets: Callable[..., Any] = self.channel.unary_stream(
            _API + "PacketReaderService/ReadPackets",
            request_serializer=api_pb2.ReadPacketsRequest.SerializeToString,
            response_deserializer=RawReadPacketsResponse.FromString,
        )
        if local is not None:  # the server runs in this process: skip the socket on the hot paths
            self.write_data_packets = local.write_data_packets
            self.read_packets = functools.partial(local.read_packets, parse=RawReadPacketsResponse.FromString)

    def wait_ready(self, timeout: float) -> None:
        """Block until the server accepts connections; :class:`BackendUnavailableError` after ``timeout``."""
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise BackendUnavailableError(
                f"no Stream API server answered at {self.address} within {timeout:g} s; start one "
                "(ma-stream-api serve) or leave stream_api_address unset to run one in this process"
            ) from None

    def close(self) -> None:
        self.channel.close()


def describe_rpc_error(exc: grpc.RpcError) -> str:
    """``CODE: details`` of a failed call."""
    is_call = isinstance(exc, (grpc.Call, LocalRpcError))
    code = exc.code() if is_call else None
    details = exc.details() if is_call else str(exc)
    return f"{code.name if code else 'ERROR'}: {details}"


def api_call(action: str, call: Callable[[], ApiResult[T]]) -> ApiResult[T]:
    """Run ``call``; a failed RPC or bad argument becomes ``ApiResult(success=False)``
    with a message that starts with ``action``."""
    try:
        return call()
    except grpc.RpcError as exc:
        return ApiResult.fail(f"{action} failed: {describe_rpc_error(exc)}")
    except (ValueError, TypeError) as exc:
        return ApiResult.fail(f"{action}: {exc}")


def service_call(service: ServiceBase, action: str, call: Callable[[], ApiResult[T]]) -> ApiResult[T]:
    """:func:`api_call`, refused with a message when ``service`` is not running."""
    refusal = service.refusal(action)
    if refusal is not None:
        return ApiResult.fail(refusal)
    return api_call(action, call)


def unary(method: Any, request: Any) -> Any:
    """Call a unary stub method with the library's deadline."""
    return method(request, timeout=UNARY_DEADLINE_S)
