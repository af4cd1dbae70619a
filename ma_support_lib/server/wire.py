"""Just enough protobuf wire format to build read responses without re-parsing packets.

A stored record's value *is* a serialized ``Packet``, so a ``PacketResponse`` can be
assembled by framing those bytes instead of parsing and re-serializing them. The result is
byte-for-byte what ``PacketResponse.SerializeToString()`` produces (tested).

It also writes offset maps in a given order: Python's protobuf runtime writes map entries in
hash order, while the reference server writes ``topic_partition_offsets`` in insertion order
(main, essentials, then the streams), and readers of the records see that order.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.message import Message

_LEN = 2
_VARINT = 0


def varint(value: int) -> bytes:
    """Base-128 varint of a non-negative int (negative int64 as two's complement)."""
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _tag(field_number: int, wire_type: int) -> bytes:
    return varint((field_number << 3) | wire_type)


_PACKET = _tag(1, _LEN)
_STREAM = _tag(2, _LEN)
_SUBMIT_TIME = _tag(3, _LEN)
_SECONDS = _tag(1, _VARINT)
_NANOS = _tag(2, _VARINT)
_RESPONSE = _tag(1, _LEN)


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
    parts = [_PACKET, varint(len(packet)), packet]
    if stream:
        encoded = stream.encode()
        parts += [_STREAM, varint(len(encoded)), encoded]
    submit = timestamp_ms(submit_time_ms)
    parts += [_SUBMIT_TIME, varint(len(submit)), submit]
    return b"".join(parts)


def read_response(packet_responses: list[bytes]) -> bytes:
    """A serialized ``Read*Response{repeated PacketResponse response = 1}``."""
    parts = []
    for item in packet_responses:
        parts += [_RESPONSE, varint(len(item)), item]
    return b"".join(parts)


def _length_delimited(field_number: int, data: bytes) -> bytes:
    return _tag(field_number, _LEN) + varint(len(data)) + data


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
        _length_delimited(number, _length_delimited(1, key.encode()) + _tag(2, _VARINT) + varint(value))
        for key, value in offsets
    )
    return serialize_with_field(message, field_name, entries)


def with_embedded(message: Message, field_name: str, serialized: bytes) -> bytes:
    """``message`` serialized with the message field ``field_name`` set to ``serialized``."""
    return serialize_with_field(message, field_name, _length_delimited(_field_number(message, field_name), serialized))


def _read_varint(buffer: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(buffer):
            raise ValueError("truncated varint")
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def length_delimited_field(buffer: bytes, field_number: int) -> bytes | None:
    """The bytes of the last occurrence of a length-delimited field, or ``None``.

    Used to pick ``data_format`` out of a data packet without decoding its samples.
    Raises ``ValueError`` on malformed input.
    """
    occurrences = length_delimited_fields(buffer, field_number)
    return occurrences[-1] if occurrences else None


def length_delimited_fields(buffer: bytes, field_number: int) -> list[bytes]:
    """The bytes of every occurrence of a length-delimited field, in wire order.

    Raises ``ValueError`` on malformed input.
    """
    position = 0
    found: list[bytes] = []
    end = len(buffer)
    while position < end:
        key, position = _read_varint(buffer, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == _VARINT:
            _, position = _read_varint(buffer, position)
        elif wire_type == 1:
            position += 8
        elif wire_type == 5:
            position += 4
        elif wire_type == _LEN:
            length, position = _read_varint(buffer, position)
            if number == field_number:
                found.append(buffer[position : position + length])
            position += length
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        if position > end:
            raise ValueError("truncated field")
    return found


def map_keys(buffer: bytes, field_number: int) -> list[str]:
    """The keys of a ``map<string, ...>`` field of a serialized message, in wire order.

    Raises ``ValueError`` on malformed input.
    """
    return [
        (length_delimited_field(entry, 1) or b"").decode("utf-8", "replace")
        for entry in length_delimited_fields(buffer, field_number)
    ]
