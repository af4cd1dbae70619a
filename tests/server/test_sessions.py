"""SessionManagementService: sessions, their info, updates and notifications."""

from __future__ import annotations

import asyncio
import contextlib
import time

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from ma_support_lib.protos import api_pb2, api_pb2_grpc, open_data_pb2

from .helpers import (
    CALL_TIMEOUT,
    DATA_SOURCE,
    STREAM_TIMEOUT,
    WAIT,
    Harness,
    ServerFactory,
    create_session,
    is_guid,
    numbered,
    parse,
    session_info,
    until_registered,
    write,
)

CREATED = Timestamp(seconds=1_767_225_600, nanos=250_000_000)
ENDED = Timestamp(seconds=1_767_229_200, nanos=0)
#: The offsets map of a new session on an empty log with the sample mappings.
EMPTY_OFFSETS = {"Car:0": 0, "Car_essential:0": 0, "Car:1": 0, "Car:2": 0}


def session_records(harness: Harness) -> list[open_data_pb2.Packet]:
    return [parse(open_data_pb2.Packet, record.value) for record in harness.records("SessionInfo")]


def end_session(harness: Harness, session_key: str, **fields: object) -> api_pb2.EndSessionResponse:
    return harness.sessions.EndSession(api_pb2.EndSessionRequest(session_key=session_key, **fields))


# -- CreateSession -----------------------------------------------------------------------------------


def test_create_session_returns_the_new_session_packet(server: Harness) -> None:
    response = create_session(
        server,
        identifier="Barcelona FP1",
        version=3,
        utc_offset=Duration(seconds=3600),
        associate_session_key=["assoc-1", "assoc-2"],
        details={"Driver": "A. Driver", "Circuit": "Barcelona"},
        creation_time=CREATED,
    )

    assert is_guid(response.session_key)
    info = open_data_pb2.SessionInfoPacket(
        data_source=DATA_SOURCE,
        type="Session",
        version=3,
        identifier="Barcelona FP1",
        associate_session_keys=["assoc-1", "assoc-2"],
        details={"Driver": "A. Driver", "Circuit": "Barcelona"},
        utc_offset=Duration(seconds=3600),
        creation_time=CREATED,
    )
    assert response.new_session == open_data_pb2.NewSessionPacket(
        data_source=DATA_SOURCE,
        topic_partition_offsets=EMPTY_OFFSETS,
        utc_offset=Duration(seconds=3600),
        session_info=info,
        creation_time=CREATED,
    )


def test_create_session_defaults_the_type_but_not_the_version(server: Harness) -> None:
    response = create_session(server)

    new_session = response.new_session
    assert new_session.session_info.type == "Session"
    assert new_session.session_info.version == 0
    assert new_session.session_info.identifier == ""
    assert not new_session.HasField("utc_offset")
    # the creation time is the server's clock when the request has none
    assert new_session.HasField("creation_time")
    assert new_session.creation_time == new_session.session_info.creation_time

    custom = create_session(server, type="Test", version=2)
    assert custom.new_session.session_info.type == "Test"
    assert custom.new_session.session_info.version == 2


def test_session_keys_are_unique_guids(server: Harness) -> None:
    keys = [create_session(server).session_key for _ in range(20)]

    assert all(is_guid(key) for key in keys)
    assert len(set(keys)) == 20


def test_create_session_writes_a_new_session_record(server: Harness) -> None:
    response = create_session(server, identifier="run", details={"a": "1"})

    [record] = server.records("SessionInfo")
    assert record.key == response.session_key.encode()
    stored = parse(open_data_pb2.Packet, record.value)
    assert stored == open_data_pb2.Packet(
        type="NewSession", session_key=response.session_key, content=stored.content
    )
    assert parse(open_data_pb2.NewSessionPacket, stored.content) == response.new_session


# -- GetSessionInfo / GetCurrentSessions ----------------------------------------------------------------


def test_get_session_info_returns_every_field(server: Harness) -> None:
    write(server, numbered(1), numbered(2), numbered(3))
    write(server, numbered(4, essential=True))
    write(server, numbered(5), numbered(6), stream="Stream1")
    write(server, numbered(7), stream="Stream2")
    created = create_session(
        server,
        identifier="Qualifying",
        version=7,
        utc_offset=Duration(seconds=-7200),
        associate_session_key=["parent"],
        details={"Driver": "B"},
    )

    info = session_info(server, created.session_key)

    assert info == api_pb2.GetSessionInfoResponse(
        data_source=DATA_SOURCE,
        identifier="Qualifying",
        type="Session",
        version=7,
        associate_session_keys=["parent"],
        is_complete=False,
        streams=["Stream1", "Stream2"],
        topic_partition_offsets={"Car:0": 4, "Car_essential:0": 1, "Car:1": 2, "Car:2": 1},
        main_offset=4,
        essentials_offset=1,
        details={"Driver": "B"},
        utc_offset=Duration(seconds=-7200),
        success=True,
        creation_time=created.new_session.creation_time,
    )


def test_get_session_info_always_has_a_utc_offset(server: Harness) -> None:
    info = session_info(server, create_session(server).session_key)

    assert info.HasField("utc_offset")
    assert info.utc_offset == Duration()


def test_get_session_info_reports_completion(server: Harness) -> None:
    key = create_session(server).session_key

    assert session_info(server, key).is_complete is False
    end_session(server, key, termination_time=ENDED)
    info = session_info(server, key)
    assert info.is_complete is True
    assert info.termination_time == ENDED


def test_get_current_sessions_lists_a_data_source_in_creation_order(server: Harness) -> None:
    first = create_session(server).session_key
    other = create_session(server, "Bike").session_key
    second = create_session(server).session_key
    third = create_session(server).session_key
    end_session(server, second)

    def current(data_source: str) -> api_pb2.GetCurrentSessionsResponse:
        return server.sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=data_source))

    assert current(DATA_SOURCE) == api_pb2.GetCurrentSessionsResponse(session_keys=[first, second, third], success=True)
    assert current("Bike") == api_pb2.GetCurrentSessionsResponse(session_keys=[other], success=True)
    # exact data source: no case folding, no prefixes
    assert current("car") == api_pb2.GetCurrentSessionsResponse(success=True)
    assert current("Ca") == api_pb2.GetCurrentSessionsResponse(success=True)
    assert current("") == api_pb2.GetCurrentSessionsResponse(success=True)
    # extension: "*" (no data source can have that name) lists every session
    assert current("*") == api_pb2.GetCurrentSessionsResponse(session_keys=[first, other, second, third], success=True)


# -- updates ----------------------------------------------------------------------------------------------


def test_update_session_identifier(server: Harness) -> None:
    key = create_session(server, identifier="before").session_key

    response = server.sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key=key, identifier="after"))
    assert response == api_pb2.UpdateSessionIdentifierResponse(success=True)
    assert session_info(server, key).identifier == "after"

    # an empty identifier is written but does not clear the stored one
    response = server.sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key=key, identifier=""))
    assert response.success is True
    assert session_info(server, key).identifier == "after"

    updates = [p for p in session_records(server) if p.type == "SessionInfo"]
    assert [parse(open_data_pb2.SessionInfoPacket, p.content).identifier for p in updates] == ["after", ""]


def test_add_associate_session_appends_and_keeps_duplicates(server: Harness) -> None:
    key = create_session(server, associate_session_key=["first"]).session_key

    for associate in ["second", "second", "third"]:
        response = server.sessions.AddAssociateSession(
            api_pb2.AddAssociateSessionRequest(session_key=key, associate_session_key=associate)
        )
        assert response == api_pb2.AddAssociateSessionResponse(success=True)

    assert list(session_info(server, key).associate_session_keys) == ["first", "second", "second", "third"]


def test_update_session_details_merges(server: Harness) -> None:
    key = create_session(server, details={"Driver": "A", "Circuit": "Monza"}).session_key

    response = server.sessions.UpdateSessionDetails(
        api_pb2.UpdateSessionDetailsRequest(session_key=key, details={"Driver": "B", "Weather": "Dry"})
    )
    assert response == api_pb2.UpdateSessionDetailsResponse(success=True)
    assert dict(session_info(server, key).details) == {"Driver": "B", "Circuit": "Monza", "Weather": "Dry"}

    # an empty update removes nothing
    assert server.sessions.UpdateSessionDetails(api_pb2.UpdateSessionDetailsRequest(session_key=key)).success
    assert dict(session_info(server, key).details) == {"Driver": "B", "Circuit": "Monza", "Weather": "Dry"}


def test_updates_write_the_complete_session_info(server: Harness) -> None:
    key = create_session(
        server, type="Race", version=2, identifier="Sunday", associate_session_key=["x"], details={"a": "1"}
    ).session_key

    server.sessions.UpdateSessionDetails(api_pb2.UpdateSessionDetailsRequest(session_key=key, details={"b": "2"}))
    server.sessions.AddAssociateSession(api_pb2.AddAssociateSessionRequest(session_key=key, associate_session_key="y"))

    records = server.records("SessionInfo")
    assert [r.key for r in records] == [key.encode()] * 3
    packets = [parse(open_data_pb2.Packet, r.value) for r in records]
    assert [(p.type, p.session_key, p.is_essential) for p in packets] == [
        ("NewSession", key, False),
        ("SessionInfo", key, False),
        ("SessionInfo", key, False),
    ]
    details_update, associate_update = (parse(open_data_pb2.SessionInfoPacket, p.content) for p in packets[1:])
    for update in (details_update, associate_update):
        assert (update.data_source, update.type, update.version, update.identifier) == (DATA_SOURCE, "Race", 2, "Sunday")
    assert list(details_update.associate_session_keys) == ["x"]
    assert dict(details_update.details) == {"a": "1", "b": "2"}
    assert list(associate_update.associate_session_keys) == ["x", "y"]
    assert dict(associate_update.details) == {"a": "1", "b": "2"}


def test_completed_sessions_can_still_be_updated(server: Harness) -> None:
    key = create_session(server).session_key
    end_session(server, key)

    assert server.sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key=key, identifier="late")).success
    info = session_info(server, key)
    assert (info.identifier, info.is_complete) == ("late", True)


def test_unknown_session_keys_answer_success_false(server: Harness) -> None:
    known = create_session(server).session_key
    records_before = len(server.records("SessionInfo"))
    unknown = "00000000-0000-0000-0000-000000000000"
    sessions = server.sessions

    assert sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=unknown)) == api_pb2.GetSessionInfoResponse()
    assert sessions.EndSession(api_pb2.EndSessionRequest(session_key=unknown, data_source=DATA_SOURCE)) == api_pb2.EndSessionResponse()
    assert sessions.UpdateSessionIdentifier(
        api_pb2.UpdateSessionIdentifierRequest(session_key=unknown, identifier="x")
    ) == api_pb2.UpdateSessionIdentifierResponse(success=False)
    assert sessions.AddAssociateSession(
        api_pb2.AddAssociateSessionRequest(session_key=unknown, associate_session_key=known)
    ) == api_pb2.AddAssociateSessionResponse(success=False)
    assert sessions.UpdateSessionDetails(
        api_pb2.UpdateSessionDetailsRequest(session_key=unknown, details={"a": "b"})
    ) == api_pb2.UpdateSessionDetailsResponse(success=False)
    assert sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key="")).success is False
    # a key differing only in case is another key
    assert sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=known.upper())).success is False

    assert len(server.records("SessionInfo")) == records_before


# -- EndSession -------------------------------------------------------------------------------------------


def test_end_session_returns_the_end_of_session_packet(server: Harness) -> None:
    key = create_session(server).session_key
    write(server, numbered(1), numbered(2, essential=True))
    write(server, numbered(3), stream="Stream2")

    # the request's data source is ignored: the session's own is used
    response = end_session(server, key, data_source="SomethingElse", termination_time=ENDED)

    assert response == api_pb2.EndSessionResponse(
        end_session=open_data_pb2.EndOfSessionPacket(
            data_source=DATA_SOURCE,
            topic_partition_offsets={"Car:0": 2, "Car_essential:0": 1, "Car:1": 0, "Car:2": 1},
            termination_time=ENDED,
        ),
        success=True,
    )
    last = server.records("SessionInfo")[-1]
    assert last.key == key.encode()
    stored = parse(open_data_pb2.Packet, last.value)
    assert (stored.type, stored.session_key) == ("EndOfSession", key)
    assert parse(open_data_pb2.EndOfSessionPacket, stored.content) == response.end_session


def test_ending_a_session_twice_succeeds_twice(server: Harness) -> None:
    stops = server.stream(server.sessions.GetSessionStopNotification(api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE)))
    until_registered(stops, lambda: _create_and_end(server))
    key = create_session(server).session_key

    assert end_session(server, key).success is True
    assert end_session(server, key).success is True

    end_types = [p.type for p in session_records(server) if p.session_key == key]
    assert end_types == ["NewSession", "EndOfSession", "EndOfSession"]
    assert session_info(server, key).is_complete
    # one stop notification only: the next one is for the next session ended
    assert stops.next().session_key == key
    following = _create_and_end(server)
    assert stops.next().session_key == following


def _create_and_end(harness: Harness, data_source: str = DATA_SOURCE) -> str:
    key = create_session(harness, data_source).session_key
    assert end_session(harness, key).success
    return key


# -- notifications ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["start", "stop"])
def test_notification_arrives_before_the_rpc_returns(server: Harness, kind: str) -> None:
    """The start (stop) notification is on the wire before the CreateSession (EndSession) answer.

    Observed with one asyncio client: both calls share one connection and one event loop, so
    the notification is handed to the reading task before the RPC's answer is handed back. (A
    threaded client cannot show this order: its stream thread may run later than the caller.)
    """
    asyncio.run(_notification_before_response(server.address, kind))


async def _notification_before_response(address: str, kind: str) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = api_pb2_grpc.SessionManagementServiceStub(channel)
        if kind == "start":
            call = stub.GetSessionStartNotification(
                api_pb2.GetSessionStartNotificationRequest(data_source=DATA_SOURCE), timeout=STREAM_TIMEOUT
            )
        else:
            call = stub.GetSessionStopNotification(
                api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE), timeout=STREAM_TIMEOUT
            )
        arrived: list[str] = []
        delivered = asyncio.Event()

        async def record() -> None:
            async for message in call:
                assert message.data_source == DATA_SOURCE
                arrived.append(message.session_key)
                delivered.set()

        async def trigger() -> str:
            created = await stub.CreateSession(api_pb2.CreateSessionRequest(data_source=DATA_SOURCE), timeout=CALL_TIMEOUT)
            assert created.success
            if kind == "stop":
                ended = await stub.EndSession(api_pb2.EndSessionRequest(session_key=created.session_key), timeout=CALL_TIMEOUT)
                assert ended.success
            return str(created.session_key)

        recorder = asyncio.create_task(record())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        # the stream counts once the server has registered it: trigger until it delivers
        while not arrived:
            await trigger()
            assert loop.time() < deadline, "the notification stream never delivered anything"
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(delivered.wait(), 0.05)
        for _ in range(20):
            key = await trigger()
            assert key in arrived, "the RPC answered before its notification was delivered"
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recorder


def test_start_notifications_go_to_listeners_of_the_data_source(server: Harness) -> None:
    car = server.stream(server.sessions.GetSessionStartNotification(api_pb2.GetSessionStartNotificationRequest(data_source="Car")))
    other_client = server.clients()
    bike = server.stream(other_client.sessions.GetSessionStartNotification(api_pb2.GetSessionStartNotificationRequest(data_source="Bike")))
    until_registered(car, lambda: create_session(server, "Car").session_key)
    until_registered(bike, lambda: create_session(server, "Bike").session_key)

    bike_key = create_session(server, "Bike").session_key
    car_key = create_session(server, "Car").session_key

    assert car.next() == api_pb2.GetSessionStartNotificationResponse(session_key=car_key, data_source="Car")
    assert bike.next() == api_pb2.GetSessionStartNotificationResponse(session_key=bike_key, data_source="Bike")


def test_every_listener_gets_the_notification(server: Harness) -> None:
    listeners = [
        server.stream(server.clients().sessions.GetSessionStopNotification(api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE)))
        for _ in range(3)
    ]
    silent = set(listeners)
    deadline = time.monotonic() + WAIT
    while silent:  # until every stream is registered
        assert time.monotonic() < deadline, "a notification stream never delivered anything"
        _create_and_end(server)
        silent = {listener for listener in silent if listener.poll(0.02) is None}

    key = _create_and_end(server)

    for listener in listeners:
        message = listener.next()
        while message.session_key != key:
            message = listener.next()
        assert message == api_pb2.GetSessionStopNotificationResponse(session_key=key, data_source=DATA_SOURCE)


def test_updates_send_no_notification(server: Harness) -> None:
    starts = server.stream(server.sessions.GetSessionStartNotification(api_pb2.GetSessionStartNotificationRequest(data_source=DATA_SOURCE)))
    until_registered(starts, lambda: create_session(server).session_key)
    key = create_session(server).session_key
    assert starts.next().session_key == key

    server.sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key=key, identifier="x"))
    server.sessions.UpdateSessionDetails(api_pb2.UpdateSessionDetailsRequest(session_key=key, details={"a": "b"}))
    end_session(server, key)

    following = create_session(server).session_key
    assert starts.next().session_key == following


# -- session management switched off -----------------------------------------------------------------------


def test_without_session_management_every_rpc_answers_success_false(make_server: ServerFactory) -> None:
    server = make_server(integrate_session_management=False)
    sessions = server.sessions

    assert sessions.CreateSession(api_pb2.CreateSessionRequest(data_source=DATA_SOURCE)) == api_pb2.CreateSessionResponse()
    assert sessions.EndSession(api_pb2.EndSessionRequest(session_key="k")) == api_pb2.EndSessionResponse()
    assert sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=DATA_SOURCE)) == api_pb2.GetCurrentSessionsResponse()
    assert sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key="k")) == api_pb2.GetSessionInfoResponse()
    assert sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key="k", identifier="i")).success is False
    assert sessions.AddAssociateSession(api_pb2.AddAssociateSessionRequest(session_key="k", associate_session_key="a")).success is False
    assert sessions.UpdateSessionDetails(api_pb2.UpdateSessionDetailsRequest(session_key="k", details={"a": "b"})).success is False
    assert server.records("SessionInfo") == []

    # the notification streams end at once, without messages
    server.stream(sessions.GetSessionStartNotification(api_pb2.GetSessionStartNotificationRequest(data_source=DATA_SOURCE))).expect_end()
    server.stream(sessions.GetSessionStopNotification(api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE))).expect_end()
