"""Two ``ma-stream-api serve`` processes on one Kafka cluster see each other's sessions, data
formats, notifications and packets; a server started on an existing cluster rebuilds its state."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from ma_support_lib.protos import api_pb2
from ma_support_lib.testing import ServerProcess
from tests.kafka_cluster import KafkaCluster

from .helpers import (
    DATA_SOURCE,
    Clients,
    StreamReader,
    connect,
    connection,
    create_session,
    ids,
    numbered,
    parameter_format,
    session_info,
    wait_until,
    write,
)

CONFIG = ["--no-metrics"]


@pytest.fixture
def cluster_url(kafka: KafkaCluster) -> str:
    return kafka.url()


class Process:
    """A server process and clients of it."""

    def __init__(self, url: str) -> None:
        self.process = ServerProcess(["--broker", url, "--host", "127.0.0.1", *CONFIG]).start()
        self.channel = grpc.insecure_channel(self.process.address)
        self.clients = Clients(self.channel)
        self.streams: list[StreamReader] = []

    def stream(self, call: object) -> StreamReader:
        reader = StreamReader(call)
        self.streams.append(reader)
        return reader

    def stop(self) -> None:
        for reader in self.streams:
            reader.cancel()
        self.channel.close()
        self.process.terminate()


@pytest.fixture
def processes(cluster_url: str) -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in reversed(started):
        process.stop()


def current_sessions(clients: Clients) -> list[str]:
    return list(clients.sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=DATA_SOURCE)).session_keys)


def parameters(clients: Clients, format_id: int) -> list[str]:
    request = api_pb2.GetParametersListRequest(data_source=DATA_SOURCE, data_format_identifier=format_id)
    return list(clients.formats.GetParametersList(request).parameters)


def test_two_servers_share_sessions_formats_notifications_and_packets(cluster_url: str, processes: list[Process]) -> None:
    a, b = Process(cluster_url), Process(cluster_url)
    processes += [a, b]
    starts = b.stream(b.clients.sessions.GetSessionStartNotification(
        api_pb2.GetSessionStartNotificationRequest(data_source=DATA_SOURCE), timeout=60))
    stops = b.stream(b.clients.sessions.GetSessionStopNotification(
        api_pb2.GetSessionStopNotificationRequest(data_source=DATA_SOURCE), timeout=60))
    # make sure B's notification streams are registered: B's own session notifies them
    own = create_session(b.clients).session_key
    assert starts.next().session_key == own
    b.clients.sessions.EndSession(api_pb2.EndSessionRequest(session_key=own))
    assert stops.next().session_key == own

    key = create_session(a.clients, identifier="from A").session_key
    assert starts.next(timeout=15) == api_pb2.GetSessionStartNotificationResponse(session_key=key, data_source=DATA_SOURCE)
    wait_until(lambda: session_info(b.clients, key).success, "A's session on B", timeout=15)
    assert session_info(b.clients, key).identifier == "from A"
    assert key in current_sessions(b.clients)

    format_id = parameter_format(a.clients, ["vCar", "gLat"])
    wait_until(lambda: parameters(b.clients, format_id) == ["vCar", "gLat"], "A's data format on B", timeout=15)
    assert parameter_format(b.clients, ["vCar", "gLat"]) == format_id  # B reuses A's id

    write(a.clients, *(numbered(i) for i in range(1, 6)), session_key=key)
    reader = b.stream(b.clients.reader.ReadPackets(
        api_pb2.ReadPacketsRequest(connection=connection(connect(b.clients, main_offset=0))), timeout=60))
    received = reader.packets_until(lambda item: item.packet.id == 5, timeout=15)
    assert [i for i in ids(received) if i] == [1, 2, 3, 4, 5]

    a.clients.sessions.EndSession(api_pb2.EndSessionRequest(session_key=key))
    assert stops.next(timeout=15) == api_pb2.GetSessionStopNotificationResponse(session_key=key, data_source=DATA_SOURCE)
    wait_until(lambda: session_info(b.clients, key).is_complete, "the end of A's session on B", timeout=15)


def test_a_restarted_server_rebuilds_its_state(cluster_url: str, processes: list[Process]) -> None:
    first = Process(cluster_url)
    processes.append(first)
    key = create_session(first.clients, identifier="before", details={"lap": "1"}).session_key
    first.clients.sessions.UpdateSessionIdentifier(api_pb2.UpdateSessionIdentifierRequest(session_key=key, identifier="renamed"))
    ended = create_session(first.clients).session_key
    first.clients.sessions.EndSession(api_pb2.EndSessionRequest(session_key=ended))
    format_id = parameter_format(first.clients, ["a", "b"])
    write(first.clients, *(numbered(i) for i in range(1, 4)), session_key=key)
    before = {k: session_info(first.clients, k) for k in (key, ended)}
    first.stop()
    processes.remove(first)

    second = Process(cluster_url)
    processes.append(second)
    assert current_sessions(second.clients) == [key, ended]
    assert {k: session_info(second.clients, k) for k in (key, ended)} == before
    assert parameters(second.clients, format_id) == ["a", "b"]
    assert parameter_format(second.clients, ["a", "b"]) == format_id
    reader = second.stream(second.clients.reader.ReadPackets(
        api_pb2.ReadPacketsRequest(connection=connection(connect(second.clients, main_offset=0))), timeout=60))
    received = reader.packets_until(lambda item: item.packet.id == 3, timeout=15)
    assert [i for i in ids(received) if i] == [1, 2, 3]
