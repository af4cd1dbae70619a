"""Appending: one librdkafka producer, delivery reports turned into awaitables.

A record is *acknowledged* when its delivery report says the broker stored it (with the
default ``acks=all``: every in-sync replica has it). The producer is idempotent, so while a
broker is away librdkafka keeps retrying, in order and without duplicates, until
``message.timeout.ms`` (librdkafka's default: 5 minutes); only then does the append fail.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import NoReturn

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from ..base import LogClosedError, LogError, ProducerRecord, RecordMetadata, UnknownTopicError
from .errors import from_kafka
from .settings import KafkaSettings

log = logging.getLogger(__name__)

#: Seconds one poll of the delivery-report thread may block.
_POLL_S = 0.1
#: Seconds ``append`` waits for room in a full local queue before it fails.
QUEUE_FULL_WAIT_S = 30.0
#: Seconds closing waits for undelivered records.
CLOSE_FLUSH_S = 30.0

_RD_KAFKA_PARTITION_UA = -1


class _Delivery:
    """The delivery reports of one ``append`` call; resolves its future when all are in.

    Only the producer's poll thread calls :meth:`report`, so the counter needs no lock.
    """

    __slots__ = ("future", "records", "results", "remaining", "error")

    def __init__(self, future: asyncio.Future[list[RecordMetadata]], records: Sequence[ProducerRecord]) -> None:
        self.future = future
        self.records = records
        self.results: list[RecordMetadata | None] = [None] * len(records)
        self.remaining = len(records)
        self.error: LogError | None = None

    def report(self, index: int, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            if self.error is None:
                record = self.records[index]
                self.error = from_kafka(error, f"writing to {record.topic}")
        else:
            self.results[index] = RecordMetadata(
                self.records[index].topic, message.partition() or 0, message.offset() or 0, message.timestamp()[1]
            )
        self.remaining -= 1
        if self.remaining == 0:
            self.future.get_loop().call_soon_threadsafe(self._resolve)

    def fail(self, error: LogError) -> None:
        """End the append with ``error`` (from any thread)."""
        self.error = self.error or error
        self.future.get_loop().call_soon_threadsafe(self._resolve)

    def _resolve(self) -> None:
        if self.future.done():
            return
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.results)  # type: ignore[arg-type]


class KafkaWriter:
    """Produces records and serves their delivery reports on a thread of its own."""

    def __init__(self, settings: KafkaSettings, client_logger: logging.Logger) -> None:
        self._settings = settings
        self._producer = Producer({**settings.producer_config(), "logger": client_logger})
        self._pending: set[_Delivery] = set()
        self._pending_lock = threading.Lock()
        self._topics: dict[str, str] = {}  # logical -> physical, for names already checked
        self._closed = False
        self._thread = threading.Thread(target=self._serve_reports, name="kafka-delivery-reports", daemon=True)
        self._thread.start()

    def _serve_reports(self) -> None:
        while not self._closed:
            self._producer.poll(_POLL_S)

    def _physical(self, topic: str) -> str:
        name = self._topics.get(topic)
        if name is None:
            name = self._topics[topic] = self._settings.physical(topic)
        return name

    def append(self, records: Sequence[ProducerRecord]) -> asyncio.Future[list[RecordMetadata]]:
        if self._closed:
            raise LogClosedError("the Kafka log is closed")
        future: asyncio.Future[list[RecordMetadata]] = asyncio.get_running_loop().create_future()
        if not records:
            future.set_result([])
            return future
        names = [self._physical(record.topic) for record in records]  # every name checked first
        delivery = _Delivery(future, records)
        with self._pending_lock:
            self._pending.add(delivery)
        future.add_done_callback(lambda _: self._forget(delivery))
        report, produce = delivery.report, self._producer.produce
        for index, (record, name) in enumerate(zip(records, names)):
            partition = record.partition
            if partition is None:
                partition = _RD_KAFKA_PARTITION_UA
            elif partition < 0:
                self._abandon(delivery, index, UnknownTopicError(f"partition {partition} of topic {record.topic!r} does not exist"))
            timestamp = record.timestamp_ms or 0
            callback = functools.partial(report, index)
            try:
                produce(name, record.value, record.key, partition, on_delivery=callback, timestamp=timestamp)
            except (BufferError, KafkaException):  # queue full, or refused: the slow path retries or explains
                try:
                    self._produce(name, record, partition, timestamp, callback)
                except LogError as exc:
                    self._abandon(delivery, index, exc)
        return future

    def _produce(self, name: str, record: ProducerRecord, partition: int, timestamp: int, callback: Callable[[KafkaError | None, Message], None]) -> None:
        deadline: float | None = None
        while True:
            try:
                self._producer.produce(name, record.value, record.key, partition, on_delivery=callback, timestamp=timestamp)
                return
            except BufferError:  # the local queue is full: wait for deliveries to make room
                now = time.monotonic()
                deadline = deadline or now + QUEUE_FULL_WAIT_S
                if now > deadline:
                    raise LogError(f"the Kafka producer's queue stayed full for {QUEUE_FULL_WAIT_S:g} s") from None
                time.sleep(0.005)
            except KafkaException as exc:
                raise from_kafka(exc, f"writing to {record.topic}") from None

    def _abandon(self, delivery: _Delivery, index: int, error: LogError) -> NoReturn:
        """Records from ``index`` on cannot be produced: the append raises ``error`` (records
        before ``index`` are queued and may still be delivered)."""
        self._forget(delivery)
        delivery.future.cancel()
        raise error

    def _forget(self, delivery: _Delivery) -> None:
        with self._pending_lock:
            self._pending.discard(delivery)

    def close(self) -> None:
        """Deliver what is queued (up to :data:`CLOSE_FLUSH_S`), then fail what is left."""
        if self._closed:
            return
        self._closed = True
        self._thread.join()
        remaining = self._producer.flush(CLOSE_FLUSH_S)
        if remaining:
            log.warning("%d record(s) were not delivered before the Kafka log closed", remaining)
        with self._pending_lock:
            pending = list(self._pending)
        for delivery in pending:
            delivery.fail(LogClosedError("the Kafka log closed before the broker acknowledged the records"))
