"""Packet writing and reading: live, historic, both, one session, streams, events, timeouts."""

from __future__ import annotations

import datetime
import threading

import pytest

from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ma_support_lib.contracts.packet_reading.packet_reading_type import PacketReadingType
from ma_support_lib.contracts.packet_writing.info_type import InfoType
from ma_support_lib.contracts.packet_writing.packet_bytes import PacketBytes
from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo
from ma_support_lib.contracts.session_management.session_info import SessionInfo
from ma_support_lib.contracts.shared.partition_mapping import PartitionMapping
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.contracts.shared.stream_creation_strategy import StreamCreationStrategy
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper
from ma_support_lib.errors import ReadingTimeoutError
from ma_support_lib.protos import open_data_pb2
from ma_support_lib.testing import ServerProcess

from .helpers import WAIT_S, EventRecorder, PacketRecorder, ok, packet, started, write_session

READER_EVENTS = (
    "session_reading_started",
    "stream_reading_started",
    "stream_reading_completed",
    "session_reading_completed",
    "session_info_updated",
    "coverage_cursor_received",
    "session_association_info_updated",
)


class Rig:
    """A library with a session manager and a writer, and readers made on demand."""

    def __init__(self, library: SupportLibrary, data_source: str) -> None:
        self.library = library
        self.data_source = data_source
        self.sessions = started(library.get_session_manager_api().create_service())
        self.writer = started(library.get_writing_packet_api().create_service())

    def session(self, identifier: str = "Run") -> SessionInfo:
        return ok(self.sessions.create_new_session(SessionCreationInfo(self.data_source, identifier)))

    def reader(self, **keywords: object) -> tuple[object, PacketRecorder, EventRecorder]:
        keywords.setdefault("data_source", self.data_source)
        keywords.setdefault("timeout_seconds", WAIT_S)
        config = PacketReadingConfiguration(**keywords)  # type: ignore[arg-type]
        reader = ok(self.library.get_reading_packet_api().create_service_with_config(config))
        return self._start(reader)

    def session_reader(self, session_key: str) -> tuple[object, PacketRecorder, EventRecorder]:
        return self._start(ok(self.library.get_reading_packet_api().create_service(self.data_source, session_key)))

    @staticmethod
    def _start(reader: object) -> tuple[object, PacketRecorder, EventRecorder]:
        handler = PacketRecorder()
        events = EventRecorder(reader, *READER_EVENTS)
        reader.initialise()  # type: ignore[attr-defined]
        reader.set_handler(handler)  # type: ignore[attr-defined]
        reader.start()  # type: ignore[attr-defined]
        return reader, handler, events

    def write(self, session: SessionInfo, streams: list[str], count: int) -> int:
        return write_session(self.writer, self.data_source, session.session_key, streams, count)


@pytest.fixture
def rig(library: SupportLibrary, data_source: str) -> Rig:
    return Rig(library, data_source)


def completed(events: EventRecorder) -> list[str]:
    return events.wait_for(lambda items: any(name == "session_reading_completed" for name, _ in items))


def test_a_live_reader_receives_a_new_session_with_events_in_order(rig: Rig) -> None:
    reader, handler, events = rig.reader(reading_type=PacketReadingType.LIVE)
    session = rig.session()
    written = rig.write(session, ["", "Stream1"], 20)
    handler.wait_count(written)
    completed(events)
    dtos = handler.items
    assert {dto.session_key for dto in dtos} == {session.session_key}
    assert {dto.data_source for dto in dtos} == {rig.data_source}
    for stream in ("", "Stream1"):
        ids = [open_data_pb2.Packet.FromString(d.packet_bytes.data).id for d in dtos if d.stream == stream]
        types = [open_data_pb2.Packet.FromString(d.packet_bytes.data).type for d in dtos if d.stream == stream]
        assert types[0] == "NewSession" and types[-1] == "EndOfSession"
        assert ids[1:-1] == list(range(20))
    assert all(isinstance(d.submit_time, datetime.datetime) and d.submit_time.tzinfo for d in dtos)
    assert threading.get_ident() not in handler.threads
    names = [name for name in events.names() if name != "session_info_updated"]
    assert names[0] == "session_reading_started" and names[-1] == "session_reading_completed"
    assert sorted(info.stream for info in events.of("stream_reading_started")) == ["", "Stream1"]
    assert sorted(info.stream for info in events.of("stream_reading_completed")) == ["", "Stream1"]
    for stream in ("", "Stream1"):
        started_at = next(i for i, (n, a) in enumerate(events.items) if n == "stream_reading_started" and a.stream == stream)
        ended_at = next(i for i, (n, a) in enumerate(events.items) if n == "stream_reading_completed" and a.stream == stream)
        assert started_at < ended_at
    assert events.of("session_reading_started")[0].session_key == session.session_key
    reader.stop()


def test_a_live_reader_also_reads_sessions_already_running(rig: Rig) -> None:
    session = rig.session()
    ok(rig.writer.write_data(rig.data_source, "", session.session_key, packet("Marker", session.session_key)))
    ok(rig.writer.flush(WAIT_S))
    _, handler, events = rig.reader(reading_type=PacketReadingType.LIVE)
    handler.wait_count(1)
    rig.write(session, [""], 3)
    handler.wait_count(6)
    completed(events)


def test_a_live_reader_ignores_sessions_that_ended_before_it_started(rig: Rig) -> None:
    old = rig.session("Old")
    rig.write(old, [""], 2)
    ok(rig.sessions.end_session(rig.data_source, old.session_key))
    _, handler, events = rig.reader(reading_type=PacketReadingType.LIVE)
    new = rig.session("New")
    rig.write(new, [""], 2)
    completed(events)
    assert {dto.session_key for dto in handler.items} == {new.session_key}


def test_the_identifier_pattern_selects_sessions(rig: Rig) -> None:
    _, handler, events = rig.reader(session_identifier_pattern="Qualifying_*")
    skipped = rig.session("Race_1")
    rig.write(skipped, [""], 2)
    wanted = rig.session("Qualifying_2")
    rig.write(wanted, [""], 2)
    completed(events)
    assert {dto.session_key for dto in handler.items} == {wanted.session_key}


def test_a_historic_reader_reads_ended_sessions_then_completes(rig: Rig) -> None:
    first, second, live = rig.session("H1"), rig.session("H2"), rig.session("Live")
    for session in (first, second):
        rig.write(session, [""], 4)
        ok(rig.sessions.end_session(rig.data_source, session.session_key))
    rig.write(live, [""], 1)
    reader, handler, events = rig.reader(reading_type=PacketReadingType.HISTORIC)
    assert reader.join(WAIT_S)  # type: ignore[attr-defined]
    keys = [dto.session_key for dto in handler.items]
    assert keys == [first.session_key] * 6 + [second.session_key] * 6
    assert [info.session_key for info in events.of("session_reading_completed")] == [first.session_key, second.session_key]


def test_both_reads_history_and_follows_live_sessions(rig: Rig) -> None:
    old = rig.session()
    rig.write(old, [""], 1)
    ok(rig.sessions.end_session(rig.data_source, old.session_key))
    _, handler, events = rig.reader(reading_type=PacketReadingType.BOTH)
    new = rig.session()
    rig.write(new, [""], 1)
    events.wait_for(lambda items: len([n for n, _ in items if n == "session_reading_completed"]) == 2)
    assert {dto.session_key for dto in handler.items} == {old.session_key, new.session_key}


def test_a_reader_for_one_session_key_reads_it_whole(rig: Rig) -> None:
    session = rig.session()
    written = rig.write(session, ["", "A", "B"], 5)
    ok(rig.sessions.end_session(rig.data_source, session.session_key))
    reader, handler, events = rig.session_reader(session.session_key)
    assert reader.join(WAIT_S)  # type: ignore[attr-defined]
    assert len(handler.items) == written
    assert sorted({dto.stream for dto in handler.items}) == ["", "A", "B"]
    assert events.of("session_reading_completed")[0].historical


def test_a_reader_for_an_unknown_session_key_is_not_created(rig: Rig) -> None:
    result = rig.library.get_reading_packet_api().create_service(rig.data_source, "no-such-session")
    assert not result.success and "no-such-session" in result.message
    assert "empty" in rig.library.get_reading_packet_api().create_service(rig.data_source, "").message


def test_stream_selection_and_excluding_the_main_stream(rig: Rig) -> None:
    session = rig.session()
    _, only_a, events_a = rig.reader(streams=["A"], exclude_main_stream=True)
    _, a_and_main, events_b = rig.reader(streams=["A"])
    rig.write(session, ["", "A", "B"], 3)
    completed(events_a)
    completed(events_b)
    assert {dto.stream for dto in only_a.items} == {"A"} and len(only_a.items) == 5
    assert {dto.stream for dto in a_and_main.items} == {"", "A"} and len(a_and_main.items) == 10


def test_inactivity_completes_reading_and_can_raise(rig: Rig) -> None:
    session = rig.session()
    ok(rig.writer.write_data(rig.data_source, "", session.session_key, packet("Marker", session.session_key)))
    ok(rig.writer.flush(WAIT_S))
    quiet, _, events = rig.reader(session_key=session.session_key, timeout_seconds=0.3)
    assert quiet.join(WAIT_S)  # type: ignore[attr-defined]
    assert events.names()[-2:] == ["stream_reading_completed", "session_reading_completed"]
    strict, _, _ = rig.reader(session_key=session.session_key, timeout_seconds=0.3, raise_exception_on_timeout=True)
    with pytest.raises(ReadingTimeoutError, match="0.3"):
        strict.join(WAIT_S)  # type: ignore[attr-defined]


def test_session_info_updates_and_coverage_cursors_reach_the_reader(rig: Rig) -> None:
    _, handler, events = rig.reader()
    session = rig.session()
    key = session.session_key
    ok(rig.writer.write_data(rig.data_source, "", key, packet("NewSession", key)))
    handler.wait_count(1)
    cursor = open_data_pb2.CoverageCursorInfoPacket(data_source=rig.data_source, coverage_cursor_time=123456789)
    ok(rig.writer.write_data(rig.data_source, "", key, packet("CoverageCursorInfo", key, cursor.SerializeToString())))
    details = open_data_pb2.SessionInfoPacket(data_source=rig.data_source, details={"Track": "Silverstone"})
    ok(rig.writer.write_info(packet("SessionInfo", key, details.SerializeToString()), InfoType.SESSION_INFO))
    other = rig.session("Other")
    ok(rig.sessions.add_associate_session(rig.data_source, key, other.session_key))
    events.wait_for(lambda items: {"coverage_cursor_received", "session_info_updated", "session_association_info_updated"} <= {n for n, _ in items})
    assert events.of("coverage_cursor_received")[0].coverage_cursor_time == 123456789
    assert any(info.details.get("Track") == "Silverstone" for info in events.of("session_info_updated"))
    association = events.of("session_association_info_updated")[0]
    assert association.associate_session_info.session_key == other.session_key


def test_handlers_added_late_and_removed_after_stop(rig: Rig) -> None:
    config = PacketReadingConfiguration("", WAIT_S, False, rig.data_source, "*", PacketReadingType.LIVE, [])
    reader = ok(rig.library.get_reading_packet_api().create_service_with_config(config))
    reader.initialise()
    reader.start()
    first, second = PacketRecorder(), PacketRecorder()
    reader.set_handler(first)
    reader.set_handler(second)
    session = rig.session()
    written = rig.write(session, [""], 2)
    first.wait_count(written)
    second.wait_count(written)
    reader.stop()
    reader.remove_handler(first)
    reader.remove_handler(first)


def test_a_handler_that_raises_does_not_stop_delivery(rig: Rig) -> None:
    class Failing(PacketRecorder):
        def handle(self, obj: object) -> None:
            super().handle(obj)  # type: ignore[arg-type]
            raise RuntimeError("handler bug")

    reader, handler, events = rig.reader()
    failing = Failing()
    reader.set_handler(failing)  # type: ignore[attr-defined]
    session = rig.session()
    written = rig.write(session, [""], 3)
    completed(events)
    assert len(failing.items) == len(handler.items) == written


def test_stop_ends_a_live_reader_promptly(rig: Rig) -> None:
    reader, handler, _ = rig.reader()
    _, control, _ = rig.reader()
    session = rig.session()
    ok(rig.writer.write_data(rig.data_source, "", session.session_key, packet("Marker", session.session_key)))
    handler.wait_count(1)
    reader.stop()  # type: ignore[attr-defined]
    assert reader.join(1)  # type: ignore[attr-defined]
    ok(rig.writer.write_data(rig.data_source, "", session.session_key, packet("Marker", session.session_key, packet_id=1)))
    control.wait_count(2)  # the second packet reached a reader that is still running
    assert len(handler.items) == 1


def test_partition_based_streams_with_mappings(data_source: str) -> None:
    config = StreamingApiConfiguration(
        f"memory://partitions-{data_source}",
        StreamCreationStrategy.PARTITION_BASE,
        [PartitionMapping("Stream1", 1)],
        10,
    )
    with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
        rig = Rig(library, data_source)
        _, handler, events = rig.reader()
        session = rig.session()
        written = rig.write(session, ["", "Stream1"], 3)
        completed(events)
        assert len(handler.items) == written
        assert {dto.stream for dto in handler.items} == {"", "Stream1"}
        assert ok(rig.sessions.get_session_info(data_source, session.session_key)).streams == ["Stream1"]


def test_bad_packets_and_names_are_refused_with_a_message(rig: Rig) -> None:
    session = rig.session()
    key = session.session_key
    for result, text in (
        (rig.writer.write_data(rig.data_source, "", key, PacketBytes(b"\xff\xff")), "not a serialized"),
        (rig.writer.write_data(rig.data_source, "", key, PacketBytes(b"")), "no type"),
        (rig.writer.write_data(rig.data_source, "", key, "text"), "PacketBytes"),
        (rig.writer.write_data("bad name!", "", key, packet("Marker", key)), "cannot name"),
        (rig.writer.write_data(rig.data_source, "bad/stream", key, packet("Marker", key)), "cannot name"),
        (rig.writer.write_data("", "", key, packet("Marker", key)), "empty"),
        (rig.writer.write_info(PacketBytes(b"\xff"), InfoType.SESSION_INFO), "not a serialized"),
    ):
        assert not result.success and result.data is None and text in result.message, result.message
    ok(rig.writer.flush(WAIT_S))


def test_write_info_refuses_a_packet_without_a_type_as_write_data_does(rig: Rig) -> None:
    key = rig.session().session_key
    untyped = open_data_pb2.Packet(session_key=key).SerializeToString()
    data = rig.writer.write_data(rig.data_source, "", key, PacketBytes(untyped))
    info = rig.writer.write_info(PacketBytes(untyped), InfoType.SESSION_INFO)
    assert not data.success and not info.success and info.data is None
    assert data.message == "write_data: the packet has no type (for example 'PeriodicData')"
    assert info.message == "write_info: the packet has no type (for example 'PeriodicData')"
    text = rig.writer.write_info("text", InfoType.SESSION_INFO)  # type: ignore[arg-type]
    assert not text.success and text.message == "write_info: packet_bytes must be PacketBytes or bytes, got str"
    ok(rig.writer.flush(WAIT_S))


def test_a_lost_server_is_reported_not_swallowed(data_source: str) -> None:
    with ServerProcess(["--broker", "memory://"]) as server:
        config = StreamingApiConfiguration(timeout_seconds=10, stream_api_address=server.address)
        with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
            writer = started(library.get_writing_packet_api().create_service())
            ok(writer.write_data(data_source, "", "key", packet("Marker", "key")))
            ok(writer.flush(WAIT_S))
            server.kill()
            ok(writer.write_data(data_source, "", "key", packet("Marker", "key")))
            result = writer.flush(WAIT_S)
            assert not result.success and "not acknowledged" in result.message and server.address in result.message
            sessions = started(library.get_session_manager_api().create_service())
            failed = sessions.get_all_sessions()
            assert not failed.success and "UNAVAILABLE" in failed.message
