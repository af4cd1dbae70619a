"""The records our server writes to Kafka, read with a plain confluent-kafka consumer: exactly the
reference layout's topics, partition counts, keys, partitions and values, and no headers.

The server runs on the cluster's bootstrap list as given (no topic prefix), as
``ma-stream-api serve --broker 127.0.0.1:PORT`` does; each test uses data sources of its own.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterator

import pytest
from confluent_kafka import TIMESTAMP_CREATE_TIME
from confluent_kafka.admin import AdminClient, NewTopic

from ma_support_lib.log import open_log
from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server import ServerConfig, StreamCreationStrategy
from tests.kafka_cluster import KafkaCluster

from .helpers import MAPPINGS, Harness, create_session, numbered, parameter_format, parse, wait_until, write
from .kafka_records import RawRecord, partition_counts, read_topic, watermark


@pytest.fixture
def plain_server(kafka: KafkaCluster) -> Iterator[Harness]:
    """A PartitionBased server with the sample mappings on the bare bootstrap list."""
    harness = Harness(_config(kafka.bootstrap), open_log(kafka.bootstrap), own_log=True)
    yield harness
    harness.stop()


def _config(broker: str, **overrides: object) -> ServerConfig:
    settings: dict[str, object] = {"stream_api_port": 0, "metrics_port": None, "host": "127.0.0.1", "partition_mappings": MAPPINGS}
    settings.update(overrides)
    return ServerConfig(broker_url=broker, **settings)  # type: ignore[arg-type]


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def of_session(records: list[RawRecord], key: str) -> list[RawRecord]:
    return [r for r in records if r.key == key.encode()]


def assert_plain(records: list[RawRecord]) -> None:
    """No headers, producer (CreateTime) timestamps."""
    for record in records:
        assert record.headers is None, record
        assert record.timestamp_type == TIMESTAMP_CREATE_TIME, record


def test_sessions_and_data_formats(plain_server: Harness, kafka: KafkaCluster) -> None:
    car = unique("Car")
    write(plain_server, numbered(1), data_source=car)  # some history before the session starts
    created = create_session(plain_server, car, identifier="Lap 1", details={"driver": "A"})
    key = created.session_key
    format_id = parameter_format(plain_server, ["vCar", "nEngine"], car)
    plain_server.sessions.EndSession(api_pb2.EndSessionRequest(session_key=key))

    counts = partition_counts(kafka.bootstrap)
    assert counts[car] == 3  # N = highest mapped partition + 1
    assert counts[car + "_essential"] == 1
    assert counts["SessionInfo"] == 1

    session_records = of_session(read_topic(kafka.bootstrap, "SessionInfo"), key)
    assert_plain(session_records)
    assert [r.partition for r in session_records] == [0, 0]
    new, end = (parse(open_data_pb2.Packet, r.value) for r in session_records)
    assert (new.type, new.session_key, new.is_essential) == ("NewSession", key, False)
    assert parse(open_data_pb2.NewSessionPacket, new.content) == created.new_session
    offsets = dict(created.new_session.topic_partition_offsets)
    assert offsets == {f"{car}:0": 1, f"{car}_essential:0": 0, f"{car}:1": 0, f"{car}:2": 0}
    assert (end.type, end.session_key) == ("EndOfSession", key)
    ending = parse(open_data_pb2.EndOfSessionPacket, end.content)
    assert ending.data_source == car
    # the end offsets are the high watermarks: main topic partition 0 now holds the definition too
    assert dict(ending.topic_partition_offsets)[f"{car}:0"] == watermark(kafka.bootstrap, car, 0) == 2

    definitions = [r for r in read_topic(kafka.bootstrap, car + "_essential")] + [
        r for r in read_topic(kafka.bootstrap, car) if r.offset == 1
    ]
    assert_plain(definitions)
    assert [(r.topic, r.partition, r.key) for r in definitions] == [(car + "_essential", 0, b""), (car, 0, b"")]
    for record in definitions:
        packet = parse(open_data_pb2.Packet, record.value)
        assert (packet.type, packet.session_key, packet.is_essential) == ("DataFormatDefinition", "", True)
        definition = parse(open_data_pb2.DataFormatDefinitionPacket, packet.content)
        assert definition.identifier == format_id
        assert list(definition.parameter_identifiers.parameter_identifiers) == ["vCar", "nEngine"]


def test_data_packets_partition_based(plain_server: Harness, kafka: KafkaCluster) -> None:
    car = unique("Car")
    sent = {
        "main": numbered(1),
        "mapped": numbered(2),
        "unmapped": numbered(3),
        "essential": open_data_pb2.Packet(type="Marker", content=b"m", is_essential=True, id=4),
    }
    write(plain_server, sent["main"], data_source=car, session_key=" k1")
    write(plain_server, sent["mapped"], data_source=car, stream="Stream2", session_key="k2")
    write(plain_server, sent["unmapped"], data_source=car, stream="Other", session_key="k3")
    write(plain_server, sent["essential"], data_source=car, session_key="k4")

    main = read_topic(kafka.bootstrap, car)
    essentials = read_topic(kafka.bootstrap, car + "_essential")
    assert_plain(main + essentials)
    assert [(r.partition, r.offset, r.key, r.value) for r in main] == [
        (0, 0, b" k1", sent["main"].SerializeToString()),
        (0, 1, b"k3", sent["unmapped"].SerializeToString()),
        (0, 2, b"k4", sent["essential"].SerializeToString()),
        (2, 0, b"k2", sent["mapped"].SerializeToString()),
    ]
    assert [(r.partition, r.key, r.value) for r in essentials] == [(0, b"k4", sent["essential"].SerializeToString())]


def test_topic_based_streams_and_essentials(kafka: KafkaCluster) -> None:
    car = unique("Car")
    harness = Harness(_config(kafka.bootstrap, stream_creation_strategy=StreamCreationStrategy.TOPIC_BASED),
                      open_log(kafka.bootstrap), own_log=True)
    try:
        message = open_data_pb2.Packet(type="Marker", content=b"x", is_essential=True)
        write(harness, message, data_source=car, stream="Stream1", session_key="k")
    finally:
        harness.stop()
    counts = partition_counts(kafka.bootstrap)
    assert (counts[car], counts[car + ".Stream1"], counts[car + "_essential"]) == (1, 1, 1)
    assert [(r.partition, r.key) for r in read_topic(kafka.bootstrap, car + ".Stream1")] == [(0, b"k")]
    assert [(r.partition, r.key) for r in read_topic(kafka.bootstrap, car + "_essential")] == [(0, b"k")]
    assert read_topic(kafka.bootstrap, car) == []


def test_essentials_without_a_route_partition_use_librdkafkas_partitioner(plain_server: Harness, kafka: KafkaCluster) -> None:
    """PartitionBased essentials have no partition in their route: on an essentials topic of
    several partitions (created by someone else) the key's CRC32 picks it, as the reference's
    librdkafka producer does."""
    car = unique("Car")
    topic = car + "_essential"
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})
    admin.create_topics([NewTopic(topic, 5)])[topic].result(10)
    wait_until(lambda: partition_counts(kafka.bootstrap).get(topic) == 5, "the topic in the metadata")
    keys = [f"session-{index}" for index in range(12)]
    for key in keys:
        write(plain_server, open_data_pb2.Packet(type="Marker", is_essential=True), data_source=car, session_key=key)
    placed = {r.key: r.partition for r in read_topic(kafka.bootstrap, topic)}
    assert placed == {key.encode(): zlib.crc32(key.encode()) % 5 for key in keys}
