"""The client's hand-framed write requests and packet-type scan agree with protobuf."""

from __future__ import annotations

import pytest

from ma_support_lib.backends.grpc.packet_writing import _request_entry, _route_fields
from ma_support_lib.backends.grpc.session_reading import packet_type
from ma_support_lib.protos import api_pb2, open_data_pb2


@pytest.mark.parametrize("content_bytes", [0, 1, 100, 127, 128, 16_000, 16_384, 3_000_000])
@pytest.mark.parametrize(
    ("data_source", "stream", "session_key"),
    [("Default", "Stream1", "a-session-key"), ("D", "", ""), ("ünïcode" * 40, "s" * 200, "")],
)
def test_request_entries_match_protobuf(content_bytes: int, data_source: str, stream: str, session_key: str) -> None:
    packet = open_data_pb2.Packet(type="PeriodicData", session_key=session_key, content=b"\x01" * content_bytes, id=9)
    data = packet.SerializeToString()
    entry = _request_entry(data, _route_fields(data_source, stream, session_key))
    details = api_pb2.DataPacketDetails(message=packet, data_source=data_source, stream=stream, session_key=session_key)
    assert entry * 2 == api_pb2.WriteDataPacketsRequest(details=[details, details]).SerializeToString()


@pytest.mark.parametrize("kind", ["", "PeriodicData", "EndOfSession", "T" * 127, "T" * 128, "T" * 1_000])
def test_packet_type_of_serialized_packets(kind: str) -> None:
    data = open_data_pb2.Packet(type=kind, session_key="k", content=b"\x0a\x05xxxxx", id=3).SerializeToString()
    assert packet_type(data) == kind.encode()


def test_packet_type_when_type_is_not_first() -> None:
    first = open_data_pb2.Packet(session_key="k", content=b"abc").SerializeToString()
    assert packet_type(first + open_data_pb2.Packet(type="EndOfSession").SerializeToString()) == b"EndOfSession"
    assert packet_type(b"") == b""
    assert packet_type(b"\x0a") == b""
