"""Requests the server cannot serve get a status with a message, and the server keeps serving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest

from ma_support_lib.log import ProducerRecord
from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server import StreamCreationStrategy
from ma_support_lib.server.app import MAX_RECEIVE_MESSAGE_BYTES

from .helpers import (
    DATA_SOURCE,
    Harness,
    RequestFeed,
    ServerFactory,
    assert_serving,
    connect,
    detail,
    ids,
    numbered,
    packet,
    parse,
    periodic,
    read_data_packets,
    read_essentials,
    read_packets,
    run_on_log,
    subscribed_read,
    with_id,
    write,
)


def rpc_error(call: Callable[[], Any], code: grpc.StatusCode) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    error = caught.value
    assert error.code() == code, f"expected {code}, got {error.code()}: {error.details()}"
    assert error.details(), "the status has no message"
    return error


def invalid(call: Callable[[], Any]) -> str:
    """Run a call that must fail with INVALID_ARGUMENT; returns its message."""
    return str(rpc_error(call, grpc.StatusCode.INVALID_ARGUMENT).details())


# -- missing sub-messages ------------------------------------------------------------------------------


def test_write_data_packet_without_detail(server: Harness) -> None:
    assert "detail" in invalid(lambda: server.writer.WriteDataPacket(api_pb2.WriteDataPacketRequest()))
    assert_serving(server)


def test_write_data_packet_without_message(server: Harness) -> None:
    request = api_pb2.WriteDataPacketRequest(detail=api_pb2.DataPacketDetails(data_source=DATA_SOURCE))

    assert "message" in invalid(lambda: server.writer.WriteDataPacket(request))
    assert server.records(DATA_SOURCE) == []
    assert_serving(server)


def test_write_info_packet_without_message(server: Harness) -> None:
    assert "message" in invalid(lambda: server.writer.WriteInfoPacket(api_pb2.WriteInfoPacketRequest()))
    assert server.records("SessionInfo") == []
    assert_serving(server)


def test_new_connection_without_details(server: Harness) -> None:
    assert "details" in invalid(lambda: server.connections.NewConnection(api_pb2.NewConnectionRequest()))
    assert server.metric("stream_api_connections_total", data_source="") == 0
    assert_serving(server)


# -- reading -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["include_parameters", "exclude_parameters", "include_events", "exclude_events"])
def test_invalid_regular_expressions(server: Harness, field: str) -> None:
    reader = read_data_packets(server, connect(server), **{field: [".*", "(unclosed"]})

    error = reader.expect_error(grpc.StatusCode.INVALID_ARGUMENT)
    assert "(unclosed" in error.details()
    assert field in error.details()
    assert_serving(server)


@pytest.mark.parametrize("method", ["ReadPackets", "ReadDataPackets"])
def test_fewer_stream_offsets_than_streams(any_server: Harness, method: str) -> None:
    connection_id = connect(any_server, streams=["Stream1", "Stream2"], stream_offsets=[0])
    open_read = read_packets if method == "ReadPackets" else read_data_packets

    error = open_read(any_server, connection_id).expect_error(grpc.StatusCode.INVALID_ARGUMENT)
    assert "stream_offsets" in error.details()
    assert_serving(any_server)


def test_a_record_that_is_not_a_packet_is_skipped(server: Harness) -> None:
    """A foreign writer's garbage in the topic does not end read streams."""
    reader, _ = subscribed_read(server, lambda: read_packets(server, connect(server, main_offset=0)))
    data_reader, _ = subscribed_read(server, lambda: read_data_packets(server, connect(server, main_offset=0)))

    async def append_garbage() -> None:
        await server.inner_log.append([ProducerRecord(DATA_SOURCE, b"\xff\xff\xff\xff", b"", 0)])

    run_on_log(append_garbage())
    write(server, with_id(periodic(["p"]), 1))

    assert ids(reader.packets(1)) == [1]
    assert ids(data_reader.packets(1)) == [1]


# -- data source names ----------------------------------------------------------------------------------------

ILLEGAL_NAMES = ["", "with space", "with/slash", "ünïcode", ".", "x" * 250, "x" * 240]


@pytest.mark.parametrize("name", ILLEGAL_NAMES, ids=["empty", "space", "slash", "unicode", "dot", "long", "long-essentials"])
def test_illegal_data_source_names(server: Harness, name: str) -> None:
    calls: dict[str, Callable[[], Any]] = {
        "WriteDataPacket": lambda: write(server, numbered(1), data_source=name),
        "WriteDataPackets": lambda: server.writer.WriteDataPackets(
            iter([api_pb2.WriteDataPacketsRequest(details=[detail(numbered(1), data_source=name)])])
        ),
        "CreateSession": lambda: server.sessions.CreateSession(api_pb2.CreateSessionRequest(data_source=name)),
        "GetParameterDataFormatId": lambda: server.formats.GetParameterDataFormatId(
            api_pb2.GetParameterDataFormatIdRequest(data_source=name, parameters=["a"])
        ),
        "GetEventDataFormatId": lambda: server.formats.GetEventDataFormatId(
            api_pb2.GetEventDataFormatIdRequest(data_source=name, event="e")
        ),
    }
    for method, call in calls.items():
        message = invalid(call)
        assert message, method
        # refused again: nothing was half-done the first time
        invalid(call)
    connection_id = connect(server, name)
    for open_read in (read_packets, read_data_packets, read_essentials):
        open_read(server, connection_id).expect_error(grpc.StatusCode.INVALID_ARGUMENT)

    assert server.sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=name)).session_keys == []
    assert set(server.topics()) <= {"SessionInfo"}
    assert_serving(server)


def test_illegal_stream_names_in_topic_based_mode(make_server: ServerFactory) -> None:
    harness = make_server(stream_creation_strategy=StreamCreationStrategy.TOPIC_BASED)

    invalid(lambda: write(harness, numbered(1), stream="with space"))
    connection_id = connect(harness, streams=["a/b"], stream_offsets=[0])
    read_packets(harness, connection_id).expect_error(grpc.StatusCode.INVALID_ARGUMENT)
    assert_serving(harness)


# -- sizes --------------------------------------------------------------------------------------------------------


def test_a_request_over_the_size_limit_is_refused(server: Harness) -> None:
    huge = packet("PeriodicData", b"\x00" * (MAX_RECEIVE_MESSAGE_BYTES + 1))

    rpc_error(lambda: write(server, huge), grpc.StatusCode.RESOURCE_EXHAUSTED)

    assert server.records(DATA_SOURCE) == []
    assert_serving(server)
    if server.log.url.startswith("kafka://"):
        # a stock broker takes records up to 1 MB (message.max.bytes): the producer's refusal
        # reaches the client
        error = rpc_error(lambda: write(server, packet("PeriodicData", b"\x01" * (2 << 20))), grpc.StatusCode.RESOURCE_EXHAUSTED)
        assert "too large" in error.details()
        assert_serving(server)
        return
    # just under the limit is fine
    large = packet("PeriodicData", b"\x01" * (MAX_RECEIVE_MESSAGE_BYTES - 1024))
    write(server, large)
    [record] = server.records(DATA_SOURCE)
    assert record.value == large.SerializeToString()


# -- content that does not parse ------------------------------------------------------------------------------------


def test_unparsable_content_is_stored_and_read_back_by_read_packets(server: Harness) -> None:
    broken = [
        with_id(packet("PeriodicData", b"\xff\xff\xff"), 1),
        with_id(packet("Event", b"\x0a\x03\xff\xff\xff"), 2),
        with_id(packet("NewSession", b"\x08"), 3),
    ]
    write(server, *broken)

    assert [parse(open_data_pb2.Packet, r.value) for r in server.records(DATA_SOURCE)] == broken
    reader = read_packets(server, connect(server, main_offset=0))
    assert [item.packet for item in reader.packets(3)] == broken
    data_reader = read_data_packets(server, connect(server, main_offset=0))
    write(server, with_id(periodic(["fine"]), 4))
    assert ids(data_reader.packets(1)) == [4]


# -- client-streaming writes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("flaw", ["missing message", "illegal data source"])
def test_a_bad_request_in_a_write_data_packets_stream(server: Harness, flaw: str) -> None:
    def good(index: int) -> api_pb2.WriteDataPacketsRequest:
        return api_pb2.WriteDataPacketsRequest(details=[detail(numbered(2 * index)), detail(numbered(2 * index + 1))])

    if flaw == "missing message":
        bad_detail = api_pb2.DataPacketDetails(data_source=DATA_SOURCE)
    else:
        bad_detail = detail(numbered(100), data_source="no such/source")
    bad = api_pb2.WriteDataPacketsRequest(details=[detail(numbered(99)), bad_detail])
    requests = [good(0), good(1), good(2), bad, good(3)]

    message = invalid(lambda: server.writer.WriteDataPackets(iter(requests)))

    assert "3 request(s) before it were stored" in message
    # those three are stored; nothing of the bad request or after it
    assert [parse(open_data_pb2.Packet, r.value).id for r in server.records(DATA_SOURCE)] == [0, 1, 2, 3, 4, 5]
    assert_serving(server)


def test_a_bad_request_in_a_write_info_packets_stream(server: Harness) -> None:
    feed = RequestFeed()
    call = server.writer.WriteInfoPackets.future(iter(feed))
    feed.put(api_pb2.WriteInfoPacketsRequest(message=packet("Lap", session_key="k1")))
    feed.put(api_pb2.WriteInfoPacketsRequest(message=packet("Lap", session_key="k2")))
    feed.put(api_pb2.WriteInfoPacketsRequest())
    feed.close()

    error = call.exception()
    assert error is not None and error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "2 request(s) before it were stored" in error.details()
    assert [r.key for r in server.records("SessionInfo")] == [b"k1", b"k2"]
    assert_serving(server)
