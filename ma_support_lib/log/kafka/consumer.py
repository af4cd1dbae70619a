"""Reading: one librdkafka consumer per subscription, manually assigned, polled on a worker thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message
from confluent_kafka import TopicPartition as KafkaTopicPartition

from ..base import LogClosedError, Record, Subscription, TopicPartition
from .settings import KafkaSettings

log = logging.getLogger(__name__)

#: Seconds one blocking poll of the consumer may take; a pending ``poll`` checks between these.
POLL_SLICE_S = 0.2
#: Errors that only say a broker is away for now; librdkafka reconnects by itself.
_TRANSIENT = {KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._TIMED_OUT, KafkaError._PARTITION_EOF}


class KafkaSubscription(Subscription):
    """Follows assigned partitions of one consumer from resolved start offsets; with a
    consumer group, :meth:`commit` stores the positions as the group's offsets."""

    def __init__(
        self,
        consumer: Consumer,
        positions: dict[TopicPartition, int],
        settings: KafkaSettings,
        executor: concurrent.futures.Executor,
        log_closed: Callable[[], bool],
        grouped: bool = False,
    ) -> None:
        self._consumer = consumer
        self._positions = positions
        self._settings = settings
        self._executor = executor
        self._log_closed = log_closed
        self._grouped = grouped
        self._names: dict[str, str] = {}  # physical -> logical topic names
        self._closed = False
        self._wake: asyncio.Future[None] | None = None
        self._inflight: concurrent.futures.Future[list[Record]] | None = None
        self._surplus: list[Record] = []  # fetched beyond what a poll asked for
        self._committing: concurrent.futures.Future[None] | None = None
        self._consumer_closed: concurrent.futures.Future[None] | None = None

    def positions(self) -> dict[TopicPartition, int]:
        return dict(self._positions)

    @property
    def closed(self) -> bool:
        return self._closed

    def _fetch(self, max_records: int, wait: float) -> list[Record]:
        """On a worker thread: what the consumer has queued, waiting up to ``wait`` for a first record."""
        messages = self._consumer.consume(max_records, 0)
        if not messages and wait > 0:
            first = self._consumer.poll(wait)
            if first is None:
                return []
            messages = [first]
            if max_records > 1:
                messages += self._consumer.consume(max_records - 1, 0)
        return self._records(messages)

    def _records(self, messages: list[Message]) -> list[Record]:
        records: list[Record] = []
        append = records.append
        names = self._names
        for message in messages:
            if message.error() is not None:
                self._report(message)
                continue
            topic = message.topic()
            name = names.get(topic)  # type: ignore[arg-type]
            if name is None:
                assert topic is not None
                name = names[topic] = self._settings.logical(topic) or topic
            append(Record(name, message.partition(), message.offset(), message.timestamp()[1], message.key(), message.value() or b""))  # type: ignore[arg-type]
        return records

    @staticmethod
    def _report(message: Message) -> None:
        """Log a consumer error other than a passing broker outage."""
        error = message.error()
        if error is not None and error.code() not in _TRANSIENT:
            log.warning("Kafka consumer: %s", error.str())

    async def poll(self, max_records: int = 10_000, timeout: float | None = None) -> list[Record]:
        """The next records. Once a fetch brought records, the next fetch starts at once, so
        the consumer works while the caller handles these."""
        if self._surplus and not self._closed:
            return self._take(self._surplus, max_records)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            if self._log_closed():
                raise LogClosedError("the Kafka log is closed")
            if self._closed:
                return []
            remaining = POLL_SLICE_S if deadline is None else min(POLL_SLICE_S, deadline - loop.time())
            if self._inflight is None:  # an earlier poll's fetch may still be running
                self._inflight = self._executor.submit(self._fetch, max_records, max(remaining, 0))
            fetch = asyncio.wrap_future(self._inflight)
            self._wake = loop.create_future()
            try:
                waiting: set[asyncio.Future[Any]] = {fetch, self._wake}
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            finally:
                self._wake = None
            if not fetch.done():
                continue  # woken by close(); the loop checks why
            self._inflight = None
            records = fetch.result()  # a fetch's exception ends the poll
            if records:
                if not self._closed and self._consumer_closed is None:
                    self._inflight = self._executor.submit(self._fetch, max_records, POLL_SLICE_S)
                return self._take(records, max_records)
            if deadline is not None and loop.time() >= deadline:
                return []

    def _take(self, records: list[Record], max_records: int) -> list[Record]:
        """Up to ``max_records`` of ``records``, the rest kept for the next poll; advances the positions."""
        taken, self._surplus = records[:max_records], records[max_records:]
        last = {(record.topic, record.partition): record.offset for record in taken}  # a partition's come in order
        for (topic, partition), offset in last.items():
            self._positions[TopicPartition(topic, partition)] = offset + 1
        return taken

    async def commit(self) -> None:
        if not self._grouped or self._closed:
            return
        physical = self._settings.physical
        offsets = [KafkaTopicPartition(physical(tp.topic), tp.partition, offset) for tp, offset in self._positions.items()]
        self._committing = self._executor.submit(self._commit, offsets)
        await asyncio.wrap_future(self._committing)

    def _commit(self, offsets: list[KafkaTopicPartition]) -> None:
        """On a worker thread: a synchronous commit; a failure only costs a re-read later."""
        try:
            self._consumer.commit(offsets=offsets, asynchronous=False)
        except (KafkaException, RuntimeError) as exc:
            log.warning("committing the offsets of a consumer group failed: %s", exc)

    def wake(self) -> None:
        """Make a pending :meth:`poll` look at the subscription's state again (any thread-safe caller on the loop)."""
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.wake()
        self.close_consumer()

    def close_consumer(self) -> concurrent.futures.Future[None]:
        """Close the consumer on a worker thread once its fetch (if any) is over; idempotent."""
        if self._consumer_closed is None:
            busy = [future for future in (self._inflight, self._committing) if future is not None]
            self._inflight = None
            self._consumer_closed = self._executor.submit(self._close_after, busy)
        return self._consumer_closed

    def _close_after(self, busy: list[concurrent.futures.Future[Any]]) -> None:
        concurrent.futures.wait(busy)
        self._consumer.close()
