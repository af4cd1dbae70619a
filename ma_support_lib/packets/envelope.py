"""The ``Packet`` envelope around a sample packet's content."""

from __future__ import annotations

from typing import Literal, Union

from google.protobuf.message import DecodeError

from ..protos import open_data_pb2
from .errors import PacketBuildError, PacketDecodeError

SampleDataPacketType = Literal["PeriodicData", "RowData", "SynchroData"]
SAMPLE_DATA_TYPES: tuple[SampleDataPacketType, ...] = ("PeriodicData", "RowData", "SynchroData")


def wrap_packet(
    packet_type: Union[SampleDataPacketType, str],
    content: bytes,
    session_key: str = "",
    *,
    packet_id: int = 0,
    is_essential: bool = False,
) -> bytes:
    """A serialized ``Packet`` carrying ``content`` (e.g. from :func:`periodic_packet`)."""
    try:
        packet = open_data_pb2.Packet(
            type=packet_type, session_key=session_key, content=content, id=packet_id, is_essential=is_essential
        )
    except (TypeError, ValueError) as error:
        raise PacketBuildError(f"invalid packet envelope: {error}") from None
    return packet.SerializeToString()


def unwrap_packet(packet: bytes) -> tuple[SampleDataPacketType, bytes]:
    """The type and content of a serialized ``Packet`` that carries samples."""
    try:
        message = open_data_pb2.Packet.FromString(packet)
    except DecodeError as error:
        raise PacketDecodeError(f"malformed Packet: {error}") from None
    for packet_type in SAMPLE_DATA_TYPES:
        if message.type == packet_type:
            return packet_type, message.content
    raise PacketDecodeError(f"packet type {message.type!r} carries no samples (expected one of {SAMPLE_DATA_TYPES})")
