"""Processes sharing one ``file://`` data directory: the first hosts, the others connect."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from ma_support_lib.backends.grpc.hosting import ENDPOINT_FILE
from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ma_support_lib.contracts.packet_reading.packet_reading_type import PacketReadingType
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper

from .helpers import WAIT_S, EventRecorder, PacketRecorder, ok

ROOT = Path(__file__).resolve().parents[2]


def other_process(broker: str, data_source: str, packets: int, hold: bool = False) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.library.writer_process", broker, data_source, str(packets)]
    return subprocess.Popen(
        command + (["--hold"] if hold else []),
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def open_library(broker: str) -> SupportLibrary:
    library = SupportLibraryBootstrapper.bootstrap(StreamingApiConfiguration(broker, timeout_seconds=20), Logger()).create()
    library.initialise()
    library.start()
    return library


def live_reader(library: SupportLibrary, data_source: str) -> tuple[PacketRecorder, EventRecorder]:
    config = PacketReadingConfiguration("", WAIT_S, False, data_source, "*", PacketReadingType.LIVE, [])
    reader = ok(library.get_reading_packet_api().create_service_with_config(config))
    handler = PacketRecorder()
    events = EventRecorder(reader, "session_reading_completed")
    reader.initialise()
    reader.set_handler(handler)
    reader.start()
    return handler, events


def test_a_second_process_writes_through_the_first_and_is_read_live(tmp_path: Path, data_source: str) -> None:
    broker = f"file://{tmp_path / 'data'}"
    library = open_library(broker)
    try:
        assert (tmp_path / "data" / ENDPOINT_FILE).exists()
        handler, events = live_reader(library, data_source)
        writer = other_process(broker, data_source, 25)
        output, _ = writer.communicate(timeout=60)
        assert writer.returncode == 0
        assert "hosted=False" in output
        events.wait_count(1)
        assert len(handler.items) == 27
        assert {dto.session_key for dto in handler.items} == {output.split("session=")[1].strip()}
    finally:
        library.stop()
    assert not (tmp_path / "data" / ENDPOINT_FILE).exists()


def test_a_process_can_connect_to_a_directory_another_process_hosts(tmp_path: Path, data_source: str) -> None:
    broker = f"file://{tmp_path / 'data'}"
    host = other_process(broker, data_source, 5, hold=True)
    try:
        assert host.stdout is not None
        line = host.stdout.readline()
        assert "hosted=True" in line, line
        library = open_library(broker)
        try:
            assert library.backend._lease is not None and not library.backend._lease.hosted  # type: ignore[attr-defined]
            sessions = ok(library.get_session_manager_api().create_service())
            sessions.initialise()
            sessions.start()
            keys = [s.session_key for s in ok(sessions.get_all_sessions()) if s.data_source == data_source]
            assert keys == [line.split("session=")[1].strip()]
        finally:
            library.stop()
    finally:
        assert host.stdin is not None
        host.stdin.close()
        host.wait(timeout=30)
    assert host.returncode == 0


def test_data_acknowledged_before_the_host_is_killed_survives(tmp_path: Path, data_source: str) -> None:
    broker = f"file://{tmp_path / 'data'}"
    host = other_process(broker, data_source, 40, hold=True)
    assert host.stdout is not None
    line = host.stdout.readline()
    assert "hosted=True" in line, line
    host.send_signal(signal.SIGKILL)
    host.wait(timeout=30)
    library = open_library(broker)
    try:
        assert library.backend._lease.hosted  # type: ignore[attr-defined]
        config = PacketReadingConfiguration("", WAIT_S, False, data_source, "*", PacketReadingType.HISTORIC, [])
        reader = ok(library.get_reading_packet_api().create_service_with_config(config))
        handler = PacketRecorder()
        reader.initialise()
        reader.set_handler(handler)
        reader.start()
        assert reader.join(WAIT_S)
        assert len(handler.items) == 42
    finally:
        library.stop()
