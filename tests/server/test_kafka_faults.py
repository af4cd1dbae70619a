"""Kafka faults, on a broker of the test's own that the test stops and restarts.

* Broker unreachable at start: the server retries, saying so in its log, while its health service
  answers NOT_SERVING and the Stream API answers UNAVAILABLE; once the broker is up, it serves.
* Broker restarted while writing: writes wait and retry; every acknowledged packet is in the log,
  once, in order.
* Produce errors (here: delivery timing out while the broker is away) reach the client as a status.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import grpc
import pytest

from ma_support_lib.log import open_log
from ma_support_lib.protos import api_pb2, open_data_pb2
from ma_support_lib.server import ServerConfig
from ma_support_lib.server.health import NOT_SERVING, SERVING, HealthCheckRequest, HealthCheckResponse
from ma_support_lib.testing import ServerProcess
from tests.kafka_cluster import KafkaCluster

from .helpers import DATA_SOURCE, Clients, Harness, assert_serving, detail, numbered, parse, wait_until
from .kafka_records import read_topic

#: Bound for anything that waits on the broker stopping, starting or being noticed.
BROKER_WAIT = 60.0


def health(channel: grpc.Channel) -> int:
    check = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=HealthCheckRequest.SerializeToString,
        response_deserializer=HealthCheckResponse.FromString,
    )
    return int(check(HealthCheckRequest(service=""), timeout=10).status)


@pytest.mark.timeout(300)
def test_a_server_started_without_its_broker_retries_then_serves(own_kafka: KafkaCluster) -> None:
    own_kafka.stop()
    with ServerProcess(["--broker", own_kafka.bootstrap, "--host", "127.0.0.1"]).start(wait=False) as server:
        line = server.wait_for_output("will retry", timeout=BROKER_WAIT)
        assert own_kafka.bootstrap in line
        match = re.search(r"health service on (\S+) answers NOT_SERVING", line)
        assert match, line
        with grpc.insecure_channel(match.group(1)) as channel:
            assert health(channel) == NOT_SERVING
            with pytest.raises(grpc.RpcError) as refused:
                Clients(channel).sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source=DATA_SOURCE))
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
            assert "starting" in refused.value.details() and own_kafka.bootstrap in refused.value.details()

            own_kafka.start()
            server.wait_for_output("Stream API listening on", timeout=BROKER_WAIT)
            assert health(channel) == SERVING
            assert_serving(Clients(channel))


@pytest.fixture
def kafka_server(own_kafka: KafkaCluster) -> Iterator[Harness]:
    config = ServerConfig(broker_url=own_kafka.bootstrap, stream_api_port=0, metrics_port=None, host="127.0.0.1")
    harness = Harness(config, open_log(own_kafka.bootstrap), own_log=True)
    yield harness
    harness.stop()


class Writer(threading.Thread):
    """Writes numbered packets one by one until stopped; remembers which were acknowledged."""

    def __init__(self, clients: Clients) -> None:
        super().__init__(name="writer", daemon=True)
        self._clients = clients
        self.acknowledged: list[int] = []
        self.errors: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        index = 0
        while not self.stopping.is_set():
            index += 1
            request = api_pb2.WriteDataPacketRequest(detail=detail(numbered(index), session_key="k"))
            try:
                self._clients.writer.WriteDataPacket(request, timeout=BROKER_WAIT * 2)
            except grpc.RpcError as exc:
                self.errors.append(f"{exc.code()}: {exc.details()}")
                return
            self.acknowledged.append(index)


@pytest.mark.timeout(400)
def test_writes_survive_a_broker_restart(own_kafka: KafkaCluster, kafka_server: Harness) -> None:
    writer = Writer(kafka_server.clients())
    writer.start()
    try:
        wait_until(lambda: len(writer.acknowledged) >= 50, "writes before the restart", timeout=BROKER_WAIT)
        own_kafka.stop()
        # the server notices, and says so through its health status
        wait_until(lambda: kafka_server.server.health.reason is not None, "NOT_SERVING", timeout=BROKER_WAIT)
        during = len(writer.acknowledged)
        own_kafka.start()
        wait_until(lambda: len(writer.acknowledged) >= during + 50, "writes after the restart", timeout=BROKER_WAIT)
        wait_until(lambda: kafka_server.server.health.reason is None, "SERVING again", timeout=BROKER_WAIT)
    finally:
        writer.stopping.set()
        writer.join(BROKER_WAIT * 2)
    assert not writer.errors
    stored = [parse(open_data_pb2.Packet, r.value).id for r in read_topic(own_kafka.bootstrap, DATA_SOURCE)]
    acknowledged = writer.acknowledged
    # everything acknowledged is there, once and in order (at most the last, unacknowledged
    # write may follow)
    assert stored[: len(acknowledged)] == acknowledged
    assert len(stored) - len(acknowledged) <= 1


@pytest.mark.timeout(300)
def test_a_delivery_failure_reaches_the_client(own_kafka: KafkaCluster) -> None:
    url = f"kafka://{own_kafka.bootstrap}?message.timeout.ms=1500"
    config = ServerConfig(broker_url=url, stream_api_port=0, metrics_port=None, host="127.0.0.1")
    harness = Harness(config, open_log(url), own_log=True)
    try:
        request = api_pb2.WriteDataPacketRequest(detail=detail(numbered(1)))
        harness.writer.WriteDataPacket(request)  # the topics exist and the producer is connected
        own_kafka.stop()
        with pytest.raises(grpc.RpcError) as failed:
            harness.writer.WriteDataPacket(request, timeout=BROKER_WAIT)
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "timed out" in failed.value.details().lower()
    finally:
        harness.stop()
