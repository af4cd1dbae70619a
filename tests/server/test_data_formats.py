"""DataFormatManagerService: ids for parameter lists and events, and their records."""

from __future__ import annotations

from ma_support_lib.protos import api_pb2, open_data_pb2

from .helpers import (
    event_of,
    parameters_of,
    DATA_SOURCE,
    Harness,
    ServerFactory,
    event_format,
    parameter_format,
    parse,
    utc_ticks,
)


def test_the_same_list_gets_the_same_id(server: Harness) -> None:
    before = utc_ticks()
    first = parameter_format(server, ["vCar:Chassis", "nEngine:Engine"])
    after = utc_ticks()

    # ids are .NET tick values taken when the format is first defined
    assert before <= first <= after
    assert parameter_format(server, ["vCar:Chassis", "nEngine:Engine"]) == first
    assert server.clients().formats.GetParameterDataFormatId(
        api_pb2.GetParameterDataFormatIdRequest(data_source=DATA_SOURCE, parameters=["vCar:Chassis", "nEngine:Engine"])
    ).data_format_identifier == first


def test_order_data_source_and_kind_make_different_formats(server: Harness) -> None:
    ids = [
        parameter_format(server, ["a", "b"]),
        parameter_format(server, ["b", "a"]),
        parameter_format(server, ["a"]),
        parameter_format(server, ["a", "b"], data_source="Bike"),
        event_format(server, "a"),
        event_format(server, "a", data_source="Bike"),
    ]

    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids), "ids grow with time"


def test_parameter_lists_are_keyed_by_their_comma_join(server: Harness) -> None:
    # as in the reference: ["a,b"] and ["a", "b"] share one key, and the first list wins
    joined = parameter_format(server, ["a,b"])

    assert parameter_format(server, ["a", "b"]) == joined
    assert parameters_of(server, joined) == ["a,b"]


def test_an_empty_parameter_list_is_a_format(server: Harness) -> None:
    empty = parameter_format(server, [])

    assert empty > 0
    assert parameter_format(server, []) == empty
    assert parameters_of(server, empty) == []


def test_events_get_ids(server: Harness) -> None:
    first = event_format(server, "Pit Entry")

    assert event_format(server, "Pit Entry") == first
    assert event_format(server, "Pit Exit") != first
    assert event_of(server, first) == "Pit Entry"


def test_formats_resolve_at_once(server: Harness) -> None:
    parameters = [f"p{i}:App" for i in range(50)]
    format_id = parameter_format(server, parameters)
    event_id = event_format(server, "Lap")

    assert parameters_of(server, format_id) == parameters
    assert event_of(server, event_id) == "Lap"
    other = server.clients()
    assert list(other.formats.GetParametersList(api_pb2.GetParametersListRequest(data_source=DATA_SOURCE, data_format_identifier=format_id)).parameters) == parameters


def test_unknown_ids_give_empty_answers(server: Harness) -> None:
    format_id = parameter_format(server, ["a", "b"])
    event_id = event_format(server, "E")

    assert server.formats.GetParametersList(
        api_pb2.GetParametersListRequest(data_source=DATA_SOURCE, data_format_identifier=12345)
    ) == api_pb2.GetParametersListResponse()
    assert server.formats.GetEvent(api_pb2.GetEventRequest(data_source=DATA_SOURCE, data_format_identifier=12345)) == api_pb2.GetEventResponse()
    # the wrong kind, or another data source, is as unknown
    assert parameters_of(server, event_id) == []
    assert event_of(server, format_id) == ""
    assert parameters_of(server, format_id, data_source="Bike") == []
    assert event_of(server, event_id, data_source="Bike") == ""
    assert parameters_of(server, format_id, data_source="car") == []


def test_definitions_are_written_to_essentials_and_the_main_topic(any_server: Harness) -> None:
    parameter_id = parameter_format(any_server, ["vCar", "nGear"])
    event_id = event_format(any_server, "Crash")
    parameter_format(any_server, ["vCar", "nGear"])  # known: nothing written

    expected = [
        open_data_pb2.Packet(
            type="DataFormatDefinition",
            session_key="",
            is_essential=True,
            content=open_data_pb2.DataFormatDefinitionPacket(
                identifier=parameter_id,
                type=open_data_pb2.DATA_FORMAT_TYPE_PARAMETER,
                parameter_identifiers=open_data_pb2.ParameterList(parameter_identifiers=["vCar", "nGear"]),
            ).SerializeToString(),
        ),
        open_data_pb2.Packet(
            type="DataFormatDefinition",
            session_key="",
            is_essential=True,
            content=open_data_pb2.DataFormatDefinitionPacket(
                identifier=event_id, type=open_data_pb2.DATA_FORMAT_TYPE_EVENT, event_identifier="Crash"
            ).SerializeToString(),
        ),
    ]
    for topic in ("Car_essential", "Car"):
        records = any_server.records(topic, 0)
        # the key is empty but present (not null), the value the Packet alone
        assert [record.key for record in records] == [b"", b""]
        assert [record.value for record in records] == [packet.SerializeToString() for packet in expected]
    # in PartitionBased mode no copy lands on a stream partition
    assert len(any_server.records("Car")) == 2


def test_without_data_format_management_formats_still_work(make_server: ServerFactory) -> None:
    harness = make_server(integrate_data_format_management=False)

    format_id = parameter_format(harness, ["x", "y"])
    event_id = event_format(harness, "z")

    assert parameter_format(harness, ["x", "y"]) == format_id
    assert parameters_of(harness, format_id) == ["x", "y"]
    assert event_of(harness, event_id) == "z"
    records = harness.records("Car_essential")
    definitions = [parse(open_data_pb2.DataFormatDefinitionPacket, parse(open_data_pb2.Packet, r.value).content) for r in records]
    assert [d.identifier for d in definitions] == [format_id, event_id]
