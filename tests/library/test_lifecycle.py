"""Library and service lifecycle: order, idempotence, events, and clear failures."""

from __future__ import annotations

import datetime
import socket
from collections.abc import Callable

import pytest

from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper
from ma_support_lib.errors import BackendUnavailableError, ConfigurationError, ServiceStateError

from .helpers import EventRecorder, ok, packet, started


def test_every_module_api_creates_services(library: SupportLibrary) -> None:
    for api in (
        library.get_session_manager_api(),
        library.get_data_format_manager_api(),
        library.get_writing_packet_api(),
    ):
        service = started(api.create_service())
        assert service.is_initialised and service.is_started
        service.stop()
        assert not service.is_started
    reader = started(library.get_reading_packet_api().create_service_with_config(PacketReadingConfiguration()))
    reader.stop()


def test_lifecycle_events_fire_in_order_with_utc_times(library: SupportLibrary) -> None:
    service = ok(library.get_session_manager_api().create_service())
    events = EventRecorder(service, "initialised", "started", "stopped")
    service.initialise()
    service.start()
    service.stop()
    assert events.names() == ["initialised", "started", "stopped"]
    assert all(isinstance(when, datetime.datetime) and when.tzinfo is not None for _, when in events.items)


def test_initialise_and_start_twice_are_harmless_and_stop_is_idempotent(library: SupportLibrary) -> None:
    service = started(library.get_writing_packet_api().create_service())
    events = EventRecorder(service, "initialised", "started", "stopped")
    service.initialise()
    service.start()
    service.stop()
    service.stop()
    assert events.names() == ["stopped"]


def test_start_before_initialise_is_refused(library: SupportLibrary) -> None:
    service = ok(library.get_data_format_manager_api().create_service())
    with pytest.raises(ServiceStateError, match="before initialise"):
        service.start()


def test_restarting_a_stopped_service_is_refused(library: SupportLibrary) -> None:
    service = started(library.get_session_manager_api().create_service())
    service.stop()
    with pytest.raises(ServiceStateError, match="after stop"):
        service.start()


def test_calls_on_a_service_that_is_not_started_fail_with_a_message(library: SupportLibrary, data_source: str) -> None:
    writer = ok(library.get_writing_packet_api().create_service())
    result = writer.write_data(data_source, "", "key", packet("Marker", "key"))
    assert not result.success and result.data is None
    assert "not started" in result.message and result.error_message == result.message
    formats = ok(library.get_data_format_manager_api().create_service())
    assert "not started" in formats.get_parameter_data_format_id(data_source, ["a"]).message


def test_calls_on_a_stopped_service_fail_with_a_message(library: SupportLibrary) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    sessions.stop()
    result = sessions.get_all_sessions()
    assert not result.success and "stopped" in result.message


def test_create_service_before_the_library_is_initialised_fails(make_config: Callable[..., StreamingApiConfiguration]) -> None:
    library = SupportLibraryBootstrapper.bootstrap(make_config(), Logger()).create()
    result = library.get_session_manager_api().create_service()
    assert not result.success and "initialise" in result.message
    library.stop()


def test_library_stop_stops_every_service_it_created(library: SupportLibrary) -> None:
    writer = started(library.get_writing_packet_api().create_service())
    sessions = started(library.get_session_manager_api().create_service())
    library.stop()
    assert not writer.is_started and not sessions.is_started
    assert not library.get_writing_packet_api().create_service().success


def test_an_unreachable_kafka_broker_fails_within_the_timeout() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = "127.0.0.1:%d" % probe.getsockname()[1]  # nothing listens there
    config = StreamingApiConfiguration(address, timeout_seconds=1)
    library = SupportLibraryBootstrapper.bootstrap(config, Logger()).create()
    with pytest.raises(BackendUnavailableError, match=address):
        library.initialise()
    library.stop()


def test_a_bad_kafka_property_gives_a_clear_error() -> None:
    config = StreamingApiConfiguration("127.0.0.1:9", additional_properties={"no.such.property": "1"})
    library = SupportLibraryBootstrapper.bootstrap(config, Logger()).create()
    with pytest.raises(ConfigurationError, match="no.such.property"):
        library.initialise()
    library.stop()


def test_an_unreachable_stream_api_address_fails_within_the_timeout() -> None:
    config = StreamingApiConfiguration(timeout_seconds=0.5, stream_api_address="127.0.0.1:1")
    library = SupportLibraryBootstrapper.bootstrap(config, Logger()).create()
    with pytest.raises(BackendUnavailableError, match="127.0.0.1:1"):
        library.initialise()
    library.stop()


def test_the_library_works_as_a_context_manager(make_config: Callable[..., StreamingApiConfiguration]) -> None:
    with SupportLibraryBootstrapper.bootstrap(make_config(), Logger()).create() as library:
        assert library.is_started
        ok(library.get_session_manager_api().create_service())
    assert not library.is_started


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"stream_creation_strategy": 7}, "stream_creation_strategy"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"additional_properties": "x"}, "additional_properties"),
        ({"broker_list": "memory://a", "broker_url": "memory://b"}, "disagree"),
    ],
)
def test_bad_configurations_are_refused_with_a_message(arguments: dict[str, object], message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        StreamingApiConfiguration(**arguments)  # type: ignore[arg-type]


def test_bootstrap_refuses_something_that_is_not_a_configuration() -> None:
    with pytest.raises(TypeError, match="StreamingApiConfiguration"):
        SupportLibraryBootstrapper.bootstrap("localhost:9092", Logger())  # type: ignore[arg-type]
