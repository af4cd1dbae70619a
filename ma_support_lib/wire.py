"""Protobuf wire-format primitives for building and scanning messages without decoding them."""

from __future__ import annotations

LEN = 2
VARINT = 0


def varint(value: int) -> bytes:
    """Base-128 varint of a non-negative int (negative int64 as two's complement)."""
    if 0 <= value < 0x80:
        return _ONE_BYTE[value]
    if 0 < value < 0x4000:  # most lengths: inline
        return bytes(((value & 0x7F) | 0x80, value >> 7))
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_ONE_BYTE = [bytes((value,)) for value in range(0x80)]


def tag(field_number: int, wire_type: int) -> bytes:
    return varint((field_number << 3) | wire_type)


def length_delimited(field_number: int, data: bytes) -> bytes:
    """A length-delimited field: tag, length, bytes."""
    return tag(field_number, LEN) + varint(len(data)) + data


def read_varint(buffer: bytes, position: int) -> tuple[int, int]:
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
        key, position = read_varint(buffer, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == VARINT:
            _, position = read_varint(buffer, position)
        elif wire_type == 1:
            position += 8
        elif wire_type == 5:
            position += 4
        elif wire_type == LEN:
            length, position = read_varint(buffer, position)
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
