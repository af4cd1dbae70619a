"""Packets/s through the Stream API server into Apache Kafka and back out, against a raw
confluent-kafka producer and consumer moving the same bytes in the same run.

What is measured
================

The workload is the one of ``server_throughput.py``: ``WriteDataPackets`` requests of 100
``PeriodicData`` packets of 10 parameters x 100 double samples (about 13 KB each), serialized
once, up front.

``server``
    ``ma-stream-api serve --broker kafka://BOOTSTRAP?topic_prefix=...`` (its own process): one
    ``WriteDataPackets`` call, timed until its response, that is until the broker acknowledged
    every record (delivery reports); then ``NewConnection`` + ``ReadPackets`` from offset 0, timed
    until every packet has arrived (``BatchingResponses`` on, so responses carry many packets;
    the client splits them into packet responses without parsing the packets, as the raw
    consumer takes its records' bytes).
``raw``
    this process, with confluent-kafka directly and the server's own librdkafka settings
    (``KafkaSettings.producer_config`` / ``consumer_config``: zstd, idempotence, linger, fetch
    and queue settings), so both sides run librdkafka tuned alike: ``produce`` of the same
    serialized packets (same key, partition 0) and ``flush``, timed until every delivery report
    is in; then a consumer assigned at offset 0, timed until every record came.

Each round uses fresh topics (a fresh topic prefix; the server is started for it, untimed, and
warmed up with 2,000 packets to another data source) and rounds alternate raw and server. The
figures are the medians of ``--repeats`` rounds (default 3). The rate of a case is packets
divided by write time plus read time; the last line is ``ratio R``, server/raw (target >= 0.5).

The broker is started with ``scripts/kafka_broker.py`` unless ``--bootstrap`` (or
``$MA_KAFKA_BOOTSTRAP``) names one. Run from the repository root: ``python bench/kafka_throughput.py``
(``--quick`` for a smoke run, ``--packets N``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grpc  # noqa: E402
from confluent_kafka import Consumer, Producer  # noqa: E402
from confluent_kafka import TopicPartition as KafkaTopicPartition  # noqa: E402

from bench.server_throughput import (  # noqa: E402
    DATA_SOURCE,
    SESSION_KEY,
    Workload,
    _child_env,
    _connect,
    _identity,
    build_workload,
    reading_calls,
    write_stream,
)
from ma_support_lib.log.kafka.settings import KafkaSettings  # noqa: E402
from ma_support_lib.protos import api_pb2  # noqa: E402
from ma_support_lib.testing import ServerProcess  # noqa: E402
from ma_support_lib.wire import length_delimited_field, length_delimited_fields  # noqa: E402
from scripts.kafka_broker import KafkaBroker  # noqa: E402

DEFAULT_PACKETS = 10_000
QUICK_PACKETS = 1_000
DEFAULT_REPEATS = 3
TIMEOUT_S = 300.0


@dataclass
class Round:
    write_s: float
    read_s: float

    def rate(self, packets: int) -> float:
        return packets / (self.write_s + self.read_s)


def packet_values(workload: Workload) -> list[bytes]:
    """The serialized ``Packet`` of every packet the server is sent, in order."""
    values = []
    for request in workload.requests:
        for detail in api_pb2.WriteDataPacketsRequest.FromString(request).details:
            values.append(detail.message.SerializeToString())
    return values


def raw_round(bootstrap: str, values: list[bytes]) -> Round:
    settings = KafkaSettings.from_url(bootstrap)
    topic = f"raw-{uuid.uuid4().hex[:10]}"
    producer = Producer(settings.producer_config())
    key = SESSION_KEY.encode()
    failed: list[object] = []

    def report(error: object, _message: object) -> None:
        if error is not None:
            failed.append(error)

    producer.produce(topic, b"warm-up", key, 0)  # creates the topic, untimed
    producer.flush(TIMEOUT_S)
    start = time.perf_counter()
    for value in values:
        while True:
            try:
                producer.produce(topic, value, key, 0, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    if producer.flush(TIMEOUT_S) or failed:
        raise RuntimeError(f"raw producer: {failed[:3] or 'records left undelivered'}")
    write_s = time.perf_counter() - start

    consumer = Consumer(settings.consumer_config())
    start = time.perf_counter()
    consumer.assign([KafkaTopicPartition(topic, 0, 1)])
    count = 0
    deadline = time.monotonic() + TIMEOUT_S
    while count < len(values):
        if time.monotonic() > deadline:
            raise RuntimeError(f"raw consumer got {count} of {len(values)} records")
        messages = consumer.consume(10_000, 0)  # what is queued, without waiting for a full batch
        if not messages:
            first = consumer.poll(0.1)
            messages = [first] if first is not None else []
        count += sum(1 for m in messages if m.error() is None)
    read_s = time.perf_counter() - start
    consumer.close()
    return Round(write_s, read_s)


def read_bytes(channel: grpc.Channel, values: list[bytes]) -> float:
    """Seconds from ``NewConnection`` until ``ReadPackets`` delivered every packet. Like the raw
    consumer, the client takes the bytes as they come: it splits each response into its packet
    responses without parsing them, and checks the first and last packet against what was written."""
    new_connection, read_packets, close_connection = reading_calls(channel, _identity)
    details = api_pb2.ConnectionDetails(data_source=DATA_SOURCE, session_key=SESSION_KEY, main_offset=0)
    start = time.perf_counter()
    connection = new_connection(api_pb2.NewConnectionRequest(details=details), timeout=TIMEOUT_S).connection
    responses = read_packets(api_pb2.ReadPacketsRequest(connection=connection), timeout=TIMEOUT_S)
    received: list[bytes] = []
    try:
        for response in responses:
            received += length_delimited_fields(response, 1)
            if len(received) >= len(values):
                break
    finally:
        elapsed = time.perf_counter() - start
        responses.cancel()
        close_connection(api_pb2.CloseConnectionRequest(connection=connection), timeout=TIMEOUT_S)
    if len(received) != len(values):
        raise RuntimeError(f"ReadPackets delivered {len(received)} of {len(values)} packets")
    for index in (0, -1):
        if length_delimited_field(received[index], 1) != values[index]:
            raise RuntimeError("a packet read back differs from the packet written")
    return elapsed


def server_round(bootstrap: str, workload: Workload, values: list[bytes], config: Path) -> Round:
    url = f"kafka://{bootstrap}?topic_prefix=bench{uuid.uuid4().hex[:8]}."
    with ServerProcess(["--config", str(config), "--broker", url, "--host", "127.0.0.1"], env=_child_env()) as server:
        channel = _connect(server.address)
        try:
            write_stream(channel, workload.warmup)
            write_s = write_stream(channel, workload.requests)
            read_s = read_bytes(channel, values)
        finally:
            channel.close()
    return Round(write_s, read_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, default=DEFAULT_PACKETS)
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PACKETS} packets, 1 round")
    parser.add_argument("--bootstrap", default=os.environ.get("MA_KAFKA_BOOTSTRAP"), help="an existing Kafka cluster")
    args = parser.parse_args(argv)
    packets, repeats = (QUICK_PACKETS, 1) if args.quick else (args.packets, args.repeats)
    workload = build_workload(packets, 0)
    values = packet_values(workload)
    config = Path(tempfile.mkdtemp(prefix="kafka-bench-")) / "AppConfig.json"
    config.write_text(json.dumps({"BatchingResponses": True}))
    broker = None
    bootstrap = args.bootstrap
    if not bootstrap:
        broker = KafkaBroker()
        print(f"starting a Kafka broker ({broker.directory})", file=sys.stderr, flush=True)
        bootstrap = broker.start()
    try:
        raw: list[Round] = []
        ours: list[Round] = []
        for index in range(repeats):
            raw.append(raw_round(bootstrap, values))
            ours.append(server_round(bootstrap, workload, values, config))
            print(f"round {index + 1}/{repeats}: raw {raw[-1].rate(workload.packets):,.0f} packets/s, "
                  f"server {ours[-1].rate(workload.packets):,.0f} packets/s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(config.parent, ignore_errors=True)
        if broker is not None:
            broker.cleanup()
    n = workload.packets
    print(f"{n} packets of {workload.packet_bytes / 1e3:.1f} KB, {repeats} round(s), medians; broker {bootstrap}")
    print(f"{'case':<8}{'write pkt/s':>14}{'read pkt/s':>14}{'total pkt/s':>14}{'total MB/s':>12}")
    results = {}
    for name, rounds in (("raw", raw), ("server", ours)):
        write = statistics.median(n / r.write_s for r in rounds)
        read = statistics.median(n / r.read_s for r in rounds)
        total = statistics.median(r.rate(n) for r in rounds)
        results[name] = total
        print(f"{name:<8}{write:>14,.0f}{read:>14,.0f}{total:>14,.0f}{total * workload.packet_bytes / 1e6:>12,.1f}")
    print(f"ratio {results['server'] / results['raw']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
