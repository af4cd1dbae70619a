"""``ma-stream-api serve`` as users run it: a separate process on a real port."""

from __future__ import annotations

import json
import platform
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import grpc
import pytest

from ma_support_lib.protos import api_pb2, api_pb2_grpc, open_data_pb2
from ma_support_lib.server.cli import tune_malloc
from ma_support_lib.testing import ServerProcess, ServerProcessError

TIMEOUT = 10


def _create_session(address: str, data_source: str = "Car") -> str:
    with grpc.insecure_channel(address) as channel:
        stub = api_pb2_grpc.SessionManagementServiceStub(channel)
        response = stub.CreateSession(api_pb2.CreateSessionRequest(data_source=data_source), timeout=TIMEOUT)
        assert response.success
        return response.session_key


def _write(address: str, session_key: str, count: int, data_source: str = "Car") -> None:
    with grpc.insecure_channel(address) as channel:
        stub = api_pb2_grpc.PacketWriterServiceStub(channel)
        for index in range(count):
            packet = open_data_pb2.Packet(type="Marker", session_key=session_key, content=bytes([index % 256]))
            detail = api_pb2.DataPacketDetails(message=packet, data_source=data_source, session_key=session_key)
            stub.WriteDataPacket(api_pb2.WriteDataPacketRequest(detail=detail), timeout=TIMEOUT)


def _read_all(address: str, session_key: str, expected: int, data_source: str = "Car") -> list[bytes]:
    with grpc.insecure_channel(address) as channel:
        connections = api_pb2_grpc.ConnectionManagerServiceStub(channel)
        reader = api_pb2_grpc.PacketReaderServiceStub(channel)
        details = api_pb2.ConnectionDetails(data_source=data_source, session_key=session_key, main_offset=0)
        connection = connections.NewConnection(api_pb2.NewConnectionRequest(details=details), timeout=TIMEOUT).connection
        contents: list[bytes] = []
        stream = reader.ReadPackets(api_pb2.ReadPacketsRequest(connection=connection), timeout=TIMEOUT)
        for response in stream:
            contents.extend(item.packet.content for item in response.response)
            if len(contents) >= expected:
                stream.cancel()
                break
        return contents


def test_prints_listening_and_metrics_lines_and_stops_on_sigterm() -> None:
    server = ServerProcess(["--broker", "memory://"], metrics_port=0).start()
    try:
        assert server.port > 0 and server.metrics_port
        key = _create_session(server.address)
        _write(server.address, key, 3)
        body = urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=TIMEOUT).read().decode()
        assert 'stream_api_data_packets_published_total{data_source="Car",stream=""} 3.0' in body
        assert 'stream_api_sessions_total{data_source="Car"} 1.0' in body
        assert "process_cpu_seconds_total" in body
    finally:
        code = server.terminate()
    assert code == 0
    assert any("Stopped" in line for line in server.output)


def test_file_broker_keeps_acknowledged_writes_through_kill_9(tmp_path: Path) -> None:
    broker = f"file://{tmp_path / 'data'}"
    with ServerProcess(["--broker", broker]) as server:
        key = _create_session(server.address)
        _write(server.address, key, 50)
        server.kill()
    with ServerProcess(["--broker", broker]) as restarted:
        contents = _read_all(restarted.address, key, 50)
        assert contents == [bytes([i]) for i in range(50)]
        with grpc.insecure_channel(restarted.address) as channel:
            stub = api_pb2_grpc.SessionManagementServiceStub(channel)
            info = stub.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=key), timeout=TIMEOUT)
            assert info.success and info.data_source == "Car"


def test_second_server_on_same_directory_is_refused(tmp_path: Path) -> None:
    broker = f"file://{tmp_path / 'data'}"
    with ServerProcess(["--broker", broker]):
        with pytest.raises(ServerProcessError) as failure:
            ServerProcess(["--broker", broker]).start()
    message = str(failure.value)
    assert "ma-stream-api: error:" in message
    assert str(tmp_path / "data") in message


def test_config_file_and_overrides(tmp_path: Path) -> None:
    config = tmp_path / "AppConfig.json"
    config.write_text(
        json.dumps(
            {
                "StreamCreationStrategy": 1,
                "BrokerUrl": "memory://",
                "PartitionMappings": [{"Stream": "Stream1", "Partition": 1}],
                "StreamApiPort": 1,
            }
        )
    )
    with ServerProcess(["--config", str(config)]) as server:
        key = _create_session(server.address)
        with grpc.insecure_channel(server.address) as channel:
            stub = api_pb2_grpc.SessionManagementServiceStub(channel)
            info = stub.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=key), timeout=TIMEOUT)
        assert list(info.streams) == ["Stream1"]
        assert server.port != 1


def test_config_path_environment_variable_is_relative_to_working_directory(tmp_path: Path) -> None:
    (tmp_path / "Configs").mkdir()
    (tmp_path / "Configs" / "AppConfig.json").write_text(json.dumps({"BrokerUrl": "memory://", "PartitionMappings": [{"Stream": "A", "Partition": 2}]}))
    with ServerProcess(env={"CONFIG_PATH": "/Configs/AppConfig.json"}, cwd=str(tmp_path)) as server:
        key = _create_session(server.address)
        with grpc.insecure_channel(server.address) as channel:
            stub = api_pb2_grpc.SessionManagementServiceStub(channel)
            info = stub.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=key), timeout=TIMEOUT)
        assert list(info.streams) == ["A"]
        assert dict(info.topic_partition_offsets) == {"Car:0": 0, "Car_essential:0": 0, "Car:2": 0}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "is not valid JSON"),
        ('{"StreamApiPort": "13579"}', "StreamApiPort must be a JSON integer"),
        ('{"StreamCreationStrategy": 3}', "StreamCreationStrategy must be 1"),
        ('{"BrokerUrl": "kafka://localhost"}', "is not host:port"),
        ('{"BrokerUrl": "kafka://localhost:9092?no.such.property=1"}', "no.such.property"),
        ('{"BrokerUrl": "ftp://x"}', "unsupported broker URL"),
    ],
)
def test_bad_configuration_gives_a_clear_error(tmp_path: Path, content: str, expected: str) -> None:
    config = tmp_path / "AppConfig.json"
    config.write_text(content)
    with pytest.raises(ServerProcessError) as failure:
        ServerProcess(["--config", str(config)]).start()
    assert expected in str(failure.value)


def test_auto_start_false_waits_for_get_start() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        listener_port = probe.getsockname()[1]
    env = {"AUTO_START": "false", "LISTENER_PORT_NUMBER": str(listener_port)}
    with ServerProcess(["--broker", "memory://"], env=env).start(wait=False) as server:
        server.wait_for_output("Waiting for GET /start")
        assert not any("listening" in line for line in server.output)
        with pytest.raises(urllib.error.HTTPError) as not_found:
            urllib.request.urlopen(f"http://127.0.0.1:{listener_port}/other", timeout=TIMEOUT)
        assert not_found.value.code == 404
        body = urllib.request.urlopen(f"http://127.0.0.1:{listener_port}/start", timeout=TIMEOUT).read().decode()
        assert body.startswith("Stream Api Started Properly and Listen To Requests On Port:")
        server.wait_for_output("Stream API listening on")
        assert server.terminate() == 0


def test_malloc_thresholds_are_set_where_the_c_library_is_glibc() -> None:
    expected = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert tune_malloc() is expected
