"""``KafkaLog``: the log abstraction over an Apache Kafka cluster."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from confluent_kafka import Consumer, KafkaException
from confluent_kafka import TopicPartition as KafkaTopicPartition

from ..base import Log, LogClosedError, ProducerRecord, RecordMetadata, Subscription, TopicPartition
from .admin import REQUEST_TIMEOUT_S, KafkaAdmin
from .consumer import KafkaSubscription
from .errors import from_kafka
from .producer import KafkaWriter
from .settings import KafkaSettings, KafkaSettingsError

T = TypeVar("T")

#: librdkafka's own log lines go here (connection failures, retries ...).
client_log = logging.getLogger("ma_support_lib.log.kafka.librdkafka")

#: Worker threads for blocking requests and consumer polls (one per pending poll).
MAX_WORKERS = 256


class KafkaLog(Log):
    """Topics, records and offsets of a Kafka cluster, as the :class:`Log` contract describes.

    Appends go through one idempotent producer (see :mod:`.producer` for what acknowledged
    means); every subscription is a consumer of its own with manual assignment; topics are
    created with the admin API. Topic names are the cluster's, or under ``topic_prefix``.
    """

    def __init__(self, settings: KafkaSettings) -> None:
        self.url = settings.url
        self.settings = settings
        self._executor = concurrent.futures.ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix="kafka-log")
        try:
            self._admin = KafkaAdmin(settings, client_log)
            self._writer = KafkaWriter(settings, client_log)
        except KafkaException as exc:
            self._executor.shutdown(wait=False)
            raise KafkaSettingsError(f"invalid Kafka settings: {from_kafka(exc, 'librdkafka')}") from None
        self._subscriptions: weakref.WeakSet[KafkaSubscription] = weakref.WeakSet()
        self._closed = False

    @classmethod
    def open(cls, url: str, properties: Mapping[str, str] | None = None) -> KafkaLog:
        return cls(KafkaSettings.from_url(url, properties))

    def _check_open(self) -> None:
        if self._closed:
            raise LogClosedError(f"log {self.url} is closed")

    async def _call(self, function: Callable[..., T], *args: object) -> T:
        self._check_open()
        return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(function, *args))

    # -- Log ------------------------------------------------------------------------------------

    async def create_topic(self, topic: str, partitions: int) -> bool:
        return await self._call(self._admin.create, topic, partitions)

    async def list_topics(self) -> dict[str, int]:
        return await self._call(self._admin.describe)

    async def partition_count(self, topic: str) -> int | None:
        return (await self.list_topics()).get(topic)

    def append(self, records: Sequence[ProducerRecord]) -> Awaitable[list[RecordMetadata]]:
        self._check_open()
        return self._writer.append(records)

    async def watermarks(self, tp: TopicPartition) -> tuple[int, int]:
        return await self._call(self._admin.watermarks, tp)

    def subscribe(self, start: dict[TopicPartition, int], group: str | None = None) -> Subscription:
        """Resolve the start offsets (one watermark request per partition, and with a
        ``group`` one request for its committed offsets, made here and now) and assign them to
        a new consumer. The group's Kafka ``group.id`` is ``group`` under the topic prefix."""
        self._check_open()
        group_id = self.settings.group_id(group) if group else None
        consumer = Consumer({**self.settings.consumer_config(group_id), "logger": client_log})
        try:
            committed = self._committed(consumer, [tp for tp, offset in start.items() if offset < 0]) if group else {}
            positions: dict[TopicPartition, int] = {}
            for tp, offset in start.items():
                low, high = self._admin.watermarks(tp)
                if offset < 0:
                    offset = committed.get(tp, high)
                positions[tp] = max(min(offset, high), low)
            physical = self.settings.physical
            consumer.assign([KafkaTopicPartition(physical(tp.topic), tp.partition, offset) for tp, offset in positions.items()])
        except BaseException:
            consumer.close()
            raise
        subscription = KafkaSubscription(consumer, positions, self.settings, self._executor, lambda: self._closed, group_id is not None)
        self._subscriptions.add(subscription)
        return subscription

    def _committed(self, consumer: Consumer, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        """The committed offsets of ``consumer``'s group for those of ``tps`` that have one."""
        if not tps:
            return {}
        by_name = {(self.settings.physical(tp.topic), tp.partition): tp for tp in tps}
        try:
            answer = consumer.committed([KafkaTopicPartition(name, p) for name, p in by_name], timeout=REQUEST_TIMEOUT_S)
        except KafkaException as exc:
            raise from_kafka(exc, "committed offsets of a consumer group") from None
        return {
            by_name[(item.topic, item.partition)]: item.offset
            for item in answer if item.error is None and item.offset >= 0
        }

    async def availability(self, timeout: float) -> str | None:
        self._check_open()
        brokers = await self._call(self._admin.brokers, timeout)
        return None if brokers else f"no Kafka broker at {self.settings.bootstrap} answered within {timeout:g} s"

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.wake()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._writer.close)
        closing = [subscription.close_consumer() for subscription in subscriptions]
        await asyncio.gather(*(asyncio.wrap_future(future) for future in closing), return_exceptions=True)
        await loop.run_in_executor(self._executor, self._admin.close)
        self._executor.shutdown(wait=False)


__all__ = ["KafkaLog", "REQUEST_TIMEOUT_S"]
