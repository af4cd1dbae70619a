"""PacketWriterService and PacketReaderService: what is written is what is read."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from ma_support_lib.log import TopicPartition
from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server import StreamCreationStrategy

from .helpers import (
    DATA_SOURCE,
    Harness,
    RequestFeed,
    ServerFactory,
    connect,
    create_session,
    detail,
    event,
    event_format,
    ids,
    marker,
    numbered,
    packet,
    parameter_format,
    parse,
    periodic,
    read_data_packets,
    read_essentials,
    read_packets,
    session_info,
    subscribed_read,
    until_registered,
    wait_until,
    with_id,
    write,
    write_many,
)


def stored_ids(harness: Harness, topic: str = DATA_SOURCE, partition: int = 0) -> list[int]:
    return [parse(open_data_pb2.Packet, r.value).id for r in harness.records(topic, partition)]


# -- writing --------------------------------------------------------------------------------------------


def test_write_data_packet_stores_before_it_answers(server: Harness) -> None:
    message = numbered(1, session_key="inner")

    response = server.writer.WriteDataPacket(api_pb2.WriteDataPacketRequest(detail=detail(message, session_key="outer")))

    assert response == api_pb2.WriteDataPacketResponse()
    [record] = server.records(DATA_SOURCE, 0)
    assert (record.key, record.value) == (b"outer", message.SerializeToString())
    assert server.metric("stream_api_data_packets_published_total", data_source=DATA_SOURCE, stream="") == 1


def test_write_data_packets_answers_after_the_client_half_closes(server: Harness) -> None:
    feed = RequestFeed()
    call = server.writer.WriteDataPackets.future(iter(feed))
    feed.put(api_pb2.WriteDataPacketsRequest(details=[detail(numbered(i)) for i in range(3)]))
    # written while the stream is open
    wait_until(lambda: len(server.records(DATA_SOURCE, 0)) == 3, "the first request to be stored")
    assert not call.done()
    feed.put(api_pb2.WriteDataPacketsRequest(details=[detail(numbered(i)) for i in range(3, 5)]))
    feed.put(api_pb2.WriteDataPacketsRequest())
    feed.put(api_pb2.WriteDataPacketsRequest(details=[detail(numbered(5), stream="Stream1")]))

    feed.close()

    assert call.result() == api_pb2.WriteDataPacketsResponse()
    assert call.code() == grpc.StatusCode.OK
    assert stored_ids(server) == [0, 1, 2, 3, 4]
    assert stored_ids(server, DATA_SOURCE, 1) == [5]


def test_write_data_packets_stores_everything_before_it_answers(server: Harness) -> None:
    details = [detail(numbered(i, essential=(i % 100 == 0)), session_key=f"s{i % 3}") for i in range(2000)]

    write_many(server, details, per_request=7)

    assert stored_ids(server) == list(range(2000))
    assert [r.key for r in server.records(DATA_SOURCE, 0)] == [f"s{i % 3}".encode() for i in range(2000)]
    assert stored_ids(server, "Car_essential") == list(range(0, 2000, 100))
    assert server.metric("stream_api_data_packets_published_total", data_source=DATA_SOURCE, stream="") == 2000


def test_an_empty_write_data_packets_stream_answers(server: Harness) -> None:
    assert server.writer.WriteDataPackets(iter([])) == api_pb2.WriteDataPacketsResponse()


def test_info_packets_go_to_session_info_keyed_by_their_session_key(server: Harness) -> None:
    first = packet("Error", b"\x01\x02", session_key="info-key-1")
    response = server.writer.WriteInfoPacket(api_pb2.WriteInfoPacketRequest(message=first, type=api_pb2.INFO_TYPE_SYSTEM_STATUS))
    assert response == api_pb2.WriteInfoPacketResponse()
    feed = RequestFeed()
    call = server.writer.WriteInfoPackets.future(iter(feed))
    others = [packet("Lap", b"%d" % i, session_key=f"info-key-{i}") for i in range(2, 5)]
    for message in others:
        feed.put(api_pb2.WriteInfoPacketsRequest(message=message, type=api_pb2.INFO_TYPE_SESSION_INFO))
    feed.close()

    assert call.result() == api_pb2.WriteInfoPacketsResponse()
    records = server.records("SessionInfo")
    assert [(r.key, r.value) for r in records] == [
        (m.session_key.encode(), m.SerializeToString()) for m in [first, *others]
    ]
    # no pseudo data source "Info"
    assert set(server.topics()) == {"SessionInfo"}
    assert server.metric("stream_api_info_packets_published_total", data_source="Info") == 4


def test_session_packets_written_as_info_packets_change_sessions(server: Harness) -> None:
    starts = server.stream(server.sessions.GetSessionStartNotification(api_pb2.GetSessionStartNotificationRequest(data_source=DATA_SOURCE)))
    stops = server.stream(server.sessions.GetSessionStopNotification(api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE)))
    until_registered(starts, lambda: create_session(server).session_key)

    def write_info(packet_type: str, content: Any) -> None:
        message = packet(packet_type, content.SerializeToString(), session_key="replayed-session")
        server.writer.WriteInfoPacket(api_pb2.WriteInfoPacketRequest(message=message))

    write_info(
        "NewSession",
        open_data_pb2.NewSessionPacket(
            data_source=DATA_SOURCE,
            topic_partition_offsets={"Car:0": 12, "Car_essential:0": 3},
            session_info=open_data_pb2.SessionInfoPacket(data_source=DATA_SOURCE, type="Replay", version=1, identifier="from a client"),
        ),
    )

    assert starts.next() == api_pb2.GetSessionStartNotificationResponse(session_key="replayed-session", data_source=DATA_SOURCE)
    info = session_info(server, "replayed-session")
    assert (info.success, info.data_source, info.type, info.version, info.identifier) == (True, DATA_SOURCE, "Replay", 1, "from a client")
    assert (info.main_offset, info.essentials_offset) == (12, 3)
    assert "replayed-session" in server.sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=DATA_SOURCE)).session_keys

    write_info("SessionInfo", open_data_pb2.SessionInfoPacket(data_source=DATA_SOURCE, identifier="renamed", details={"k": "v"}))
    wait_until(lambda: session_info(server, "replayed-session").identifier == "renamed", "the identifier update")
    assert dict(session_info(server, "replayed-session").details) == {"k": "v"}

    until_registered(stops, lambda: _ended(server))
    write_info("EndOfSession", open_data_pb2.EndOfSessionPacket(data_source=DATA_SOURCE))
    assert stops.next() == api_pb2.GetSessionStopNotificationResponse(session_key="replayed-session", data_source=DATA_SOURCE)
    assert session_info(server, "replayed-session").is_complete


def _ended(harness: Harness) -> str:
    key = create_session(harness).session_key
    harness.sessions.EndSession(api_pb2.EndSessionRequest(session_key=key))
    return key


# -- ReadPackets ---------------------------------------------------------------------------------------------


def test_read_packets_sends_one_packet_per_response(any_server: Harness) -> None:
    write(any_server, *(numbered(i, session_key=f"inner{i}") for i in range(5)), session_key="outer")
    write(any_server, numbered(5), numbered(6), stream="Stream1")
    partition_based = any_server.config.stream_creation_strategy is StreamCreationStrategy.PARTITION_BASED
    # without streams a connection reads every partition of the main topic, all labelled ""
    expected = 7 if partition_based else 5

    reader = read_packets(any_server, connect(any_server, main_offset=0))
    responses = reader.messages(expected)

    assert all(len(response.response) == 1 for response in responses)
    items = [response.response[0] for response in responses]
    assert sorted(ids(items)) == list(range(expected))
    assert {item.stream for item in items} == {""}
    timestamps = {
        parse(open_data_pb2.Packet, r.value).id: r.timestamp_ms for r in any_server.records(DATA_SOURCE)
    }
    for item in items:
        assert item.HasField("submit_time")
        assert item.submit_time.ToMilliseconds() == timestamps[item.packet.id]
    assert [item.packet for item in items if item.packet.id < 5] == [numbered(i, session_key=f"inner{i}") for i in range(5)]


def test_read_packets_follows_new_packets(server: Harness) -> None:
    reader, _ = subscribed_read(server, lambda: read_packets(server, connect(server, main_offset=0)))

    for index in range(3):
        write(server, numbered(index))
        assert ids(reader.packets(1)) == [index]


def test_read_packets_labels_streams(any_server: Harness) -> None:
    write(any_server, numbered(0))
    write(any_server, numbered(1), stream="Stream1")
    write(any_server, numbered(2), stream="Stream2")
    write(any_server, numbered(3), stream="Unmapped")
    partition_based = any_server.config.stream_creation_strategy is StreamCreationStrategy.PARTITION_BASED
    streams = ["Stream1", "Unmapped"]

    reader = read_packets(any_server, connect(any_server, streams=streams, stream_offsets=[0, 0], main_offset=0))

    if partition_based:
        # an unmapped stream is written to partition 0 and read back as the main stream
        expected = {(0, ""), (3, ""), (1, "Stream1")}
    else:
        expected = {(0, ""), (1, "Stream1"), (3, "Unmapped")}
    received = {(item.packet.id, item.stream) for item in reader.packets(len(expected))}
    assert received == expected
    # and nothing else: a sentinel on the main stream comes next
    write(any_server, numbered(99))
    assert ids(reader.packets(1)) == [99]


def test_stream_offsets_start_each_stream(any_server: Harness) -> None:
    for index in range(3):
        write(any_server, numbered(10 + index), stream="Stream1")
        write(any_server, numbered(20 + index), stream="Stream2")
        write(any_server, numbered(index))

    reader = read_packets(
        any_server,
        connect(any_server, streams=["Stream1", "Stream2"], stream_offsets=[1, 2], exclude_main_stream=True, main_offset=0),
    )

    received = reader.packets(3)
    assert sorted((item.stream, item.packet.id) for item in received) == [("Stream1", 11), ("Stream1", 12), ("Stream2", 22)]
    write(any_server, numbered(13), stream="Stream1")
    write(any_server, numbered(3))  # excluded: the main stream is not read
    write(any_server, numbered(23), stream="Stream2")
    assert sorted((item.stream, item.packet.id) for item in reader.packets(2)) == [("Stream1", 13), ("Stream2", 23)]


def test_stream_offsets_follow_the_stream_list(server: Harness) -> None:
    """An unmapped stream does not shift the offsets of the streams after it."""
    write(server, numbered(0), numbered(1), numbered(2), stream="Stream2")

    reader = read_packets(
        server, connect(server, streams=["Unmapped", "Stream2"], stream_offsets=[2, 1], exclude_main_stream=True)
    )

    assert [(item.stream, item.packet.id) for item in reader.packets(2)] == [("Stream2", 1), ("Stream2", 2)]


def test_main_offset_is_absolute(server: Harness) -> None:
    write(server, *(numbered(i) for i in range(5)))

    reader = read_packets(server, connect(server, main_offset=3))

    assert ids(reader.packets(2)) == [3, 4]


def test_negative_main_offset_reads_only_new_packets(server: Harness) -> None:
    write(server, *(numbered(i) for i in range(3)))

    reader, _ = subscribed_read(server, lambda: read_packets(server, connect(server, main_offset=-1)))
    write(server, numbered(3), numbered(4))

    assert ids(reader.packets(2)) == [3, 4]


def test_a_consumer_group_resumes_where_its_last_read_stopped(server: Harness) -> None:
    main = TopicPartition(DATA_SOURCE, 0)
    write(server, *(numbered(i) for i in range(5)))
    first, subscription = subscribed_read(
        server, lambda: read_packets(server, connect(server, main_offset=0, consumer_group="readers"))
    )
    assert ids(first.packets(5)) == [0, 1, 2, 3, 4]
    wait_until(lambda: (subscription.committed or {}).get(main) == 5, "the read's offsets committed for its group")
    first.cancel()
    write(server, numbered(5), numbered(6))

    resumed = read_packets(server, connect(server, main_offset=-1, consumer_group="readers"))
    assert ids(resumed.packets(2)) == [5, 6]

    stranger, _ = subscribed_read(server, lambda: read_packets(server, connect(server, main_offset=-1, consumer_group="others")))
    write(server, numbered(7))
    assert ids(stranger.packets(1)) == [7]
    assert ids(resumed.packets(1)) == [7]


def test_session_key_filters_on_the_record_key(server: Harness) -> None:
    parameter_format(server, ["definitions have an empty key"])
    write(server, numbered(1), session_key=" leading-space")
    write(server, numbered(2), session_key="leading-space")
    write(server, numbered(3, session_key=" leading-space"), session_key="other")
    write(server, numbered(4), session_key=" leading-space", stream="Stream1")
    write(server, numbered(5), session_key="")

    filtered = read_packets(server, connect(server, session_key=" leading-space", main_offset=0))
    unfiltered = read_packets(server, connect(server, main_offset=0))

    assert sorted(ids(filtered.packets(2))) == [1, 4]
    everything = unfiltered.packets(6)
    assert sorted(item.packet.id for item in everything) == [0, 1, 2, 3, 4, 5]
    assert [item.packet.type for item in everything if item.packet.id == 0] == ["DataFormatDefinition"]
    write(server, numbered(6), session_key=" leading-space")
    assert ids(filtered.packets(1)) == [6]


def test_two_reads_of_one_connection_both_get_everything(server: Harness) -> None:
    connection_id = connect(server, main_offset=0)
    write(server, numbered(1), numbered(2))

    first = read_packets(server, connection_id)
    second = read_packets(server, connection_id, server.clients())

    assert ids(first.packets(2)) == [1, 2]
    assert ids(second.packets(2)) == [1, 2]


def test_batched_responses_carry_many_packets(make_server: ServerFactory) -> None:
    harness = make_server(batching_responses=True)
    write_many(harness, (detail(numbered(i)) for i in range(3000)))

    connection_id = connect(harness, main_offset=0)
    reader = read_packets(harness, connection_id)
    received: list[api_pb2.PacketResponse] = []
    responses = 0
    while len(received) < 3000:
        received.extend(reader.next().response)
        responses += 1

    assert ids(received) == list(range(3000))
    assert responses < 3000
    write(harness, numbered(3000), numbered(3001))
    assert ids(reader.packets(2)) == [3000, 3001]
    delivered = harness.metric(
        "stream_api_data_packets_delivered_total", connection=str(connection_id), data_source=DATA_SOURCE, stream=""
    )
    assert delivered == 3002


# -- ReadDataPackets ---------------------------------------------------------------------------------------


@pytest.fixture
def data_packets(server: Harness) -> Harness:
    """A server holding one packet of each kind in ``Car`` (ids below), then a sentinel event."""
    chassis = parameter_format(server, ["vCar:Chassis", "nGear:Chassis"])
    engine = parameter_format(server, ["tEngine:Engine"])
    pit = event_format(server, "PitIn")
    row = open_data_pb2.RowDataPacket(
        data_format=open_data_pb2.SampleDataFormat(data_format_identifier=engine)
    ).SerializeToString()
    synchro = open_data_pb2.SynchroDataPacket(
        data_format=open_data_pb2.SampleDataFormat(
            parameter_identifiers=open_data_pb2.ParameterList(parameter_identifiers=["xSynchro:Chassis"])
        )
    ).SerializeToString()
    write(
        server,
        with_id(periodic(format_id=chassis), 1),
        with_id(periodic(format_id=engine), 2),
        with_id(periodic(["sLap:Timing"]), 3),
        with_id(periodic(format_id=424242), 4),  # unknown id
        with_id(event(format_id=pit), 5),
        with_id(event("Crash"), 6),
        with_id(marker("Lap 1"), 7),
        with_id(packet("RowData", row), 8),
        with_id(packet("SynchroData", synchro), 9),
        with_id(packet("Configuration", open_data_pb2.ConfigurationPacket(config_id="c").SerializeToString()), 10),
        with_id(packet("Custom", b"anything"), 11),
        with_id(packet("PeriodicData", b"\xff\xff\xff"), 12),  # content does not parse
        with_id(packet("Event", b"\x0a\x03\xff\xff\xff"), 13),  # its data format does not parse
        with_id(packet("PeriodicData"), 14),  # no data format: id 0, unknown
        with_id(periodic([]), 15),  # an empty list passes no filter
        with_id(event("Sentinel"), 99),
    )
    return server


DEFAULT_DELIVERY = [1, 2, 3, 5, 6, 8, 9]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, DEFAULT_DELIVERY, id="defaults"),
        pytest.param({"include_markers": True}, [1, 2, 3, 5, 6, 7, 8, 9], id="markers"),
        # unanchored search: "Chassis" matches "vCar:Chassis"
        pytest.param({"include_parameters": ["Chassis"]}, [1, 5, 6, 9], id="include-search"),
        pytest.param({"include_parameters": ["^vCar", "^t"]}, [1, 2, 5, 6, 8], id="include-anchored"),
        # one included parameter keeps the whole packet
        pytest.param({"exclude_parameters": ["^vCar"]}, DEFAULT_DELIVERY, id="exclude-one-of-two"),
        pytest.param({"exclude_parameters": ["Chassis"]}, [2, 3, 5, 6, 8], id="exclude-search"),
        pytest.param({"include_parameters": ["Chassis", "Engine"], "exclude_parameters": ["^nGear|^x"]}, [1, 2, 5, 6, 8], id="include-and-exclude"),
        pytest.param({"exclude_parameters": [""]}, [5, 6], id="exclude-everything"),
        pytest.param({"include_events": ["^Pit", "Sentinel"]}, [1, 2, 3, 5, 8, 9], id="include-events"),
        pytest.param({"exclude_events": ["Crash"]}, [1, 2, 3, 5, 8, 9], id="exclude-events"),
        pytest.param({"include_events": ["pit", "Sentinel"]}, [1, 2, 3, 8, 9], id="case-sensitive"),
    ],
)
def test_read_data_packets_filters(data_packets: Harness, filters: dict[str, Any], expected: list[int]) -> None:
    reader = read_data_packets(data_packets, connect(data_packets, main_offset=0), **filters)

    delivered = reader.packets_until(lambda item: item.packet.id == 99)

    # every filter lets the sentinel (event "Sentinel", written last) through
    assert ids(delivered) == expected + [99]
    assert all(item.stream == "" and item.HasField("submit_time") for item in delivered)


def test_read_data_packets_continues_after_dropped_packets(server: Harness) -> None:
    reader, _ = subscribed_read(server, lambda: read_data_packets(server, connect(server, main_offset=0)))

    write(server, with_id(packet("PeriodicData", b"\xff"), 1), with_id(periodic(format_id=777), 2), with_id(periodic(["ok"]), 3))
    assert ids(reader.packets(1)) == [3]
    format_id = parameter_format(server, ["defined later"])
    write(server, with_id(periodic(format_id=format_id), 4))
    assert ids(reader.packets(1)) == [4]


def test_read_data_packets_without_a_request_ends_at_once(server: Harness) -> None:
    reader = server.stream(server.reader.ReadDataPackets(api_pb2.ReadDataPacketsRequest()))
    reader.expect_end()


def test_read_data_packets_in_batches(make_server: ServerFactory) -> None:
    harness = make_server(batching_responses=True)
    write_many(harness, (detail(with_id(periodic(["a"] if i % 2 else ["b"]), i)) for i in range(1000)))

    reader = read_data_packets(harness, connect(harness, main_offset=0), include_parameters=["^a$"])
    received: list[api_pb2.PacketResponse] = []
    responses = 0
    while len(received) < 500:
        received.extend(reader.next().response)
        responses += 1

    assert ids(received) == list(range(1, 1000, 2))
    assert responses < 500


# -- ReadEssentials ----------------------------------------------------------------------------------------------


def test_read_essentials_sends_the_history_and_ends(any_server: Harness) -> None:
    write(any_server, numbered(1, essential=True), numbered(2), session_key="a")
    format_id = parameter_format(any_server, ["p"])
    write(any_server, numbered(3, essential=True), stream="Stream1", session_key="b")

    reader = read_essentials(any_server, connect(any_server, main_offset=0))

    responses = reader.messages(3)
    reader.expect_end()
    assert all(len(response.response) == 1 for response in responses)
    items = [response.response[0] for response in responses]
    assert ids(items) == [1, 0, 3]
    assert [item.stream for item in items] == ["", "", ""]
    assert items[1].packet.type == "DataFormatDefinition"
    assert parse(open_data_pb2.DataFormatDefinitionPacket, items[1].packet.content).identifier == format_id
    timestamps = [r.timestamp_ms for r in any_server.records("Car_essential")]
    assert [item.submit_time.ToMilliseconds() for item in items] == timestamps


@pytest.mark.parametrize("existing", [False, True], ids=["no-topic", "empty-topic"])
def test_read_essentials_of_nothing_ends_at_once(server: Harness, existing: bool) -> None:
    if existing:
        write(server, numbered(1))  # creates Car_essential, writes nothing to it
        assert server.topics()["Car_essential"] == 1

    read_essentials(server, connect(server, main_offset=0)).expect_end()


def test_read_essentials_filters_on_the_session_key(server: Harness) -> None:
    parameter_format(server, ["definition"])
    write(server, numbered(1, essential=True), session_key="a")
    write(server, numbered(2, essential=True), session_key="b")
    write(server, numbered(3, essential=True), session_key="a")

    reader = read_essentials(server, connect(server, session_key="a", main_offset=0))

    assert ids(reader.packets(2)) == [1, 3]
    reader.expect_end()


def test_read_essentials_starts_at_main_offset(server: Harness) -> None:
    write(server, *(numbered(i, essential=True) for i in range(4)))

    from_main = read_essentials(server, connect(server, main_offset=2, essentials_offset=0))
    assert ids(from_main.packets(2)) == [2, 3]
    from_main.expect_end()
    ignored = read_essentials(server, connect(server, main_offset=0, essentials_offset=3))
    assert ids(ignored.packets(4)) == [0, 1, 2, 3]
    ignored.expect_end()
    only_new = read_essentials(server, connect(server, main_offset=-1))
    only_new.expect_end()


# -- cancellation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["ReadPackets", "ReadDataPackets"])
def test_a_cancelled_read_closes_its_subscription(server: Harness, method: str) -> None:
    connection_id = connect(server, main_offset=0)
    opener = {
        "ReadPackets": lambda: read_packets(server, connection_id),
        "ReadDataPackets": lambda: read_data_packets(server, connection_id),
    }[method]
    reader, subscription = subscribed_read(server, opener)
    write(server, with_id(periodic(["p"]), 1))
    assert ids(reader.packets(1)) == [1]

    reader.cancel()

    wait_until(lambda: subscription.closed, "the server to close the cancelled stream's subscription")


def test_a_disconnected_client_frees_its_reads(server: Harness) -> None:
    client = server.clients()
    connection_id = connect(client)
    mark = server.log.mark()
    server.stream(client.reader.ReadPackets(api_pb2.ReadPacketsRequest(connection=api_pb2.Connection(id=connection_id))))
    server.stream(client.reader.ReadDataPackets(
        api_pb2.ReadDataPacketsRequest(request=api_pb2.DataPacketRequest(connection=api_pb2.Connection(id=connection_id)))
    ))
    wait_until(lambda: len([s for s in server.log.subscriptions[mark:] if s.covers(DATA_SOURCE)]) == 2, "both reads to subscribe")
    subscriptions = [s for s in server.log.subscriptions[mark:] if s.covers(DATA_SOURCE)]

    client.channel.close()

    wait_until(lambda: all(s.closed for s in subscriptions), "the server to close the subscriptions of the gone client")


def test_a_finished_read_essentials_closes_its_subscription(server: Harness) -> None:
    write(server, numbered(1, essential=True))
    mark = server.log.mark()

    reader = read_essentials(server, connect(server, main_offset=0))
    assert ids(reader.packets(1)) == [1]
    reader.expect_end()

    subscription = server.log.wait_subscription(lambda s: s.covers("Car_essential"), since=mark)
    wait_until(lambda: subscription.closed, "the finished stream's subscription to close")
