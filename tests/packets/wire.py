"""Hand-made protobuf encodings, for the encodings SerializeToString() never writes."""

from __future__ import annotations


def varint(value: int, *, extra: int = 0) -> bytes:
    """A varint, optionally padded with ``extra`` redundant continuation bytes."""
    value &= 2**64 - 1
    groups = [value & 0x7F]
    while value > 0x7F:
        value >>= 7
        groups.append(value & 0x7F)
    groups += [0] * extra
    return bytes(group | 0x80 for group in groups[:-1]) + bytes(groups[-1:])


def tag(field: int, wire_type: int) -> bytes:
    return varint(field << 3 | wire_type)


def delimited(field: int, content: bytes) -> bytes:
    return tag(field, 2) + varint(len(content)) + content


def fixed64(field: int, value: int) -> bytes:
    return tag(field, 1) + value.to_bytes(8, "little")


def uint(field: int, value: int, *, extra: int = 0) -> bytes:
    return tag(field, 0) + varint(value, extra=extra)
