"""Data format management: get-or-create ids, look-ups, listing and the update event."""

from __future__ import annotations

from ma_support_lib.contracts.data_format_management.data_format_info_type import DataFormatInfoType
from ma_support_lib.core.base.support_library import SupportLibrary

from .helpers import EventRecorder, ok, started


def test_parameter_format_ids_ignore_order_and_give_the_column_order(library: SupportLibrary, data_source: str) -> None:
    formats = started(library.get_data_format_manager_api().create_service())
    first = ok(formats.get_parameter_data_format_id(data_source, ["b:App", "a:App"]))
    again = ok(formats.get_parameter_data_format_id(data_source, ["a:App", "b:App"]))
    assert first.data_format_id == again.data_format_id
    assert sorted(first.parameter_list) == ["a:App", "b:App"]
    looked_up = ok(formats.get_parameters_list(data_source, first.data_format_id))
    assert looked_up.parameter_list == first.parameter_list and looked_up.data_source == data_source


def test_formats_are_shared_between_services_and_isolated_per_data_source(
    library: SupportLibrary, data_source: str
) -> None:
    one = started(library.get_data_format_manager_api().create_service())
    two = started(library.get_data_format_manager_api().create_service())
    format_id = ok(one.get_parameter_data_format_id(data_source, ["Sin:MyApp"])).data_format_id
    assert ok(two.get_parameters_list(data_source, format_id)).parameter_list == ["Sin:MyApp"]
    other = ok(two.get_parameter_data_format_id(data_source + "x", ["Sin:MyApp"])).data_format_id
    assert other != format_id


def test_event_formats(library: SupportLibrary, data_source: str) -> None:
    formats = started(library.get_data_format_manager_api().create_service())
    event = ok(formats.get_event_data_format_id(data_source, "Pit:Entry"))
    assert ok(formats.get_event_data_format_id(data_source, "Pit:Entry")).data_format_id == event.data_format_id
    assert ok(formats.get_event(data_source, event.data_format_id)).event_name == "Pit:Entry"


def test_unknown_ids_and_empty_lists_fail_with_a_message(library: SupportLibrary, data_source: str) -> None:
    formats = started(library.get_data_format_manager_api().create_service())
    for result in (formats.get_parameters_list(data_source, 12345), formats.get_event(data_source, 12345)):
        assert not result.success and "12345" in result.message
    assert "non-empty" in formats.get_parameter_data_format_id(data_source, []).message
    assert "non-empty" in formats.get_event_data_format_id(data_source, "").message
    assert not formats.get_parameters_list(data_source, "not a number").success


def test_listing_a_data_source_and_the_update_event(library: SupportLibrary, data_source: str) -> None:
    writer = started(library.get_data_format_manager_api().create_service())
    params = ok(writer.get_parameter_data_format_id(data_source, ["x:A", "y:A"]))
    event = ok(writer.get_event_data_format_id(data_source, "E:A"))
    reader = started(library.get_data_format_manager_api().create_service())
    updates = EventRecorder(reader, "data_format_info_updated")
    listed = ok(reader.get_data_source_data_format_info(data_source))
    by_id = {info.data_formats[0]: info for info in listed}
    assert by_id[params.data_format_id].identifiers == params.parameter_list
    assert by_id[params.data_format_id].data_format_info_type is DataFormatInfoType.PARAMETERS
    assert by_id[event.data_format_id].identifiers == ["E:A"]
    assert by_id[event.data_format_id].data_format_info_type is DataFormatInfoType.EVENT
    assert sorted(info.data_formats[0] for _, info in updates.items) == sorted(by_id)
    assert ok(reader.get_data_source_data_format_info(data_source + "-empty")) == []
