"""Two servers on one log object: sessions, data formats and packets of one are seen by the other."""

from __future__ import annotations

from ma_support_lib.protos import api_pb2, open_data_pb2

from .helpers import (
    parameters_of,
    DATA_SOURCE,
    MAPPINGS,
    Harness,
    ServerFactory,
    connect,
    create_session,
    event_format,
    ids,
    numbered,
    parameter_format,
    periodic,
    read_data_packets,
    read_packets,
    session_info,
    until_registered,
    wait_until,
    with_id,
    write,
)


def current_sessions(harness: Harness, data_source: str = DATA_SOURCE) -> list[str]:
    return list(harness.sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=data_source)).session_keys)


def test_sessions_created_on_one_server_appear_on_another(make_server: ServerFactory) -> None:
    a = make_server(partition_mappings=MAPPINGS)
    b = make_server(log=a.inner_log, partition_mappings=MAPPINGS)
    starts = b.stream(b.sessions.GetSessionStartNotification(api_pb2.GetSessionStartNotificationRequest(data_source=DATA_SOURCE)))
    stops = b.stream(b.sessions.GetSessionStopNotification(api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE)))
    until_registered(starts, lambda: create_session(b).session_key)

    key = create_session(a, identifier="on A", details={"k": "v"}).session_key

    assert starts.next() == api_pb2.GetSessionStartNotificationResponse(session_key=key, data_source=DATA_SOURCE)
    assert session_info(b, key) == session_info(a, key)
    assert key in current_sessions(b)

    a.sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key=key, identifier="renamed on A"))
    wait_until(lambda: session_info(b, key).identifier == "renamed on A", "the update to reach B")

    def end_on_b() -> str:
        other = create_session(b).session_key
        b.sessions.EndSession(api_pb2.EndSessionRequest(session_key=other))
        return other

    until_registered(stops, end_on_b)
    a.sessions.EndSession(api_pb2.EndSessionRequest(session_key=key))
    assert stops.next() == api_pb2.GetSessionStopNotificationResponse(session_key=key, data_source=DATA_SOURCE)
    assert session_info(b, key).is_complete
    assert session_info(b, key) == session_info(a, key)


def test_sessions_of_a_new_data_source_appear_on_another_server(make_server: ServerFactory) -> None:
    a = make_server()
    b = make_server(log=a.inner_log)

    key = create_session(a, "Brand-new").session_key

    info = wait_until(lambda: session_info(b, key).success and session_info(b, key), "the session to reach B")
    assert info == session_info(a, key)


def test_data_formats_defined_on_one_server_resolve_on_another(make_server: ServerFactory) -> None:
    a = make_server()
    b = make_server(log=a.inner_log)
    chassis = parameter_format(a, ["vCar:Chassis"])

    # B reads the definitions of Car before it would create a format
    assert parameter_format(b, ["vCar:Chassis"]) == chassis
    assert parameters_of(b, chassis) == ["vCar:Chassis"]
    # and follows definitions made later on A
    engine = parameter_format(a, ["nEngine:Engine"])
    wait_until(lambda: parameters_of(b, engine) == ["nEngine:Engine"], "the new definition to reach B")
    pit = event_format(a, "PitIn")
    wait_until(lambda: b.formats.GetEvent(api_pb2.GetEventRequest(data_source=DATA_SOURCE, data_format_identifier=pit)).event == "PitIn", "the event definition to reach B")

    # packets written through A with A's ids are filtered by B
    reader = read_data_packets(b, connect(b, main_offset=0), include_parameters=["Engine"])
    write(a, with_id(periodic(format_id=chassis), 1), with_id(periodic(format_id=engine), 2))
    assert ids(reader.packets(1)) == [2]


def test_connections_belong_to_their_server(make_server: ServerFactory) -> None:
    a = make_server()
    b = make_server(log=a.inner_log)
    connection_id = connect(a, main_offset=0)

    assert b.connections.GetConnection(api_pb2.GetConnectionRequest(connection=api_pb2.Connection(id=connection_id))) == api_pb2.GetConnectionResponse()
    read_packets(b, connection_id).expect_end()
    # packets written on one server are read on the other
    reader = read_packets(a, connection_id)
    write(b, numbered(7))
    assert ids(reader.packets(1)) == [7]
    assert [r.value for r in a.records(DATA_SOURCE)] == [numbered(7).SerializeToString()]
    assert open_data_pb2.Packet.FromString(b.records(DATA_SOURCE)[0].value).id == 7
