"""Reading a Kafka cluster with a plain confluent-kafka consumer, as any other client would."""

from __future__ import annotations

from dataclasses import dataclass

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from .helpers import WAIT, wait_until


@dataclass(frozen=True)
class RawRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: object
    timestamp_type: int


def partition_counts(bootstrap: str) -> dict[str, int]:
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=WAIT)
    return {name: len(topic.partitions) for name, topic in metadata.topics.items()}


def watermark(bootstrap: str, topic: str, partition: int) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "inspect", "enable.auto.commit": False})
    try:
        return int(consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=WAIT)[1])
    finally:
        consumer.close()


def read_topic(bootstrap: str, topic: str) -> list[RawRecord]:
    """Every record of every partition of ``topic`` up to the high watermarks at call time,
    in partition then offset order."""
    count = partition_counts(bootstrap).get(topic, 0)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "inspect", "enable.auto.commit": False})
    try:
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=WAIT)[1] for p in range(count)}
        consumer.assign([TopicPartition(topic, p, 0) for p in range(count)])
        records: list[RawRecord] = []

        def complete() -> bool:
            for message in consumer.consume(1000, 0.1):
                assert message.error() is None, message.error()
                records.append(RawRecord(
                    message.topic(), message.partition(), message.offset(), message.key(), message.value(),
                    message.headers(), message.timestamp()[0],
                ))
            got = {p: sum(1 for r in records if r.partition == p) for p in range(count)}
            return all(got[p] >= ends[p] for p in range(count))

        wait_until(complete, f"every record of {topic}", timeout=WAIT * 2)
    finally:
        consumer.close()
    return sorted((r for r in records if r.offset < ends[r.partition]), key=lambda r: (r.partition, r.offset))
