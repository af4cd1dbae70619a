"""Argument checks every backend applies before a write reaches its transport."""

from __future__ import annotations

import functools

from google.protobuf.message import DecodeError

from ..contracts.packet_writing.packet_bytes import PacketBytes
from ..log.base import InvalidTopicError, validate_topic_name
from ..protos import open_data_pb2
from ..server.routing import essentials_topic, stream_topic


def check_packet(data: bytes) -> str | None:
    """Why ``data`` is not a writable serialized ``Packet``, or ``None``."""
    try:
        packet = open_data_pb2.Packet.FromString(data)
    except DecodeError as exc:
        return f"packet_bytes is not a serialized open_data Packet ({exc})"
    if not packet.type:
        return "the packet has no type (for example 'PeriodicData')"
    return None


@functools.lru_cache(maxsize=1024)
def check_names(data_source: str, stream: str) -> str | None:
    """Why a data source or stream name cannot name its Kafka topics, or ``None``."""
    if not data_source:
        return "data_source is empty"
    try:
        validate_topic_name(essentials_topic(data_source))
        if stream:
            validate_topic_name(stream_topic(data_source, stream))
    except InvalidTopicError:
        return (
            f"data source {data_source!r} / stream {stream!r} cannot name Kafka topics; use ASCII letters, "
            "digits, '.', '_' and '-'"
        )
    return None


def check_data_source(data_source: str) -> str | None:
    """Why ``data_source`` cannot name Kafka topics, or ``None``."""
    return check_names(data_source, "")


def check_write_data(data_source: str, stream: str, session_key: str, packet_bytes: PacketBytes) -> tuple[bytes, str | None]:
    """The packet's bytes, and why ``write_data`` refuses these arguments (``None`` if it does not)."""
    data, problem = _packet_data(packet_bytes)
    if problem is None and not all(isinstance(name, str) for name in (data_source, stream, session_key)):
        problem = "data_source, stream and session_key must be strings"
    problem = problem or check_names(data_source, stream)
    return data, None if problem is None else f"write_data: {problem}"


def info_packet_data(packet_bytes: PacketBytes) -> bytes:
    """The bytes ``write_info`` writes; ``ValueError`` saying why it refuses them."""
    data, problem = _packet_data(packet_bytes)
    if problem is not None:
        raise ValueError(problem)
    return data


def _packet_data(packet_bytes: PacketBytes) -> tuple[bytes, str | None]:
    """The bytes of ``PacketBytes`` or a bytes-like object, and why they are not a writable ``Packet``."""
    data = packet_bytes.data if isinstance(packet_bytes, PacketBytes) else packet_bytes
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return b"", f"packet_bytes must be PacketBytes or bytes, got {type(packet_bytes).__name__}"
    data = bytes(data)
    return data, check_packet(data)
