"""Read streams: which partitions a connection reads, filters, and response framing.

A read stream follows its partitions until the client cancels, the connection is closed
with ``CloseConnection`` or the server stops; in every case its subscription is closed.
"""

from __future__ import annotations

import collections
import itertools
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from google.protobuf.message import DecodeError

from ..log import Log, Record, Subscription, TopicPartition
from ..protos import api_pb2, open_data_pb2
from . import framing, wire
from .config import ServerConfig
from .errors import InvalidRequestError
from .framing import BATCH_LIMIT
from .data_formats import DataFormatStore, FormatKind
from .metrics import Metrics
from .routing import Router, essentials_topic, stream_topic, validate_data_source

log = logging.getLogger(__name__)

#: Most records taken from the log per poll when responses are not batched.
POLL_LIMIT = 1_000


@dataclass(frozen=True)
class ReadPlan:
    """Start offsets per partition and the stream label of each partition."""

    start: dict[TopicPartition, int]
    labels: dict[TopicPartition, str]


async def plan_read(details: api_pb2.ConnectionDetails, config: ServerConfig, router: Router, log_: Log) -> ReadPlan:
    """The partitions ``ReadPackets`` / ``ReadDataPackets`` follow for a connection.

    Unlike the reference, the i-th stream always starts at the i-th ``stream_offsets``
    entry, and too few offsets is an error instead of a silent, empty stream.
    """
    data_source = details.data_source
    validate_data_source(data_source)
    streams = list(details.streams)
    if len(details.stream_offsets) < len(streams):
        raise InvalidRequestError(
            f"connection lists {len(streams)} stream(s) but only {len(details.stream_offsets)} "
            "stream_offsets; give one start offset per stream (-1 for only new packets)"
        )
    start: dict[TopicPartition, int] = {}
    labels: dict[TopicPartition, str] = {}

    def add(tp: TopicPartition, offset: int, label: str) -> None:
        if tp not in start:
            start[tp] = offset
            labels[tp] = label

    main_partitions = config.main_topic_partitions
    await router.ensure_topic(data_source, main_partitions)
    if not details.exclude_main_stream:
        count = (await log_.partition_count(data_source) or 1) if not streams else 1
        for partition in range(count):
            add(TopicPartition(data_source, partition), details.main_offset, "")
    for index, stream in enumerate(streams):
        offset = details.stream_offsets[index]
        if config.partition_based:
            mapped = config.stream_partition(stream)
            if mapped is not None and mapped < (await log_.partition_count(data_source) or 1):
                add(TopicPartition(data_source, mapped), offset, stream)
        else:
            topic = stream_topic(data_source, stream)
            await router.ensure_topic(topic, 1)
            for partition in range(await log_.partition_count(topic) or 1):
                add(TopicPartition(topic, partition), offset, stream)
    return ReadPlan(start, labels)


async def plan_essentials(details: api_pb2.ConnectionDetails, router: Router, log_: Log) -> tuple[ReadPlan, dict[TopicPartition, int]]:
    """``ReadEssentials``: every essentials partition from ``main_offset`` (as the reference),
    and the end offsets at call time where the stream finishes."""
    validate_data_source(details.data_source)
    topic = essentials_topic(details.data_source)
    await router.ensure_topic(topic, 1)
    tps = [TopicPartition(topic, p) for p in range(await log_.partition_count(topic) or 1)]
    ends = {tp: (await log_.watermarks(tp))[1] for tp in tps}
    start = {tp: details.main_offset for tp in tps}
    return ReadPlan(start, {tp: "" for tp in tps}), ends


# -- ReadDataPackets filtering -----------------------------------------------------------------

_DATA_TYPES = {
    "PeriodicData": FormatKind.PARAMETER,
    "RowData": FormatKind.PARAMETER,
    "SynchroData": FormatKind.PARAMETER,
    "Event": FormatKind.EVENT,
}
MARKER = "Marker"


def _compile(patterns: Sequence[str], default: str, what: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in list(patterns) or [default]:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise InvalidRequestError(f"invalid regular expression in {what}: {pattern!r}: {exc}") from None
    return compiled


class IdentifierFilter:
    """Exclude if any exclude pattern matches, else include if any include pattern matches.

    Patterns are unanchored searches; an empty include list means everything, an empty
    exclude list excludes only the empty identifier.
    """

    def __init__(self, include: Sequence[str], exclude: Sequence[str], what: str) -> None:
        self._include = _compile(include, ".*", f"include_{what}")
        self._exclude = _compile(exclude, "(^$)", f"exclude_{what}")

    def passes(self, identifier: str) -> bool:
        if any(p.search(identifier) for p in self._exclude):
            return False
        return any(p.search(identifier) for p in self._include)


class DataPacketFilter:
    """Decides which packets ``ReadDataPackets`` delivers (reference rules, section 4.4)."""

    def __init__(self, request: api_pb2.DataPacketRequest, data_source: str, formats: DataFormatStore) -> None:
        self._parameters = IdentifierFilter(request.include_parameters, request.exclude_parameters, "parameters")
        self._events = IdentifierFilter(request.include_events, request.exclude_events, "events")
        self._markers = request.include_markers
        self._data_source = data_source
        self._formats = formats
        self._decisions: dict[tuple[FormatKind, bytes], bool] = {}

    def passes(self, packet: open_data_pb2.Packet) -> bool:
        if packet.type == MARKER:
            return self._markers
        kind = _DATA_TYPES.get(packet.type)
        if kind is None:
            return False
        try:
            data_format = wire.length_delimited_field(packet.content, 1) or b""
        except ValueError as exc:
            log.warning("%s packet content does not parse (%s); dropped", packet.type, exc)
            return False
        decision = self._decisions.get((kind, data_format))
        if decision is None:
            decision = self._decide(kind, data_format, packet.type)
            if decision is not None:
                self._decisions[(kind, data_format)] = decision
        return bool(decision)

    def _decide(self, kind: FormatKind, data_format: bytes, packet_type: str) -> bool | None:
        """The decision for one data format; ``None`` (not cached) for an unknown id."""
        try:
            if kind is FormatKind.EVENT:
                event_format = open_data_pb2.EventDataFormat.FromString(data_format)
                if event_format.WhichOneof("format") == "event_identifier":
                    return self._events.passes(event_format.event_identifier)
                identifiers = self._formats.identifiers(self._data_source, kind, event_format.data_format_identifier)
            else:
                sample_format = open_data_pb2.SampleDataFormat.FromString(data_format)
                if sample_format.WhichOneof("format") == "parameter_identifiers":
                    identifiers = tuple(sample_format.parameter_identifiers.parameter_identifiers)
                else:
                    identifiers = self._formats.identifiers(
                        self._data_source, kind, sample_format.data_format_identifier
                    )
        except DecodeError as exc:
            log.warning("%s packet has a malformed data format (%s); dropped", packet_type, exc)
            return False
        if identifiers is None:
            log.warning("%s packet of %s uses an unknown data format id; dropped", packet_type, self._data_source)
            return None
        if kind is FormatKind.EVENT:
            return self._events.passes(identifiers[0])
        return any(self._parameters.passes(identifier) for identifier in identifiers)


# -- the read loop ---------------------------------------------------------------------------------


@dataclass
class ReadContext:
    """Labels for metrics of one read stream."""

    connection: str
    data_source: str
    session_key: str


class _Tally:
    """Counts of one poll for the metrics, by stream label, and the bytes it read."""

    __slots__ = ("read", "read_bytes", "received", "received_bytes")

    def __init__(self) -> None:
        self.read_bytes = 0
        self.read: collections.Counter[str] = collections.Counter()
        self.received: collections.Counter[str] = collections.Counter()
        self.received_bytes: collections.Counter[str] = collections.Counter()


def _partition_of(record: Record) -> tuple[str, int]:
    return record.topic, record.partition


class PacketStream:
    """Turns a subscription into serialized ``Read*Response`` messages."""

    def __init__(
        self,
        subscription: Subscription,
        plan: ReadPlan,
        context: ReadContext,
        metrics: Metrics,
        *,
        batching: bool,
        keep: Callable[[open_data_pb2.Packet], bool] | None = None,
        ends: dict[TopicPartition, int] | None = None,
    ) -> None:
        self._subscription = subscription
        self._plan = plan
        self._context = context
        self._metrics = metrics
        self._batching = batching
        self._keep = keep
        self._ends = ends
        self._key = context.session_key.encode() if context.session_key else None

    def _finished(self) -> bool:
        if self._ends is None:
            return self._subscription.closed
        positions = self._subscription.positions()
        return self._subscription.closed or all(positions[tp] >= end for tp, end in self._ends.items())

    def _accepts(self, record: Record) -> bool:
        """Whether a record that passed the key filter is a ``Packet`` the stream delivers."""
        try:
            packet = open_data_pb2.Packet.FromString(record.value)
        except DecodeError:
            log.warning("%s:%d offset %d is not a Packet; skipped", record.topic, record.partition, record.offset)
            return False
        return self._keep is None or self._keep(packet)

    def _select(self, records: list[Record], tally: _Tally) -> list[tuple[bytes, str, int]]:
        """``(packet, stream label, submit time)`` of the records the stream delivers; counts
        what was read and what passed the key filter. A poll's records come in runs of one
        partition, so labels are looked up once per run."""
        accepted: list[tuple[bytes, str, int]] = []
        key = self._key
        for (topic, partition), run in itertools.groupby(records, key=_partition_of):
            label = self._plan.labels.get(TopicPartition(topic, partition), "")
            batch = list(run)
            size = sum(len(record.value) for record in batch)
            tally.read[label] += len(batch)
            tally.read_bytes += size
            if key is not None:
                batch = [record for record in batch if record.key == key]
                size = sum(len(record.value) for record in batch)
            tally.received[label] += len(batch)
            tally.received_bytes[label] += size
            accepted += [(record.value, label, record.timestamp_ms) for record in batch if self._accepts(record)]
        return accepted

    async def responses(self) -> AsyncIterator[bytes]:
        limit, per_response = (framing.FIRST_POLL, BATCH_LIMIT) if self._batching else (POLL_LIMIT, 1)
        while not self._finished():
            records = await self._subscription.poll(limit)
            if self._ends is not None:
                records = [r for r in records if r.offset < self._ends[TopicPartition(r.topic, r.partition)]]
            tally = _Tally()
            accepted = self._select(records, tally)
            if self._batching and records:
                limit = framing.poll_size(len(records), tally.read_bytes)
            self._count(tally, len(accepted))
            for response in framing.frame(accepted, per_response):
                yield response
            if records:
                await self._subscription.commit()  # what was handed to gRPC, for a consumer group

    def _count(self, tally: _Tally, delivered: int) -> None:
        """Metrics of one poll."""
        metrics, context = self._metrics, self._context
        if self._ends is not None:
            metrics.essential_packets_read.labels(context.connection, context.data_source).inc(sum(tally.read.values()))
            metrics.essential_packets_delivered.labels(context.connection, context.data_source).inc(delivered)
            return
        for label, count in tally.read.items():
            metrics.data_packets_read.labels(context.connection, context.data_source, label).inc(count)
        for label, count in tally.received.items():
            if not count:
                continue
            labels = (context.connection, context.data_source, label, context.session_key)
            metrics.router_messages_received.labels(*labels).inc(count)
            metrics.router_messages_received_bytes.labels(*labels).inc(tally.received_bytes[label])
        if self._batching and delivered:
            metrics.data_packets_delivered.labels(context.connection, context.data_source, "").inc(delivered)
