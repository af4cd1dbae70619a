"""Hand-framed read responses are byte-identical to protobuf's own serialization."""

from __future__ import annotations

import pytest

from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server import wire


@pytest.mark.parametrize("stream", ["", "Stream1", "ünïcode"])
@pytest.mark.parametrize("timestamp_ms", [0, 1, 999, 1_000, 1_795_266_587_996])
def test_packet_response_matches_protobuf(stream: str, timestamp_ms: int) -> None:
    packet = open_data_pb2.Packet(type="PeriodicData", session_key="k", is_essential=True, content=b"\x00" * 300, id=7)
    value = packet.SerializeToString()
    expected = api_pb2.PacketResponse(packet=packet, stream=stream)
    expected.submit_time.FromMilliseconds(timestamp_ms)
    framed = wire.packet_response(value, stream, timestamp_ms)
    assert framed == expected.SerializeToString()
    batch = wire.read_response([framed, framed])
    assert batch == api_pb2.ReadPacketsResponse(response=[expected, expected]).SerializeToString()


def test_empty_packet_still_gets_a_packet_field() -> None:
    framed = wire.packet_response(b"", "", 0)
    parsed = api_pb2.PacketResponse.FromString(framed)
    assert parsed.HasField("packet") and parsed.HasField("submit_time")


@pytest.mark.parametrize("value", [1, 127, 128, 300, 2**32, 2**63 - 1, -1])
def test_varint_round_trips(value: int) -> None:
    message = open_data_pb2.MarkerPacket(value=value)
    assert message.SerializeToString() == b"\x38" + wire.varint(value)


def test_varint_of_zero_is_one_byte() -> None:
    assert wire.varint(0) == b"\x00"


def test_length_delimited_field_finds_data_format_without_decoding_samples() -> None:
    data_format = open_data_pb2.SampleDataFormat(data_format_identifier=42)
    column = open_data_pb2.SampleColumn(
        double_samples=open_data_pb2.DoubleSampleList(samples=[open_data_pb2.DoubleSample(value=1.0)])
    )
    content = open_data_pb2.PeriodicDataPacket(data_format=data_format, start_time=5, interval=10, columns=[column]).SerializeToString()
    assert wire.length_delimited_field(content, 1) == data_format.SerializeToString()
    assert wire.length_delimited_field(b"", 1) is None
    with pytest.raises(ValueError):
        wire.length_delimited_field(b"\x0a\xff", 1)
