"""In-process WriteDataPackets and ReadPackets: same results and statuses as over gRPC."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator

import grpc
import pytest

from ma_support_lib.backends.grpc.client import StreamApiClient
from ma_support_lib.backends.grpc.raw_messages import RawReadPacketsResponse
from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server.app import ServerThread
from ma_support_lib.server.config import ServerConfig
from ma_support_lib.server.local_calls import LocalCalls, LocalRpcError

DATA_SOURCE = "Local"


@pytest.fixture
def server() -> Iterator[ServerThread]:
    thread = ServerThread(ServerConfig(broker_url="memory://", stream_api_port=0, metrics_port=None, host="127.0.0.1"))
    thread.start()
    yield thread
    thread.stop()


def local_calls(server: ServerThread) -> LocalCalls:
    assert server.server is not None and server.server.local_calls is not None
    return server.server.local_calls


def write_request(*ids: int, data_source: str = DATA_SOURCE) -> bytes:
    details = [
        api_pb2.DataPacketDetails(
            message=open_data_pb2.Packet(type="Marker", id=packet_id, content=b"x"), data_source=data_source
        )
        for packet_id in ids
    ]
    return api_pb2.WriteDataPacketsRequest(details=details).SerializeToString()


def open_reader(client: StreamApiClient) -> api_pb2.ReadPacketsRequest:
    details = api_pb2.ConnectionDetails(data_source=DATA_SOURCE, main_offset=0)
    connection = client.connections.NewConnection(api_pb2.NewConnectionRequest(details=details), timeout=30)
    return api_pb2.ReadPacketsRequest(connection=connection.connection)


def packet_ids(response: RawReadPacketsResponse) -> list[int]:
    return [open_data_pb2.Packet.FromString(item.packet).id for item in response.response]


def test_written_in_process_packets_are_read_in_process_and_over_grpc(server: ServerThread) -> None:
    calls = local_calls(server)
    response = calls.write_data_packets(iter([write_request(1, 2), write_request(3)]))
    assert isinstance(response, api_pb2.WriteDataPacketsResponse)
    client = StreamApiClient(server.address)
    try:
        for read in (functools.partial(calls.read_packets, parse=RawReadPacketsResponse.FromString), client.read_packets):
            stream = read(open_reader(client))
            seen: list[int] = []
            for response in stream:
                seen += packet_ids(response)
                if len(seen) >= 3:
                    break
            stream.cancel()
            assert seen == [1, 2, 3]
    finally:
        client.close()


def test_a_refused_request_gives_the_status_grpc_would(server: ServerThread) -> None:
    bad = write_request(1, data_source="no spaces allowed")
    with pytest.raises(LocalRpcError) as local:
        local_calls(server).write_data_packets(iter([bad]))
    client = StreamApiClient(server.address)
    try:
        with pytest.raises(grpc.RpcError) as remote:
            client.write_data_packets(iter([bad]))
    finally:
        client.close()
    assert local.value.code() is remote.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert local.value.details() == remote.value.details()  # type: ignore[attr-defined]


def test_requests_after_a_refused_one_do_not_hang_the_writer(server: ServerThread) -> None:
    def requests() -> Iterator[bytes]:
        yield write_request(1, data_source="bad name")
        for packet_id in range(2, 200):
            yield write_request(packet_id)

    with pytest.raises(LocalRpcError, match="request #1"):
        local_calls(server).write_data_packets(requests())


def test_cancelling_a_read_ends_its_iteration_with_cancelled(server: ServerThread) -> None:
    calls = local_calls(server)
    client = StreamApiClient(server.address)
    try:
        stream = calls.read_packets(open_reader(client), parse=RawReadPacketsResponse.FromString)
        ended = threading.Event()
        failures: list[BaseException] = []

        def consume() -> None:
            try:
                for _ in stream:
                    pass
            except LocalRpcError as exc:
                failures.append(exc)
            ended.set()

        threading.Thread(target=consume, daemon=True).start()
        stream.cancel()
        assert ended.wait(30)
        assert len(failures) == 1 and failures[0].code() is grpc.StatusCode.CANCELLED  # type: ignore[attr-defined]
    finally:
        client.close()


def test_stopping_the_server_ends_reads_with_unavailable_and_refuses_new_calls() -> None:
    thread = ServerThread(ServerConfig(broker_url="memory://", stream_api_port=0, metrics_port=None, host="127.0.0.1"))
    thread.start()
    calls = local_calls(thread)
    client = StreamApiClient(thread.address)
    stream = calls.read_packets(open_reader(client), parse=RawReadPacketsResponse.FromString)
    client.close()
    thread.stop(grace=0)
    with pytest.raises(LocalRpcError) as ended:
        next(iter(stream))
    assert ended.value.code() is grpc.StatusCode.UNAVAILABLE
    with pytest.raises(LocalRpcError) as refused:
        calls.write_data_packets(iter([write_request(1)]))
    assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
