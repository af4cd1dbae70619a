"""The record format shared with the C# facade (``native/facade/Frames.cs``).

Little-endian; a string is an int32 byte count and UTF-8; a list is an int32 count and its
items. .NET -> Python records (packets, events, log lines) decode to the library's DTOs;
Python -> .NET writer batches are ``Route`` records followed by ``PacketBytes`` records.
"""

from __future__ import annotations

import datetime
import struct
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from ...contracts.data_format_management.data_format_info import DataFormatInfo
from ...contracts.data_format_management.data_format_info_type import DataFormatInfoType
from ...contracts.packet_reading.coverage_cursor_info import CoverageCursorInfo
from ...contracts.packet_reading.stream_info import StreamInfo
from ...contracts.session_management.session_association_info import SessionAssociationInfo
from ...contracts.session_management.session_info import SessionInfo

PACKET, SESSION_INFO, STREAM_INFO, COVERAGE_CURSOR, ASSOCIATION, DATA_FORMAT_INFO, LOG = range(1, 8)
ROUTE, PACKET_BYTES = 101, 102

_I32 = struct.Struct("<i")
_I64 = struct.Struct("<q")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_DATA_FORMAT_TYPES = {0: DataFormatInfoType.PARAMETERS, 1: DataFormatInfoType.EVENT}


@dataclass(frozen=True)
class PacketRecord:
    """A packet a .NET reader handed to its handler."""

    data_source: str
    session_key: str
    stream: str
    type: str
    submit_time_ns: int
    data: bytes


@dataclass(frozen=True)
class EventRecord:
    """A C# event (by its C# name) and its argument as a library DTO."""

    name: str
    args: Any


@dataclass(frozen=True)
class LogRecord:
    level: int
    message: str


class Decoded:
    """Base of the record kinds another module decodes (registered in :data:`DECODERS`)."""


Record = PacketRecord | EventRecord | LogRecord | Decoded


class Reader:
    """Reads the fields of records in order."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        value = self.data[self.at]
        self.at += 1
        return value

    def i32(self) -> int:
        (value,) = _I32.unpack_from(self.data, self.at)
        self.at += 4
        return int(value)

    def i64(self) -> int:
        (value,) = _I64.unpack_from(self.data, self.at)
        self.at += 8
        return int(value)

    def blob(self) -> bytes:
        count = self.i32()
        value = self.data[self.at : self.at + count]
        self.at += count
        return value

    def text(self) -> str:
        return self.blob().decode()

    def texts(self) -> list[str]:
        return [self.text() for _ in range(self.i32())]

    def session_info(self) -> SessionInfo:
        key, data_source, identifier, kind = self.text(), self.text(), self.text(), self.text()
        version, historical, offset_ticks = self.i64(), bool(self.byte()), self.i64()
        details = {self.text(): self.text() for _ in range(self.i32())}
        return SessionInfo(
            key,
            data_source,
            identifier,
            kind,
            version,
            datetime.timedelta(microseconds=offset_ticks / 10),
            details,
            self.texts(),
            historical,
        )

    def data_format_info(self) -> DataFormatInfo:
        data_source, key = self.text(), self.text()
        ids = [self.i64() & 0xFFFF_FFFF_FFFF_FFFF for _ in range(self.i32())]
        identifiers = self.texts()
        return DataFormatInfo(data_source, key, ids, identifiers, _DATA_FORMAT_TYPES[self.byte()])

    def record(self) -> Record:
        kind = self.byte()
        if kind == PACKET:
            return PacketRecord(self.text(), self.text(), self.text(), self.text(), self.i64(), self.blob())
        if kind == LOG:
            return LogRecord(self.byte(), self.text())
        if kind in DECODERS:
            return DECODERS[kind](self)
        name = self.text()
        if kind == SESSION_INFO:
            return EventRecord(name, self.session_info())
        if kind == STREAM_INFO:
            return EventRecord(name, StreamInfo(self.text(), self.text(), self.text()))
        if kind == COVERAGE_CURSOR:
            data_source, session_key = self.text(), self.text()
            return EventRecord(name, CoverageCursorInfo(self.i64() & 0xFFFF_FFFF_FFFF_FFFF, data_source, session_key))
        if kind == ASSOCIATION:
            group, main = self.text(), self.session_info()
            associate = self.session_info() if self.byte() else None
            return EventRecord(name, SessionAssociationInfo(main, associate, group))
        if kind == DATA_FORMAT_INFO:
            return EventRecord(name, self.data_format_info())
        raise ValueError(f"unknown record kind {kind} at byte {self.at - 1}")


#: Decoders of further record kinds, by kind (filled by the modules that define them).
DECODERS: dict[int, Callable[[Reader], Decoded]] = {}


def records(data: bytes) -> list[Record]:
    """Every record in ``data`` (what ``EventQueue.Take`` returned)."""
    reader = Reader(data)
    decoded: list[Record] = []
    while reader.at < len(data):
        decoded.append(reader.record())
    return decoded


def session_info(data: bytes) -> SessionInfo:
    """What ``Codec.SessionInfo`` encoded."""
    return Reader(data).session_info()


def session_infos(data: bytes) -> list[SessionInfo]:
    reader = Reader(data)
    return [reader.session_info() for _ in range(reader.i32())]


def data_format_infos(data: bytes) -> list[DataFormatInfo]:
    reader = Reader(data)
    return [reader.data_format_info() for _ in range(reader.i32())]


def submit_time(unix_ns: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(microseconds=unix_ns // 1000)


def _string(value: str) -> bytes:
    encoded = value.encode()
    return _I32.pack(len(encoded)) + encoded


def route(data_source: str, stream: str, session_key: str) -> bytes:
    """The record that sets where the following packets go."""
    return bytes((ROUTE,)) + _string(data_source) + _string(stream) + _string(session_key)


def packet_header(size: int) -> bytes:
    """What precedes a serialized packet of ``size`` bytes in a writer batch."""
    return _PACKET_BYTES + _I32.pack(size)


_PACKET_BYTES = bytes((PACKET_BYTES,))
