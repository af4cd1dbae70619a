"""Data formats: ids for parameter lists and events, persisted in ``<data source>_essential``.

A format is identified per data source by its ordered parameter list (joined with ``,`` as
in the reference) or its event identifier. Ids are fresh ulong keys; a key may own several
ids (two servers defining the same list), and lookups return the first one seen.

Definitions written by any server are loaded from the log: at start-up for every existing
``_essential`` topic, and for a new data source the first time it is used. Loading reads up
to the end of the topic as it is at that moment (no quiet-period wait) and then follows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError

from ..log import Log, ProducerRecord, Record, Subscription, TopicPartition
from ..protos import open_data_pb2
from .keys import KeyGenerator
from .metrics import Metrics
from .replay import catch_up
from .routing import ESSENTIAL_SUFFIX, Router, essentials_topic, validate_data_source

log = logging.getLogger(__name__)

DATA_FORMAT_DEFINITION = "DataFormatDefinition"


class FormatKind(enum.IntEnum):
    PARAMETER = open_data_pb2.DATA_FORMAT_TYPE_PARAMETER
    EVENT = open_data_pb2.DATA_FORMAT_TYPE_EVENT


@dataclass
class _DataSourceFormats:
    ids_by_key: dict[tuple[FormatKind, str], list[int]] = field(default_factory=dict)
    identifiers_by_id: dict[tuple[FormatKind, int], tuple[str, ...]] = field(default_factory=dict)

    def add(self, kind: FormatKind, identifiers: tuple[str, ...], format_id: int) -> bool:
        """Record ``format_id``; returns whether it was new."""
        if (kind, format_id) in self.identifiers_by_id:
            return False
        self.identifiers_by_id[(kind, format_id)] = identifiers
        self.ids_by_key.setdefault((kind, ",".join(identifiers)), []).append(format_id)
        return True


class DataFormatStore:
    """All known data formats, by data source."""

    def __init__(self, log_: Log, router: Router, keys: KeyGenerator, metrics: Metrics, *, integrated: bool) -> None:
        self._log = log_
        self._router = router
        self._keys = keys
        self._metrics = metrics
        self._integrated = integrated
        self._formats: dict[str, _DataSourceFormats] = {}
        self._loading: dict[str, asyncio.Future[None]] = {}
        self._followers: set[asyncio.Task[None]] = set()
        self._subscriptions: set[Subscription] = set()  # open ones, closed by stop() at the latest
        self._locks: dict[str, asyncio.Lock] = {}

    # -- loading ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Load every data source that already has an essentials topic."""
        if not self._integrated:
            return
        topics = await self._log.list_topics()
        data_sources = [t[: -len(ESSENTIAL_SUFFIX)] for t in topics if t.endswith(ESSENTIAL_SUFFIX)]
        await asyncio.gather(*(self.ensure_loaded(ds) for ds in data_sources if ds))

    def track(self, data_source: str) -> None:
        """Start loading ``data_source`` in the background (a session or write named it)."""
        if self._integrated and data_source not in self._loading:
            task = asyncio.ensure_future(self.ensure_loaded(data_source))
            task.add_done_callback(_log_failure)

    async def ensure_loaded(self, data_source: str) -> None:
        """Return once every definition of ``data_source`` present in the log is known."""
        if not self._integrated:
            return
        loading = self._loading.get(data_source)
        if loading is None:
            loading = asyncio.ensure_future(self._load(data_source))
            self._loading[data_source] = loading
        try:
            await asyncio.shield(loading)
        except Exception:
            self._loading.pop(data_source, None)
            raise

    async def _load(self, data_source: str) -> None:
        topic = essentials_topic(data_source)
        await self._router.ensure_topic(topic, 1)
        partitions = await self._log.partition_count(topic) or 1
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        subscription = await catch_up(self._log, tps, lambda record: self._apply(data_source, record))
        self._subscriptions.add(subscription)
        follower = asyncio.create_task(self._follow(data_source, subscription), name=f"formats-{data_source}")
        self._followers.add(follower)
        follower.add_done_callback(self._followers.discard)

    async def _follow(self, data_source: str, subscription: Subscription) -> None:
        try:
            while True:
                for record in await subscription.poll():
                    self._apply(data_source, record)
        finally:
            self._subscriptions.discard(subscription)
            await subscription.close()

    def _apply(self, data_source: str, record: Record) -> None:
        try:
            packet = open_data_pb2.Packet.FromString(record.value)
            if packet.type != DATA_FORMAT_DEFINITION:
                return
            definition = open_data_pb2.DataFormatDefinitionPacket.FromString(packet.content)
        except DecodeError as exc:
            log.warning("%s:%d offset %d is not a valid packet (%s); skipped", record.topic, record.partition, record.offset, exc)
            return
        if definition.WhichOneof("format") == "event_identifier":
            identifiers: tuple[str, ...] = (definition.event_identifier,)
        else:
            identifiers = tuple(definition.parameter_identifiers.parameter_identifiers)
        try:
            kind = FormatKind(definition.type)
        except ValueError:
            log.warning("data format %d of %s has unknown type %d; skipped", definition.identifier, data_source, definition.type)
            return
        self._add(data_source, kind, identifiers, definition.identifier)

    def _add(self, data_source: str, kind: FormatKind, identifiers: tuple[str, ...], format_id: int) -> None:
        formats = self._formats.setdefault(data_source, _DataSourceFormats())
        if formats.add(kind, identifiers, format_id):
            self._metrics.data_formats.labels(data_source).set(len(formats.identifiers_by_id))

    async def stop(self) -> None:
        for task in list(self._followers) + list(self._loading.values()):
            task.cancel()
        for task in list(self._followers) + list(self._loading.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # a load cancelled while reading, or a follower cancelled before it ran, left its own open
        for subscription in list(self._subscriptions):
            await subscription.close()
        self._subscriptions.clear()

    # -- lookups and creation ----------------------------------------------------------------

    async def format_id(self, data_source: str, kind: FormatKind, identifiers: tuple[str, ...]) -> int:
        """The first id of this format, creating (and persisting) one if there is none."""
        validate_data_source(data_source)
        await self.ensure_loaded(data_source)
        key = (kind, ",".join(identifiers))
        lock = self._locks.setdefault(data_source, asyncio.Lock())
        async with lock:
            formats = self._formats.get(data_source)
            if formats is not None and key in formats.ids_by_key:
                return formats.ids_by_key[key][0]
            format_id = await self._keys.ulong_key()
            self._add(data_source, kind, identifiers, format_id)
            await self._persist(data_source, kind, identifiers, format_id)
            return format_id

    async def _persist(self, data_source: str, kind: FormatKind, identifiers: tuple[str, ...], format_id: int) -> None:
        definition = open_data_pb2.DataFormatDefinitionPacket(identifier=format_id, type=kind.value)
        if kind is FormatKind.EVENT:
            definition.event_identifier = identifiers[0]
        else:
            definition.parameter_identifiers.parameter_identifiers.extend(identifiers)
        value = open_data_pb2.Packet(
            type=DATA_FORMAT_DEFINITION, session_key="", is_essential=True, content=definition.SerializeToString()
        ).SerializeToString()
        main = self._router.data_route(data_source, "")
        essentials = self._router.essentials_route(data_source)
        await self._router.ensure_data_topics(data_source, main)
        await self._log.append(
            [
                ProducerRecord(essentials.topic, value, b"", essentials.partition),
                ProducerRecord(main.topic, value, b"", main.partition),
            ]
        )

    def identifiers(self, data_source: str, kind: FormatKind, format_id: int) -> tuple[str, ...] | None:
        """The parameter list or ``(event,)`` of an id, or ``None`` if unknown."""
        formats = self._formats.get(data_source)
        if formats is None:
            return None
        return formats.identifiers_by_id.get((kind, format_id))


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("loading data formats failed: %s", task.exception())
