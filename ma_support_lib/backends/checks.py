"""Argument checks every backend applies before a write reaches its transport."""

from __future__ import annotations

import functools

from google.protobuf.message import DecodeError

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
