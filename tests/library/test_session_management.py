"""Session management: every call, the merge rules, unknown keys and forward-only events."""

from __future__ import annotations

import datetime
import uuid

from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo
from ma_support_lib.contracts.session_management.session_detail import SessionDetail
from ma_support_lib.contracts.session_management.session_info import SessionInfo
from ma_support_lib.core.base.support_library import SupportLibrary

from .helpers import EventRecorder, ok, started


def create(service: object, data_source: str, identifier: str = "Run", **keywords: object) -> SessionInfo:
    info = SessionCreationInfo(data_source, identifier, "Session", 1, datetime.timedelta(hours=2), **keywords)  # type: ignore[arg-type]
    return ok(service.create_new_session(info))  # type: ignore[attr-defined]


def test_create_new_session_returns_the_session(library: SupportLibrary, data_source: str) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    info = create(sessions, data_source, details={"Driver": "A"}, associate_session_keys=[])
    uuid.UUID(info.session_key)
    assert (info.data_source, info.identifier, info.type, info.version) == (data_source, "Run", "Session", 1)
    assert info.utc_offset == datetime.timedelta(hours=2)
    assert info.details == {"Driver": "A"} and info.associate_session_keys == []
    assert not info.historical
    assert "Run" in str(info)


def test_the_official_positional_form_with_list_details_works(library: SupportLibrary, data_source: str) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    offset = datetime.datetime.now().astimezone().utcoffset()
    info = ok(sessions.create_new_session(SessionCreationInfo(data_source, "SupportLibrarySession", "Session", 1, offset, [], [])))
    assert info.details == {} and info.utc_offset == offset


def test_get_session_info_and_get_all_sessions(library: SupportLibrary, data_source: str) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    first = create(sessions, data_source, "First")
    second = create(sessions, data_source, "Second")
    assert ok(sessions.get_session_info(data_source, first.session_key)).identifier == "First"
    keys = [s.session_key for s in ok(sessions.get_all_sessions()) if s.data_source == data_source]
    assert keys == [first.session_key, second.session_key]


def test_updates_follow_the_merge_rules(library: SupportLibrary, data_source: str) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    info = create(sessions, data_source, details={"a": "1", "b": "2"})
    key = info.session_key
    assert ok(sessions.update_identifier(data_source, key, "Renamed")).identifier == "Renamed"
    updated = ok(sessions.update_session_details(data_source, key, [SessionDetail("b", "20"), ("c", "3")]))
    assert updated.details == {"a": "1", "b": "20", "c": "3"}
    other = create(sessions, data_source, "Other")
    assert ok(sessions.add_associate_session(data_source, key, other.session_key)).associate_session_keys == [other.session_key]
    ended = ok(sessions.end_session(data_source, key))
    assert ended.historical and ended.identifier == "Renamed"


def test_unknown_session_keys_fail_with_the_key_in_the_message(library: SupportLibrary, data_source: str) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    for result in (
        sessions.get_session_info(data_source, "no-such-session"),
        sessions.end_session(data_source, "no-such-session"),
        sessions.update_identifier(data_source, "no-such-session", "x"),
        sessions.add_associate_session(data_source, "no-such-session", "y"),
        sessions.update_session_details(data_source, "no-such-session", {"k": "v"}),
    ):
        assert not result.success and result.data is None
        assert "no-such-session" in result.message


def test_bad_arguments_fail_with_a_message(library: SupportLibrary, data_source: str) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    assert "SessionCreationInfo" in sessions.create_new_session("not a creation info").message
    assert "empty" in sessions.get_session_info(data_source, "").message
    result = sessions.update_session_details(data_source, "key", [42])
    assert not result.success and "session detail" in result.message
    invalid = sessions.create_new_session(SessionCreationInfo("bad name!", "x"))
    # The Stream API server refuses the name; the .NET backend checks it before calling C#.
    refusal = {"grpc": "INVALID_ARGUMENT", "dotnet": "cannot name Kafka topics"}[library.backend.name]
    assert not invalid.success and refusal in invalid.message


def test_events_fire_for_changes_after_start_only(library: SupportLibrary, data_source: str) -> None:
    writer_side = started(library.get_session_manager_api().create_service())
    before = create(writer_side, data_source, "Before")
    watcher = started(library.get_session_manager_api().create_service())
    events = EventRecorder(
        watcher, "live_session_started", "live_session_state_change", "live_session_ended", "new_association_detected"
    )
    info = create(writer_side, data_source, "After")
    key = info.session_key
    ok(writer_side.update_identifier(data_source, key, "After2"))
    ok(writer_side.add_associate_session(data_source, key, before.session_key))
    ok(writer_side.end_session(data_source, key))
    events.wait_for(lambda items: any(name == "live_session_ended" for name, _ in items))
    mine = [(name, args) for name, args in events.items if _key(args) == key]
    assert [name for name, _ in mine] == [
        "live_session_started",
        "live_session_state_change",
        "live_session_state_change",
        "new_association_detected",
        "live_session_ended",
    ]
    association = mine[3][1]
    assert association.main_session_info.session_key == key
    assert association.associate_session_info.session_key == before.session_key
    assert mine[-1][1].historical
    assert all(_key(args) != before.session_key for name, args in events.items if name == "live_session_started")


def _key(args: object) -> str:
    main = getattr(args, "main_session_info", None)
    return str(getattr(main if main is not None else args, "session_key", ""))


def test_unsubscribed_callbacks_are_not_called(library: SupportLibrary, data_source: str) -> None:
    sessions = started(library.get_session_manager_api().create_service())
    calls: list[str] = []

    class Watcher:
        def on_started(self, sender: object, info: SessionInfo) -> None:
            calls.append(info.session_key)

    watcher = Watcher()
    sessions.live_session_started.subscribe(watcher.on_started)
    sessions.live_session_started.unsubscribe(watcher.on_started)  # an equal, not identical, bound method
    seen = EventRecorder(sessions, "live_session_started")  # called after the watcher, were it still subscribed
    info = create(sessions, data_source)
    seen.wait_for(lambda items: any(args.session_key == info.session_key for _, args in items))
    assert calls == []
