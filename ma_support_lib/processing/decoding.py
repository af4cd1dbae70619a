"""Received packets to numpy pieces, ready for the window buffer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..contracts.buffering.can_data import CanData
from ..contracts.buffering.error_data import ErrorData
from ..contracts.buffering.event_data import EventData
from ..contracts.buffering.marker_data import MarkerData
from ..packets.decoders import decode_content
from ..packets.envelope import SAMPLE_DATA_TYPES, SampleDataPacketType
from ..protos import open_data_pb2
from .formats import FormatResolver
from .piece import Piece

#: Identifiers under which non-parameter values are buffered and delivered.
MARKER, EVENT, ERROR, CAN = "Marker", "Event", "Error", "CAN"

_VALID = np.uint8(open_data_pb2.DATA_STATUS_VALID)


@dataclass(frozen=True)
class Includes:
    """Which non-parameter packets the buffer takes."""

    markers: bool = False
    events: bool = False
    errors: bool = False
    can: bool = False


def decode_samples(
    packet_type: SampleDataPacketType,
    content: bytes,
    data_source: str,
    resolver: FormatResolver,
    wanted: Callable[[str], bool],
) -> tuple[tuple[str, ...], list[Piece]]:
    """The format's parameter identifiers and a piece of the wanted ones (if any).

    Raises ``PacketDecodeError`` for malformed content and ``ValueError`` when the column
    count disagrees with the data format; unresolvable formats give no pieces.
    """
    samples = decode_content(packet_type, content)
    identifiers = resolver.parameters(data_source, samples.data_format)
    if identifiers is None:
        return (), []
    if len(identifiers) != len(samples.values):
        raise ValueError(f"{packet_type} has {len(samples.values)} columns for {len(identifiers)} parameters")
    kept = [i for i, identifier in enumerate(identifiers) if wanted(identifier)]
    if not kept:
        return identifiers, []
    piece = Piece.of(
        samples.timestamps, tuple(identifiers[i] for i in kept),
        [samples.values[i] for i in kept], [samples.statuses[i] for i in kept],
    )  # fmt: skip
    return identifiers, [piece]


def decode_other(packet_type: str, content: bytes, data_source: str, resolver: FormatResolver, includes: Includes) -> Piece | None:
    """A Marker, Event, Error or RawCANData packet as a one-value piece (if included)."""
    value: Any
    if packet_type == "Marker" and includes.markers:
        m = open_data_pb2.MarkerPacket.FromString(content)
        identifier, timestamp = MARKER, m.timestamp
        value = MarkerData(m.timestamp, m.end_time, m.label, m.type, m.description, m.source, m.value)
    elif packet_type == "Event" and includes.events:
        e = open_data_pb2.EventPacket.FromString(content)
        name = e.data_format.event_identifier
        if e.data_format.WhichOneof("format") == "data_format_identifier":
            name = resolver.event(data_source, e.data_format.data_format_identifier) or ""
        identifier, timestamp = EVENT, e.timestamp
        value = EventData(name, e.timestamp, tuple(e.raw_values))
    elif packet_type == "Error" and includes.errors:
        r = open_data_pb2.ErrorPacket.FromString(content)
        identifier, timestamp = ERROR, r.timestamp
        value = ErrorData(r.error_identifier, r.timestamp, r.application_name, r.group, r.name, r.description, r.type, r.status)
    elif packet_type == "RawCANData" and includes.can:
        c = open_data_pb2.RawCANDataPacket.FromString(content)
        identifier, timestamp = CAN, c.timestamp
        value = CanData(c.timestamp, c.bus, c.can_id, bytes(c.payload), c.type)
    else:
        return None
    values = np.empty(1, dtype=object)
    values[0] = value
    return Piece(np.array([timestamp], dtype=np.int64), (identifier,), values.reshape(1, 1), np.full((1, 1), _VALID))


def is_sample_type(packet_type: str) -> bool:
    return packet_type in SAMPLE_DATA_TYPES


def configured_parameters(content: bytes) -> list[str]:
    """The parameter identifiers a Configuration packet defines."""
    packet = open_data_pb2.ConfigurationPacket.FromString(content)
    return [definition.identifier for definition in packet.parameter_definitions]
