"""Read responses framed from stored packets: protobuf's bytes, bounded in packets and bytes."""

from __future__ import annotations

from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server import framing


def _packet(size: int, number: int) -> bytes:
    return open_data_pb2.Packet(type="Marker", session_key="k", content=b"\x01" * size, id=number).SerializeToString()


def _expected(items: list[tuple[bytes, str, int]]) -> bytes:
    response = api_pb2.ReadPacketsResponse()
    for value, stream, timestamp_ms in items:
        entry = response.response.add(packet=open_data_pb2.Packet.FromString(value), stream=stream)
        entry.submit_time.FromMilliseconds(timestamp_ms)
    return response.SerializeToString()


def test_one_response_is_protobufs_serialization_of_every_packet() -> None:
    items = [(_packet(100, n), ["", "s1"][n % 2], 1_795_266_587_000 + n) for n in range(5)]
    assert framing.frame(items, max_packets=10) == [_expected(items)]


def test_responses_hold_at_most_max_packets_in_order() -> None:
    items = [(_packet(10, n), "", 5) for n in range(7)]
    responses = framing.frame(items, max_packets=3)
    assert responses == [_expected(items[0:3]), _expected(items[3:6]), _expected(items[6:7])]


def test_responses_stop_below_max_bytes() -> None:
    items = [(_packet(1_000, n), "", 5) for n in range(10)]
    responses = framing.frame(items, max_packets=100, max_bytes=3_500)
    assert [len(api_pb2.ReadPacketsResponse.FromString(r).response) for r in responses] == [3, 3, 3, 1]
    assert all(len(r) <= 3_500 for r in responses)
    assert b"".join(responses) == _expected(items)


def test_a_packet_larger_than_max_bytes_goes_alone() -> None:
    items = [(_packet(10, 0), "", 5), (_packet(5_000, 1), "", 5), (_packet(10, 2), "", 5)]
    responses = framing.frame(items, max_packets=100, max_bytes=1_000)
    assert responses == [_expected(items[0:1]), _expected(items[1:2]), _expected(items[2:3])]


def test_no_packets_no_responses() -> None:
    assert framing.frame([], max_packets=1) == []
