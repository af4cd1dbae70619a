"""What the in-process logs share: topics of partition stores, the partitioner, tail following.

An embedded log is a dictionary of topics, each a list of :class:`PartitionStore`. Subclasses
say how a partition stores its records (:mod:`.memory`, :mod:`.file`) and what "durable"
means for them (:meth:`EmbeddedLog._commit`). Consumer groups' committed offsets are kept in
memory for the life of the log object (a ``file://`` log does not store them on disk).
"""

from __future__ import annotations

import abc
import asyncio
import random
import threading
import time
import zlib
from collections.abc import Awaitable, Iterable, Sequence

from .base import (
    InvalidTopicError,
    Log,
    LogClosedError,
    ProducerRecord,
    Record,
    RecordMetadata,
    Subscription,
    TopicPartition,
    UnknownTopicError,
    validate_topic_name,
)

#: Upper bound on partitions per topic; far above what the Stream API layout asks for.
MAX_PARTITIONS = 10_000


def default_partition(key: bytes | None, partitions: int) -> int:
    """librdkafka's default ``consistent_random`` partitioner.

    CRC-32 of the key modulo the partition count; a random partition for a null or empty key.
    Records keyed like this land where a librdkafka producer (the reference server's) would
    put them.
    """
    if not key:
        return random.randrange(partitions)
    return zlib.crc32(key) % partitions


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class PartitionStore(abc.ABC):
    """The records of one partition. Called with the owning log's lock held."""

    @property
    @abc.abstractmethod
    def low_watermark(self) -> int: ...

    @property
    @abc.abstractmethod
    def high_watermark(self) -> int: ...

    @abc.abstractmethod
    def append(self, key: bytes | None, value: bytes, timestamp_ms: int) -> int:
        """Store one record and return its offset."""

    @abc.abstractmethod
    def read(self, offset: int, max_records: int) -> list[tuple[int, int, bytes | None, bytes]]:
        """Up to ``max_records`` ``(offset, timestamp_ms, key, value)`` from ``offset`` on."""

    def close(self) -> None:
        """Release resources (files); the default has none."""


class _Waiters:
    """Futures waiting for appends, woken from whichever thread appends."""

    def __init__(self) -> None:
        self._futures: dict[TopicPartition, set[asyncio.Future[None]]] = {}

    def add(self, tps: Iterable[TopicPartition], future: asyncio.Future[None]) -> None:
        for tp in tps:
            self._futures.setdefault(tp, set()).add(future)

    def remove(self, tps: Iterable[TopicPartition], future: asyncio.Future[None]) -> None:
        for tp in tps:
            waiting = self._futures.get(tp)
            if waiting is not None:
                waiting.discard(future)

    def wake(self, tps: Iterable[TopicPartition]) -> None:
        woken: set[asyncio.Future[None]] = set()
        for tp in tps:
            woken.update(self._futures.pop(tp, ()))
        for future in woken:
            future.get_loop().call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class EmbeddedLog(Log):
    """A :class:`Log` whose partitions live in this process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        self._topics: dict[str, list[PartitionStore]] = {}
        self._waiters = _Waiters()
        self._group_offsets: dict[str, dict[TopicPartition, int]] = {}
        self._closed = False

    # -- what subclasses provide ------------------------------------------------------------

    @abc.abstractmethod
    def _new_partition(self, topic: str, partition: int) -> PartitionStore:
        """Create the store of a new partition (called with the lock held)."""

    def _topic_created(self, topic: str, partitions: int) -> None:
        """Hook: a topic was created (called with the lock held)."""

    #: Whether :meth:`_commit` must run before an append is acknowledged.
    _needs_commit = False

    async def _commit(self, touched: set[TopicPartition]) -> None:
        """Hook: make the records just appended to ``touched`` durable before acknowledging
        (only called when ``_needs_commit`` is true)."""

    def _release(self) -> None:
        """Hook: release what the log holds besides its partitions (called once, on close)."""

    # -- Log ----------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise LogClosedError(f"log {self.url} is closed")

    def _create(self, topic: str, partitions: int) -> list[PartitionStore]:
        validate_topic_name(topic)
        if not 1 <= partitions <= MAX_PARTITIONS:
            raise InvalidTopicError(
                f"topic {topic!r}: partition count must be between 1 and {MAX_PARTITIONS}, "
                f"got {partitions}"
            )
        stores = [self._new_partition(topic, index) for index in range(partitions)]
        self._topics[topic] = stores
        self._topic_created(topic, partitions)
        return stores

    async def create_topic(self, topic: str, partitions: int) -> bool:
        with self._lock:
            self._check_open()
            if topic in self._topics:
                return False
            self._create(topic, partitions)
            return True

    async def list_topics(self) -> dict[str, int]:
        with self._lock:
            self._check_open()
            return {topic: len(stores) for topic, stores in self._topics.items()}

    def _partition(self, tp: TopicPartition) -> PartitionStore:
        stores = self._topics.get(tp.topic)
        if stores is None:
            raise UnknownTopicError(f"unknown topic {tp.topic!r}")
        if not 0 <= tp.partition < len(stores):
            raise UnknownTopicError(
                f"topic {tp.topic!r} has {len(stores)} partition(s); partition {tp.partition} "
                "does not exist"
            )
        return stores[tp.partition]

    def append_now(self, records: Sequence[ProducerRecord]) -> tuple[list[RecordMetadata], set[TopicPartition]]:
        """Store ``records`` without waiting for durability; returns where they went."""
        result: list[RecordMetadata] = []
        touched: set[TopicPartition] = set()
        now = now_ms()
        with self._lock:
            self._check_open()
            store: PartitionStore | None = None  # of the previous record, usually the same
            for topic, value, key, partition, timestamp in records:
                stores = self._topics.get(topic)
                if stores is None:
                    stores = self._create(topic, 1)
                if partition is None:
                    partition = default_partition(key, len(stores))
                elif not 0 <= partition < len(stores):
                    raise UnknownTopicError(
                        f"topic {topic!r} has {len(stores)} partition(s); cannot append "
                        f"to partition {partition}"
                    )
                target = stores[partition]
                if target is not store:
                    store = target
                    touched.add(TopicPartition(topic, partition))
                if timestamp is None:
                    timestamp = now
                offset = target.append(key, value, timestamp)
                result.append(RecordMetadata(topic, partition, offset, timestamp))
            self._waiters.wake(touched)
        return result, touched

    def append(self, records: Sequence[ProducerRecord]) -> Awaitable[list[RecordMetadata]]:
        result, touched = self.append_now(records)
        loop = asyncio.get_running_loop()
        if touched and self._needs_commit:
            return loop.create_task(self._committed(touched, result))
        done: asyncio.Future[list[RecordMetadata]] = loop.create_future()
        done.set_result(result)
        return done

    async def _committed(
        self, touched: set[TopicPartition], result: list[RecordMetadata]
    ) -> list[RecordMetadata]:
        await self._commit(touched)
        return result

    async def watermarks(self, tp: TopicPartition) -> tuple[int, int]:
        with self._lock:
            self._check_open()
            store = self._partition(tp)
            return store.low_watermark, store.high_watermark

    def subscribe(self, start: dict[TopicPartition, int], group: str | None = None) -> Subscription:
        with self._lock:
            self._check_open()
            committed = self._group_offsets.get(group, {}) if group else {}
            positions: dict[TopicPartition, int] = {}
            for tp, offset in start.items():
                store = self._partition(tp)
                if offset < 0:
                    offset = committed.get(tp, store.high_watermark)
                positions[tp] = max(min(offset, store.high_watermark), store.low_watermark)
        return _EmbeddedSubscription(self, positions, group)

    def _store_offsets(self, group: str, positions: dict[TopicPartition, int]) -> None:
        with self._lock:
            self._check_open()
            self._group_offsets.setdefault(group, {}).update(positions)

    def _fetch(self, positions: dict[TopicPartition, int], max_records: int) -> list[Record]:
        out: list[Record] = []
        with self._lock:
            self._check_open()
            for tp, offset in positions.items():
                if len(out) >= max_records:
                    break
                store = self._partition(tp)
                if offset >= store.high_watermark:
                    continue
                offset = max(offset, store.low_watermark)
                for rec_offset, timestamp, key, value in store.read(offset, max_records - len(out)):
                    out.append(Record(tp.topic, tp.partition, rec_offset, timestamp, key, value))
                    offset = rec_offset + 1
                positions[tp] = offset
        return out

    def _has_data(self, positions: dict[TopicPartition, int]) -> bool:
        return any(
            offset < self._partition(tp).high_watermark for tp, offset in positions.items()
        )

    async def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for stores in self._topics.values():
                for store in stores:
                    store.close()
            self._release()
            self._waiters.wake(
                TopicPartition(topic, index)
                for topic, stores in self._topics.items()
                for index in range(len(stores))
            )


class _EmbeddedSubscription(Subscription):
    def __init__(self, log: EmbeddedLog, positions: dict[TopicPartition, int], group: str | None) -> None:
        self._log = log
        self._positions = positions
        self._group = group
        self._closed = False
        self._waiting: asyncio.Future[None] | None = None

    def positions(self) -> dict[TopicPartition, int]:
        return dict(self._positions)

    async def poll(self, max_records: int = 10_000, timeout: float | None = None) -> list[Record]:
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while not self._closed:
            records = self._log._fetch(self._positions, max_records)
            if records:
                return records
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            with self._log._lock:
                self._log._check_open()
                if self._log._has_data(self._positions):
                    continue
                self._log._waiters.add(self._positions, future)
            self._waiting = future
            try:
                remaining = None if deadline is None else deadline - asyncio.get_running_loop().time()
                if remaining is not None and remaining <= 0:
                    return []
                await asyncio.wait_for(future, remaining)
            except asyncio.TimeoutError:
                return []
            finally:
                self._waiting = None
                with self._log._lock:
                    self._log._waiters.remove(self._positions, future)
        return []

    @property
    def closed(self) -> bool:
        return self._closed

    async def commit(self) -> None:
        if self._group:
            self._log._store_offsets(self._group, self._positions)

    async def close(self) -> None:
        self._closed = True
        if self._waiting is not None:
            _resolve(self._waiting)
