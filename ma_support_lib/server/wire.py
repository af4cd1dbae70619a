"""Just enough protobuf wire format to build read responses without re-parsing packets.

A stored record's value *is* a serialized ``Packet``, so a ``PacketResponse`` can be
assembled by framing those bytes instead of parsing and re-serializing them. The result is
byte-for-byte what ``PacketResponse.SerializeToString()`` produces (tested).

It also writes offset maps in a given order: Python's protobuf runtime writes map entries in
hash order, while the reference server writes ``topic_partition_offsets`` in insertion order
(main, essentials, then the streams), and readers of the records see that order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from google.protobuf.message import Message

from ..wire import LEN, VARINT, length_delimited, length_delimited_field, length_delimited_fields, map_keys, tag, varint

__all__ = [
    "length_delimited_field",
    "length_delimited_fields",
    "map_keys",
    "packet_response",
    "read_response",
    "response_entry",
    "serialize_with_field",
    "timestamp_ms",
    "varint",
    "with_embedded",
    "with_ordered_offsets",
]

_PACKET = tag(1, LEN)
_SECONDS = tag(1, VARINT)
_NANOS = tag(2, VARINT)
_RESPONSE = tag(1, LEN)


def timestamp_ms(milliseconds: int) -> bytes:
    """A serialized ``google.protobuf.Timestamp``."""
    seconds, millis = divmod(milliseconds, 1000)
    out = b""
    if seconds:
        out += _SECONDS + varint(seconds)
    if millis:
        out += _NANOS + varint(millis * 1_000_000)
    return out


def packet_response(packet: bytes, stream: str, submit_time_ms: int) -> bytes:
    """A serialized ``PacketResponse{packet, stream, submit_time}``."""
    return b"".join((_PACKET, varint(len(packet)), packet, _entry_tail(stream, submit_time_ms)))


def response_entry(packet: bytes, stream: str, submit_time_ms: int) -> tuple[bytes, bytes]:
    """One ``response`` field of a ``Read*Response``, holding ``PacketResponse{packet, stream,
    submit_time}``, as the bytes before and after ``packet``: joining ``head, packet, tail``
    of several entries gives the response while copying each packet once."""
    tail = _entry_tail(stream, submit_time_ms)
    return _entry_head(len(packet), len(tail)), tail


@functools.lru_cache(maxsize=1024)
def _entry_tail(stream: str, submit_time_ms: int) -> bytes:
    return _stream_field(stream) + _submit_time_field(submit_time_ms)


@functools.lru_cache(maxsize=4096)
def _entry_head(packet_size: int, tail_size: int) -> bytes:
    """Tags and lengths before a packet of ``packet_size`` bytes: packets of a stream mostly
    share a few sizes."""
    head = _PACKET + varint(packet_size)
    return _RESPONSE + varint(len(head) + packet_size + tail_size) + head


@functools.lru_cache(maxsize=1024)
def _stream_field(stream: str) -> bytes:
    """The ``stream`` field (nothing for the main stream): one per stream label."""
    return length_delimited(2, stream.encode()) if stream else b""


@functools.lru_cache(maxsize=256)
def _submit_time_field(milliseconds: int) -> bytes:
    """The ``submit_time`` field: records read together mostly share their time."""
    return length_delimited(3, timestamp_ms(milliseconds))


def read_response(packet_responses: list[bytes]) -> bytes:
    """A serialized ``Read*Response{repeated PacketResponse response = 1}``."""
    parts = []
    for item in packet_responses:
        parts += [_RESPONSE, varint(len(item)), item]
    return b"".join(parts)


def _field_number(message: Message, field_name: str) -> int:
    return int(message.DESCRIPTOR.fields_by_name[field_name].number)


def serialize_with_field(message: Message, field_name: str, encoded: bytes) -> bytes:
    """``message`` serialized with the field ``field_name`` replaced by ``encoded`` (complete
    tag-value pairs), which is written in that field's place in field-number order."""
    number = _field_number(message, field_name)
    head, tail = type(message)(), type(message)()
    head.CopyFrom(message)
    tail.CopyFrom(message)
    for field in message.DESCRIPTOR.fields:
        if field.number >= number:
            head.ClearField(field.name)
        if field.number <= number:
            tail.ClearField(field.name)
    return head.SerializeToString() + encoded + tail.SerializeToString()


def with_ordered_offsets(message: Message, field_name: str, offsets: Iterable[tuple[str, int]]) -> bytes:
    """``message`` serialized with its ``map<string, int64>`` field ``field_name`` holding
    ``offsets`` in the given order."""
    number = _field_number(message, field_name)
    entries = b"".join(
        length_delimited(number, length_delimited(1, key.encode()) + tag(2, VARINT) + varint(value))
        for key, value in offsets
    )
    return serialize_with_field(message, field_name, entries)


def with_embedded(message: Message, field_name: str, serialized: bytes) -> bytes:
    """``message`` serialized with the message field ``field_name`` set to ``serialized``."""
    return serialize_with_field(message, field_name, length_delimited(_field_number(message, field_name), serialized))


