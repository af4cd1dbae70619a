"""Cluster metadata, topic creation and watermarks: blocking librdkafka calls with deadlines.

Every call here blocks (a request to the cluster); the log runs them on its worker threads.
"""

from __future__ import annotations

import logging
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka import TopicPartition as KafkaTopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from ..base import InvalidTopicError, TopicPartition, UnknownTopicError
from ..embedded import MAX_PARTITIONS
from .errors import KafkaLogError, from_kafka
from .settings import KafkaSettings

log = logging.getLogger(__name__)

#: Seconds a metadata, topic-creation or watermark request may take.
REQUEST_TIMEOUT_S = 15.0
#: Seconds a created topic may take to show in the metadata.
PROPAGATION_TIMEOUT_S = 15.0
_INTERNAL_TOPICS = ("__consumer_offsets", "__transaction_state", "__cluster_metadata")


def _retriable(exc: KafkaException) -> bool:
    error = exc.args[0] if exc.args else None
    return isinstance(error, KafkaError) and (error.retriable() or error.code() in _NOT_READY)


_NOT_READY = {KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE, KafkaError._TRANSPORT}


class KafkaAdmin:
    """Metadata and administration requests for one cluster (thread-safe)."""

    def __init__(self, settings: KafkaSettings, client_logger: logging.Logger) -> None:
        self._settings = settings
        config = settings.client_config(logger=client_logger)
        self._admin = AdminClient(config)
        # watermarks need a consumer handle; it never subscribes or commits
        self._offsets = Consumer({**settings.consumer_config(), "logger": client_logger})
        self._offsets_lock = threading.Lock()

    def describe(self, timeout: float = REQUEST_TIMEOUT_S) -> dict[str, int]:
        """Every topic under the prefix, by its logical name, with its partition count."""
        try:
            metadata = self._admin.list_topics(timeout=timeout)
        except KafkaException as exc:
            raise from_kafka(exc, f"listing the topics of {self._settings.bootstrap}") from None
        topics: dict[str, int] = {}
        for name, topic in metadata.topics.items():
            logical = self._settings.logical(name)
            if logical is None or topic.error is not None or name in _INTERNAL_TOPICS:
                continue
            topics[logical] = len(topic.partitions)
        return topics

    def brokers(self, timeout: float) -> int:
        """How many brokers a metadata request names (0 when none answered in time)."""
        try:
            return len(self._admin.list_topics(timeout=timeout).brokers)
        except KafkaException:
            return 0

    def create(self, topic: str, partitions: int) -> bool:
        """Create a topic (broker-default replication); ``False`` if it existed."""
        name = self._settings.physical(topic)
        if not 1 <= partitions <= MAX_PARTITIONS:
            raise InvalidTopicError(
                f"topic {topic!r}: partition count must be between 1 and {MAX_PARTITIONS}, got {partitions}"
            )
        future = self._admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=-1)], request_timeout=REQUEST_TIMEOUT_S
        )[name]
        try:
            future.result(timeout=REQUEST_TIMEOUT_S + 5)
        except KafkaException as exc:
            if exc.args and isinstance(exc.args[0], KafkaError) and exc.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                return False
            raise from_kafka(exc, f"creating topic {name!r}") from None
        except TimeoutError:
            raise KafkaLogError(f"creating topic {name!r}: no answer from {self._settings.bootstrap} within {REQUEST_TIMEOUT_S + 5:g} s") from None
        self._await_visible(name, partitions)
        return True

    def _await_visible(self, name: str, partitions: int) -> None:
        """Wait until the metadata shows a just-created topic with all its partitions."""
        deadline = time.monotonic() + PROPAGATION_TIMEOUT_S
        delay = 0.005
        while time.monotonic() < deadline:
            try:
                topic = self._admin.list_topics(topic=name, timeout=REQUEST_TIMEOUT_S).topics.get(name)
            except KafkaException:
                topic = None
            if (
                topic is not None and topic.error is None and len(topic.partitions) >= partitions
                and all(p.leader >= 0 and p.error is None for p in topic.partitions.values())
            ):
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        log.warning("topic %s was created but is not in the metadata after %g s", name, PROPAGATION_TIMEOUT_S)

    def watermarks(self, tp: TopicPartition, timeout: float = REQUEST_TIMEOUT_S) -> tuple[int, int]:
        """``(low, high)`` of a partition, asked of its leader."""
        name = self._settings.physical(tp.topic)
        if tp.partition < 0:
            raise UnknownTopicError(f"partition {tp.partition} of topic {tp.topic!r} does not exist")
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                with self._offsets_lock:
                    result = self._offsets.get_watermark_offsets(
                        KafkaTopicPartition(name, tp.partition), timeout=max(deadline - time.monotonic(), 0.01)
                    )
                break
            except KafkaException as exc:
                # a new partition's leader, or a broker coming back: ask again until the deadline
                if not _retriable(exc) or time.monotonic() + delay > deadline:
                    raise from_kafka(exc, f"watermarks of {name}:{tp.partition}") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        if result is None:
            raise KafkaLogError(f"watermarks of {name}:{tp.partition}: no answer from {self._settings.bootstrap} within {timeout:g} s")
        low, high = result
        return int(low), int(high)

    def close(self) -> None:
        with self._offsets_lock:
            self._offsets.close()
