"""The records the server writes: topics, partitions, keys and values (the interoperability contract)."""

from __future__ import annotations

from ma_support_lib.log import ProducerRecord
from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server import PartitionMapping, StreamCreationStrategy

from .helpers import (
    DATA_SOURCE,
    MAPPINGS,
    Harness,
    ServerFactory,
    connect,
    create_session,
    detail,
    embedded,
    map_keys,
    numbered,
    parameter_format,
    parse,
    raw_unary,
    read_packets,
    subscribed_read,
    write,
)

SESSIONS = "/ma.streaming.api.v1.SessionManagementService/"


def partition_based(harness: Harness) -> bool:
    return harness.config.stream_creation_strategy is StreamCreationStrategy.PARTITION_BASED


def where(harness: Harness, stream: str) -> tuple[str, int]:
    """The topic and partition a stream of ``Car`` is written to (section 1.2 of the reference)."""
    if not stream:
        return DATA_SOURCE, 0
    if partition_based(harness):
        partition = {m.stream: m.partition for m in MAPPINGS}.get(stream, 0)
        return DATA_SOURCE, partition
    return f"{DATA_SOURCE}.{stream}", 0


def test_topics_and_partition_counts(any_server: Harness) -> None:
    create_session(any_server)
    write(any_server, numbered(1))
    write(any_server, numbered(2, essential=True), stream="Stream1")
    write(any_server, numbered(3), stream="Unmapped")
    parameter_format(any_server, ["vCar"])

    if partition_based(any_server):
        expected = {"SessionInfo": 1, "Car": 3, "Car_essential": 1}
    else:
        expected = {"SessionInfo": 1, "Car": 1, "Car_essential": 1, "Car.Stream1": 1, "Car.Unmapped": 1}
    assert any_server.topics() == expected


def test_data_packets_are_routed_by_stream(any_server: Harness) -> None:
    streams = ["", "Stream1", "Stream2", "Unmapped"]
    sent = {}
    for index, stream in enumerate(streams):
        message = numbered(index, session_key="inner-key")
        write(any_server, message, stream=stream, session_key="outer-key")
        sent[stream] = message

    for stream, message in sent.items():
        topic, partition = where(any_server, stream)
        matching = [r for r in any_server.records(topic, partition) if r.value == message.SerializeToString()]
        assert len(matching) == 1, f"stream {stream!r} should be in {topic}:{partition}"
        # the record key is the outer DataPacketDetails.session_key, the value the Packet itself
        assert matching[0].key == b"outer-key"
        assert parse(open_data_pb2.Packet, matching[0].value) == message
    total = sum(len(any_server.records(topic)) for topic in any_server.topics() if topic.startswith(DATA_SOURCE))
    assert total == len(streams)


def test_essential_packets_go_to_the_essentials_topic_first(any_server: Harness) -> None:
    message = numbered(7, essential=True, session_key="inner")
    value = message.SerializeToString()
    write(any_server, message, stream="Stream1", session_key="outer")

    topic, partition = where(any_server, "Stream1")
    data_records = [r for r in any_server.log.appended() if r.value == value]
    assert data_records == [
        ProducerRecord("Car_essential", value, b"outer", None if partition_based(any_server) else 0),
        ProducerRecord(topic, value, b"outer", partition),
    ]
    [essential] = any_server.records("Car_essential")
    assert (essential.partition, essential.key, essential.value) == (0, b"outer", value)
    [routed] = any_server.records(topic, partition)
    assert (routed.key, routed.value) == (b"outer", value)


def test_main_topic_has_one_partition_per_mapped_partition(make_server: ServerFactory) -> None:
    mappings = (PartitionMapping("Low", 1), PartitionMapping("High", 4))
    partition_server = make_server(partition_mappings=mappings)
    topic_server = make_server(partition_mappings=mappings, stream_creation_strategy=StreamCreationStrategy.TOPIC_BASED)

    for harness in (partition_server, topic_server):
        write(harness, numbered(1))
        write(harness, numbered(2), stream="High")

    assert partition_server.topics()["Car"] == 5
    assert [len(partition_server.records("Car", p)) for p in range(5)] == [1, 0, 0, 0, 1]
    assert topic_server.topics()["Car"] == 1
    assert topic_server.topics()["Car.High"] == 1


def test_readers_create_the_main_topic_with_the_mapped_partition_count(make_server: ServerFactory) -> None:
    harness = make_server(partition_mappings=MAPPINGS, stream_creation_strategy=StreamCreationStrategy.TOPIC_BASED)

    subscribed_read(harness, lambda: read_packets(harness, connect(harness, "Fresh")), topic="Fresh")

    assert harness.topics()["Fresh"] == 3


def test_a_mapping_on_partition_zero_is_accepted(make_server: ServerFactory) -> None:
    harness = make_server(partition_mappings=(PartitionMapping("Zero", 0), PartitionMapping("One", 1)))

    write(harness, numbered(1), stream="Zero")
    response = create_session(harness)

    assert dict(response.new_session.topic_partition_offsets) == {"Car:0": 1, "Car_essential:0": 0, "Car:1": 0}
    [record] = harness.records("Car", 0)
    assert parse(open_data_pb2.Packet, record.value) == numbered(1)


def test_every_data_source_is_routed_to_its_own_topics(any_server: Harness) -> None:
    for data_source in ("Car", "Bike"):
        write(any_server, numbered(1, packet_type=data_source), data_source=data_source)
        write(any_server, numbered(2, packet_type=data_source, essential=True), data_source=data_source, stream="Stream1")
        parameter_format(any_server, ["speed"], data_source=data_source)

    for data_source in ("Car", "Bike"):
        stream_topic, stream_partition = (data_source, 1) if partition_based(any_server) else (f"{data_source}.Stream1", 0)
        main = [parse(open_data_pb2.Packet, r.value) for r in any_server.records(data_source, 0)]
        assert [(p.type, p.id) for p in main] == [(data_source, 1), ("DataFormatDefinition", 0)]
        streamed = [parse(open_data_pb2.Packet, r.value) for r in any_server.records(stream_topic, stream_partition)]
        assert [(p.type, p.id) for p in streamed] == [(data_source, 2)]
        essentials = [parse(open_data_pb2.Packet, r.value) for r in any_server.records(f"{data_source}_essential")]
        assert [(p.type, p.id) for p in essentials] == [(data_source, 2), ("DataFormatDefinition", 0)]
    assert "dead-Letter" not in any_server.topics()


# -- offset snapshots ------------------------------------------------------------------------------------


def _write_some(harness: Harness) -> None:
    write(harness, numbered(1), numbered(2), numbered(3, essential=True))
    write(harness, numbered(4), numbered(5), stream="Stream1")
    write(harness, numbered(6), stream="Stream2")
    # topics of other data sources never appear in Car's offsets
    write(harness, numbered(7), data_source="Car2", stream="Stream1")
    write(harness, numbered(8), data_source="Bike", stream="Stream3")


def _expected_offsets(harness: Harness) -> dict[str, int]:
    if partition_based(harness):
        return {"Car:0": 3, "Car_essential:0": 1, "Car:1": 2, "Car:2": 1}
    return {"Car:0": 3, "Car_essential:0": 1, "Car.Stream1:0": 2, "Car.Stream2:0": 1}


def _assert_offsets_order(harness: Harness, keys: list[str]) -> None:
    # main, essentials, then the streams: mapped partitions in mapping order (PartitionBased),
    # or the existing stream topics (TopicBased, in no particular order)
    assert keys[:2] == ["Car:0", "Car_essential:0"]
    if partition_based(harness):
        assert keys[2:] == ["Car:1", "Car:2"]
    else:
        assert sorted(keys[2:]) == ["Car.Stream1:0", "Car.Stream2:0"]


def test_create_session_offsets_are_high_watermarks_in_order(any_server: Harness) -> None:
    _write_some(any_server)

    raw = raw_unary(any_server.channel, SESSIONS + "CreateSession", api_pb2.CreateSessionRequest(data_source=DATA_SOURCE))

    response = parse(api_pb2.CreateSessionResponse, raw)
    assert dict(response.new_session.topic_partition_offsets) == _expected_offsets(any_server)
    _assert_offsets_order(any_server, map_keys(embedded(raw, 2), 2))
    # the NewSession record carries the same map in the same order
    stored = parse(open_data_pb2.Packet, any_server.records("SessionInfo")[-1].value)
    _assert_offsets_order(any_server, map_keys(stored.content, 2))
    assert parse(open_data_pb2.NewSessionPacket, stored.content) == response.new_session
    # and GetSessionInfo answers with it, in the same order
    info_raw = raw_unary(any_server.channel, SESSIONS + "GetSessionInfo", api_pb2.GetSessionInfoRequest(session_key=response.session_key))
    info = parse(api_pb2.GetSessionInfoResponse, info_raw)
    assert dict(info.topic_partition_offsets) == _expected_offsets(any_server)
    assert (info.main_offset, info.essentials_offset) == (3, 1)
    _assert_offsets_order(any_server, map_keys(info_raw, 8))


def test_end_session_offsets_are_high_watermarks_in_order(any_server: Harness) -> None:
    key = create_session(any_server).session_key
    _write_some(any_server)

    raw = raw_unary(any_server.channel, SESSIONS + "EndSession", api_pb2.EndSessionRequest(session_key=key))

    response = parse(api_pb2.EndSessionResponse, raw)
    assert response.success
    assert dict(response.end_session.topic_partition_offsets) == _expected_offsets(any_server)
    _assert_offsets_order(any_server, map_keys(embedded(raw, 2), 2))
    stored = parse(open_data_pb2.Packet, any_server.records("SessionInfo")[-1].value)
    assert stored.type == "EndOfSession"
    _assert_offsets_order(any_server, map_keys(stored.content, 2))
    # the start offsets of the session are unchanged
    info = any_server.sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=key))
    assert info.main_offset == 0


def test_session_info_streams(any_server: Harness) -> None:
    key = create_session(any_server).session_key
    write(any_server, numbered(1), stream="Unmapped")
    write(any_server, numbered(2), stream="Stream1")
    write(any_server, numbered(3), data_source="Bike", stream="Elsewhere")
    write(any_server, numbered(4), data_source="Car2", stream="Prefixed")

    streams = list(any_server.sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=key)).streams)

    if partition_based(any_server):
        assert streams == ["Stream1", "Stream2"]
    else:
        assert sorted(streams) == ["Stream1", "Unmapped"]


def test_data_packets_written_with_write_data_packets_have_the_same_layout(any_server: Harness) -> None:
    messages = [numbered(i, essential=(i == 2)) for i in range(4)]
    details = [detail(m, stream="Stream2", session_key=f"key-{i}") for i, m in enumerate(messages)]
    any_server.writer.WriteDataPackets(iter([api_pb2.WriteDataPacketsRequest(details=details)]))

    topic, partition = where(any_server, "Stream2")
    records = any_server.records(topic, partition)
    assert [(r.key, r.value) for r in records] == [(f"key-{i}".encode(), m.SerializeToString()) for i, m in enumerate(messages)]
    [essential] = any_server.records("Car_essential")
    assert (essential.key, essential.value) == (b"key-2", messages[2].SerializeToString())
