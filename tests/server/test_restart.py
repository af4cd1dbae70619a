"""State lives in the log: a server restarted on a ``file://`` log has it all back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf.duration_pb2 import Duration

from ma_support_lib.protos import api_pb2
from ma_support_lib.server import StreamCreationStrategy

from .helpers import (
    DATA_SOURCE,
    MAPPINGS,
    Harness,
    ServerFactory,
    connect,
    create_session,
    event_format,
    ids,
    map_keys,
    numbered,
    parameter_format,
    periodic,
    raw_unary,
    read_data_packets,
    read_essentials,
    read_packets,
    session_info,
    until_registered,
    with_id,
    write,
)

GET_SESSION_INFO = "/ma.streaming.api.v1.SessionManagementService/GetSessionInfo"


@pytest.fixture
def broker_url() -> str:
    """Restarts need a durable log: every test here runs on ``file://``."""
    return "file://{tmp}"


def parameters_of(harness: Harness, format_id: int, data_source: str = DATA_SOURCE) -> list[str]:
    request = api_pb2.GetParametersListRequest(data_source=data_source, data_format_identifier=format_id)
    return list(harness.formats.GetParametersList(request).parameters)


def current_sessions(harness: Harness, data_source: str = DATA_SOURCE) -> list[str]:
    return list(harness.sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=data_source)).session_keys)


@dataclass
class History:
    """What a server was asked to do, and what it answered, before the restart."""

    running: str
    ended: str
    bike: str
    formats: dict[str, int]
    infos: dict[str, api_pb2.GetSessionInfoResponse]
    raw_info: bytes
    current: list[str]
    main: list[bytes]
    essentials: list[bytes]


def _populate(harness: Harness) -> History:
    """Sessions, updates, data formats and packets."""
    running = create_session(
        harness, identifier="Practice", version=2, associate_session_key=["older"], details={"Driver": "A"},
        utc_offset=Duration(seconds=3600),
    ).session_key
    write(harness, numbered(1), numbered(2, essential=True), session_key=running)
    write(harness, numbered(3), stream="Stream1", session_key=running)
    ended = create_session(harness, type="Race").session_key
    bike = create_session(harness, "Bike").session_key
    harness.sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key=running, identifier="Practice 2"))
    harness.sessions.UpdateSessionDetails(api_pb2.UpdateSessionDetailsRequest(session_key=running, details={"Weather": "Wet"}))
    harness.sessions.AddAssociateSession(api_pb2.AddAssociateSessionRequest(session_key=running, associate_session_key=ended))
    harness.sessions.EndSession(api_pb2.EndSessionRequest(session_key=ended))
    formats = {
        "chassis": parameter_format(harness, ["vCar:Chassis", "nGear:Chassis"]),
        "event": event_format(harness, "PitIn"),
        "bike": parameter_format(harness, ["vCar:Chassis", "nGear:Chassis"], data_source="Bike"),
    }
    write(harness, with_id(periodic(format_id=formats["chassis"]), 4))
    return History(
        running=running,
        ended=ended,
        bike=bike,
        formats=formats,
        infos={key: session_info(harness, key) for key in (running, ended, bike)},
        raw_info=raw_unary(harness.channel, GET_SESSION_INFO, api_pb2.GetSessionInfoRequest(session_key=running)),
        current=current_sessions(harness),
        main=[r.value for r in harness.records(DATA_SOURCE)],
        essentials=[r.value for r in harness.records("Car_essential")],
    )


def test_a_restarted_server_has_everything_back(make_server: ServerFactory, tmp_path: Path, strategy: StreamCreationStrategy) -> None:
    url = f"file://{tmp_path / 'log'}"
    settings = {"partition_mappings": MAPPINGS, "stream_creation_strategy": strategy}
    first = make_server(url=url, **settings)
    before = _populate(first)
    first.stop()

    second = make_server(url=url, **settings)

    # no multi-second start-up wait (the reference waits at least 3 s)
    assert second.start_seconds < 2.0
    # sessions, with their updates and completion, byte for byte
    for key, info in before.infos.items():
        assert session_info(second, key) == info
    assert session_info(second, before.ended).is_complete
    assert session_info(second, before.running).identifier == "Practice 2"
    raw_info = raw_unary(second.channel, GET_SESSION_INFO, api_pb2.GetSessionInfoRequest(session_key=before.running))
    assert raw_info == before.raw_info
    assert map_keys(raw_info, 8)[:2] == ["Car:0", "Car_essential:0"]
    assert current_sessions(second) == before.current == [before.running, before.ended]
    assert current_sessions(second, "Bike") == [before.bike]
    # data formats keep their ids
    formats = before.formats
    assert parameter_format(second, ["vCar:Chassis", "nGear:Chassis"]) == formats["chassis"]
    assert parameters_of(second, formats["chassis"]) == ["vCar:Chassis", "nGear:Chassis"]
    assert second.formats.GetEvent(api_pb2.GetEventRequest(data_source=DATA_SOURCE, data_format_identifier=formats["event"])).event == "PitIn"
    assert event_format(second, "PitIn") == formats["event"]
    assert parameters_of(second, formats["bike"], "Bike") == ["vCar:Chassis", "nGear:Chassis"]
    # packets
    assert [r.value for r in second.records(DATA_SOURCE)] == before.main
    assert [r.value for r in second.records("Car_essential")] == before.essentials
    reader = read_data_packets(second, connect(second, main_offset=0))
    assert ids(reader.packets(1)) == [4]
    # new ids keep growing
    assert parameter_format(second, ["new"]) > max(formats.values())


def test_a_restarted_server_sends_no_notifications_for_old_sessions(make_server: ServerFactory, tmp_path: Path) -> None:
    url = f"file://{tmp_path / 'log'}"
    first = make_server(url=url)
    open_key = create_session(first).session_key
    ended_key = create_session(first).session_key
    first.sessions.EndSession(api_pb2.EndSessionRequest(session_key=ended_key))
    first.stop()

    second = make_server(url=url)
    starts = second.stream(second.sessions.GetSessionStartNotification(api_pb2.GetSessionStartNotificationRequest(data_source=DATA_SOURCE)))
    stops = second.stream(second.sessions.GetSessionStopNotification(api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE)))

    # the first notification each stream gets is for a session created after the restart
    until_registered(starts, lambda: create_session(second).session_key)

    def create_and_end() -> str:
        key = create_session(second).session_key
        second.sessions.EndSession(api_pb2.EndSessionRequest(session_key=key))
        return key

    until_registered(stops, create_and_end)
    # ending an old session still notifies
    second.sessions.EndSession(api_pb2.EndSessionRequest(session_key=open_key))
    assert stops.next().session_key == open_key


def test_a_restarted_server_serves_the_history_of_every_stream(make_server: ServerFactory, tmp_path: Path, strategy: StreamCreationStrategy) -> None:
    url = f"file://{tmp_path / 'log'}"
    settings = {"partition_mappings": MAPPINGS, "stream_creation_strategy": strategy}
    first = make_server(url=url, **settings)
    write(first, numbered(1))
    write(first, numbered(2, essential=True), stream="Stream1")
    write(first, numbered(3), stream="Stream2")
    first.stop()

    second = make_server(url=url, **settings)

    reader = read_packets(second, connect(second, streams=["Stream1", "Stream2"], stream_offsets=[0, 0], main_offset=0))
    assert sorted((item.stream, item.packet.id) for item in reader.packets(3)) == [("", 1), ("Stream1", 2), ("Stream2", 3)]
    essentials = read_essentials(second, connect(second, main_offset=0))
    assert ids(essentials.packets(1)) == [2]
    essentials.expect_end()
    write(second, numbered(4), stream="Stream1")
    assert [(item.stream, item.packet.id) for item in reader.packets(1)] == [("Stream1", 4)]
