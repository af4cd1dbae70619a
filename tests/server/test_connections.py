"""ConnectionManagerService, and what connections mean for read streams."""

from __future__ import annotations

import pytest

from ma_support_lib.protos import api_pb2

from .helpers import (
    DATA_SOURCE,
    Harness,
    connect,
    connection,
    ids,
    numbered,
    read_data_packets,
    read_essentials,
    read_packets,
    subscribed_read,
    wait_until,
    write,
)


def get_connection(harness: Harness, connection_id: int) -> api_pb2.GetConnectionResponse:
    return harness.connections.GetConnection(api_pb2.GetConnectionRequest(connection=connection(connection_id)))


def close_connection(harness: Harness, connection_id: int) -> api_pb2.CloseConnectionResponse:
    return harness.connections.CloseConnection(api_pb2.CloseConnectionRequest(connection=connection(connection_id)))


def test_get_connection_returns_the_details_verbatim(server: Harness) -> None:
    details = api_pb2.ConnectionDetails(
        data_source=DATA_SOURCE,
        session_key=" a key",
        streams=["Stream1", "Nope", "Stream2"],
        stream_offsets=[5, -1, 0],
        main_offset=-7,
        essentials_offset=42,
        exclude_main_stream=True,
        consumer_group="group-1",
    )

    connection_id = server.connections.NewConnection(api_pb2.NewConnectionRequest(details=details)).connection.id

    assert get_connection(server, connection_id) == api_pb2.GetConnectionResponse(details=details)
    assert server.clients().connections.GetConnection(
        api_pb2.GetConnectionRequest(connection=connection(connection_id))
    ) == api_pb2.GetConnectionResponse(details=details)


def test_connection_ids_are_unique_even_for_identical_requests(server: Harness) -> None:
    connection_ids = [connect(server, main_offset=0) for _ in range(50)]

    assert len(set(connection_ids)) == 50
    assert 0 not in connection_ids


def test_empty_details_are_a_connection(server: Harness) -> None:
    response = server.connections.NewConnection(api_pb2.NewConnectionRequest(details=api_pb2.ConnectionDetails()))

    assert response.connection.id != 0
    assert get_connection(server, response.connection.id) == api_pb2.GetConnectionResponse(details=api_pb2.ConnectionDetails())


def test_unknown_connections(server: Harness) -> None:
    assert get_connection(server, 12345) == api_pb2.GetConnectionResponse()
    assert not get_connection(server, 0).HasField("details")
    assert close_connection(server, 12345) == api_pb2.CloseConnectionResponse(success=False)


def test_close_connection(server: Harness) -> None:
    first = connect(server)
    second = connect(server)
    other = connect(server, "Bike")
    assert server.metric("stream_api_connections_total", data_source=DATA_SOURCE) == 2
    assert server.metric("stream_api_connections_total", data_source="Bike") == 1

    assert close_connection(server, first) == api_pb2.CloseConnectionResponse(success=True)
    assert close_connection(server, first) == api_pb2.CloseConnectionResponse(success=False)

    assert get_connection(server, first) == api_pb2.GetConnectionResponse()
    assert get_connection(server, second).details.data_source == DATA_SOURCE
    assert get_connection(server, other).details.data_source == "Bike"
    assert server.metric("stream_api_connections_total", data_source=DATA_SOURCE) == 1


@pytest.mark.parametrize("method", ["ReadPackets", "ReadDataPackets", "ReadEssentials"])
def test_reads_of_an_unknown_connection_end_at_once(server: Harness, method: str) -> None:
    write(server, numbered(1, essential=True))
    closed = connect(server, main_offset=0)
    close_connection(server, closed)
    open_read = {"ReadPackets": read_packets, "ReadDataPackets": read_data_packets, "ReadEssentials": read_essentials}[method]

    for connection_id in (987654321, 0, closed):
        open_read(server, connection_id).expect_end()


def test_close_connection_ends_its_read_streams(server: Harness) -> None:
    closing = connect(server, main_offset=0)
    staying = connect(server, main_offset=0)
    packets_read, packets_subscription = subscribed_read(server, lambda: read_packets(server, closing))
    data_read, data_subscription = subscribed_read(server, lambda: read_data_packets(server, closing))
    other_read, other_subscription = subscribed_read(server, lambda: read_packets(server, staying))

    assert close_connection(server, closing).success

    packets_read.expect_end()
    data_read.expect_end()
    wait_until(lambda: packets_subscription.closed and data_subscription.closed, "the closed connection's subscriptions to close")
    # other connections read on
    assert not other_subscription.closed
    write(server, numbered(1))
    assert ids(other_read.packets(1)) == [1]
