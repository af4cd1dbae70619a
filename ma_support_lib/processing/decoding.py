"""Received packets to per-identifier numpy pieces, ready for the window buffer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
from numpy.typing import NDArray

from ..contracts.buffering.can_data import CanData
from ..contracts.buffering.error_data import ErrorData
from ..contracts.buffering.event_data import EventData
from ..contracts.buffering.marker_data import MarkerData
from ..packets.decoders import decode_content
from ..packets.envelope import SAMPLE_DATA_TYPES, SampleDataPacketType
from ..protos import open_data_pb2
from .formats import FormatResolver

#: Identifiers under which non-parameter values are buffered and delivered.
MARKER, EVENT, ERROR, CAN = "Marker", "Event", "Error", "CAN"

_VALID = np.uint8(open_data_pb2.DATA_STATUS_VALID)


#: Values of several identifiers: a 2-d array ``[identifiers, samples]`` when they share a
#: dtype, else one array per identifier (``values[i]`` is identifier ``i``'s either way).
Values = Union[NDArray[Any], tuple[NDArray[Any], ...]]


@dataclass(frozen=True, eq=False)
class Piece:
    """Samples of one packet: ``values[i]`` / ``statuses[i]`` are those of ``identifiers[i]``,
    all at ``timestamps`` (int64 ns, in packet order); ``statuses`` is ``[identifiers, samples]``."""

    timestamps: NDArray[np.int64]
    identifiers: tuple[str, ...]
    values: Values
    statuses: NDArray[np.uint8]

    @staticmethod
    def of(timestamps: NDArray[np.int64], identifiers: tuple[str, ...], values: Sequence[NDArray[Any]],
           statuses: Sequence[NDArray[np.uint8]]) -> Piece:  # fmt: skip
        """A piece of per-identifier arrays, joined into 2-d arrays where they share a dtype."""
        count = len(timestamps)
        return Piece(timestamps, identifiers, _matrix(values, count), _matrix(statuses, count))  # type: ignore[arg-type]

    def rows(self, rows: slice | NDArray[np.bool_]) -> Piece:
        """Only the samples at ``rows`` of the timestamps."""
        if isinstance(self.values, tuple):
            return Piece(self.timestamps[rows], self.identifiers, tuple(v[rows] for v in self.values), self.statuses[:, rows])
        return Piece(self.timestamps[rows], self.identifiers, self.values[:, rows], self.statuses[:, rows])

    def without(self, identifiers: set[str]) -> Piece:
        kept = [i for i, identifier in enumerate(self.identifiers) if identifier not in identifiers]
        values = tuple(self.values[i] for i in kept) if isinstance(self.values, tuple) else self.values[kept]
        return Piece(self.timestamps, tuple(self.identifiers[i] for i in kept), values, self.statuses[kept])

    def split(self, end: int) -> tuple[Piece | None, Piece | None]:
        """The samples older than ``end``, and the rest (None for no samples)."""
        below = self.timestamps < end
        count = int(np.count_nonzero(below))
        if count == 0 or count == len(below):
            return (self, None) if count else (None, self)
        if below[:count].all():  # sorted, as most packets are: views, not copies
            return self.rows(slice(0, count)), self.rows(slice(count, None))
        return self.rows(below), self.rows(~below)


def _matrix(arrays: Sequence[NDArray[Any]], count: int) -> Values:
    if len({a.dtype for a in arrays}) > 1:
        return tuple(arrays)
    if not arrays:
        return np.zeros((0, count))
    return np.concatenate(arrays).reshape(len(arrays), count)


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
