"""The client's hand-framed write requests agree with protobuf."""

from __future__ import annotations

import pytest

from ma_support_lib.backends.grpc.packet_writing import _request_entry, _route_fields
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
