#!/usr/bin/env python3
"""A single-node Apache Kafka broker (KRaft mode, no ZooKeeper) for development and tests.

::

    python3 scripts/kafka_broker.py fetch            # download the broker's jars (Maven)
    python3 scripts/kafka_broker.py run              # run in the foreground until Ctrl+C
    python3 scripts/kafka_broker.py start            # start in the background, print the address
    python3 scripts/kafka_broker.py stop             # stop the one ``start`` started

The broker's jars come from Maven Central through ``mvn dependency:copy-dependencies`` with
the release pinned in ``scripts/kafka/pom.xml``; they are kept in
``~/.cache/ma-support-lib/kafka-<version>`` (``$MA_KAFKA_LIBS`` overrides). The broker listens
on a free loopback port (``--port`` to choose one), keeps its data in a fresh temporary
directory (``--data-dir`` to choose one) and prints its bootstrap address, ``127.0.0.1:PORT``,
once it answers a metadata request.

From Python, :class:`KafkaBroker` does the same; ``stop()`` followed by ``start()`` restarts
the broker on the same port and data directory.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

POM = Path(__file__).resolve().parent / "kafka" / "pom.xml"
#: JVM heap of the broker; small, the broker only serves tests and development.
HEAP = "-Xmx384m"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
FETCH_TIMEOUT_S = 900.0
STATE_FILE = Path(tempfile.gettempdir()) / "ma-support-lib-kafka-broker.json"

_LOG4J = """\
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={log}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
"""


class BrokerError(RuntimeError):
    """The broker could not be fetched, started or stopped; the message says why."""


def kafka_version() -> str:
    """The Kafka release pinned in the pom."""
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", POM.read_text())
    if match is None:
        raise BrokerError(f"{POM} pins no <kafka.version>")
    return match.group(1)


def libs_directory() -> Path:
    """Where the broker's jars are kept."""
    override = os.environ.get("MA_KAFKA_LIBS")
    if override:
        return Path(override)
    return Path.home() / ".cache" / "ma-support-lib" / f"kafka-{kafka_version()}"


def fetch(quiet: bool = False) -> Path:
    """Download the broker's jars unless they are there already; returns their directory."""
    target = libs_directory()
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be fetching the same jars
        if (target / ".complete").exists():
            return target
        if shutil.which("mvn") is None:
            raise BrokerError("Maven (mvn) is needed to fetch the Kafka broker; install it (apt-get install maven)")
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        command = [
            "mvn", "-B", "-f", str(POM), "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
        ]
        if quiet:
            command.insert(1, "-q")
        if not quiet:
            print(f"fetching Apache Kafka {kafka_version()} into {target}", file=sys.stderr, flush=True)
        try:
            result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    timeout=FETCH_TIMEOUT_S, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(f"fetching the Kafka jars took longer than {FETCH_TIMEOUT_S:g} s") from None
        if result.returncode != 0 or not any(staging.glob("kafka_2.13-*.jar")):
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(f"mvn could not fetch the Kafka jars:\n{result.stdout[-4000:]}")
        (staging / ".complete").write_text(kafka_version() + "\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def metadata_ready(bootstrap: str, timeout: float = 2.0) -> bool:
    """Whether the broker at ``bootstrap`` answers a metadata request naming at least one broker."""
    from confluent_kafka.admin import AdminClient  # the project's dependency
    from confluent_kafka import KafkaException

    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, "logger": _SilentLogger()})
    try:
        return bool(admin.list_topics(timeout=timeout).brokers)
    except KafkaException:
        return False


class _SilentLogger:
    """Swallows librdkafka's log lines while the broker is still starting."""

    def log(self, *args: object, **kwargs: object) -> None:
        pass

    def __getattr__(self, name: str) -> object:
        return self.log


class KafkaBroker:
    """One broker process: ``start()``, ``stop()``, and ``start()`` again on the same port and data.

    ``data_dir=None`` makes a temporary directory, removed by :meth:`cleanup`.
    """

    def __init__(self, port: int | None = None, data_dir: str | os.PathLike[str] | None = None,
                 heap: str = HEAP) -> None:
        self.port = port or free_port()
        self.controller_port = free_port()
        self._own_dir = data_dir is None
        self.directory = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="kafka-broker-"))
        self.heap = heap
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.directory / "broker.log"

    def _write_config(self) -> Path:
        data = self.directory / "data"
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(data),
            "num.partitions": "1",
            "auto.create.topics.enable": "true",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "2",
            "background.threads": "2",
            "num.recovery.threads.per.data.dir": "1",
            "log.segment.bytes": str(64 << 20),
            "log.index.size.max.bytes": str(1 << 20),
            "controlled.shutdown.enable": "true",
        }
        config = self.directory / "server.properties"
        config.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
        (self.directory / "log4j.properties").write_text(_LOG4J.format(log=self.log_file))
        return config

    def _java(self, main: str, *args: str) -> list[str]:
        libs = fetch(quiet=True)
        return [
            "java", self.heap, "-Xms64m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self.directory / 'log4j.properties'}",
            "-cp", f"{libs}/*", main, *args,
        ]

    def _format(self, config: Path) -> None:
        if (self.directory / "data" / "meta.properties").exists():
            return  # a restart keeps the data
        result = subprocess.run(
            self._java("kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(config)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL, timeout=120,
        )
        if result.returncode != 0:
            raise BrokerError(f"formatting the broker's storage failed:\n{result.stdout[-4000:]}")

    def start(self, timeout: float = START_TIMEOUT_S) -> str:
        """Start (or restart) the broker; returns its bootstrap address once it serves metadata."""
        if self.process is not None and self.process.poll() is None:
            return self.bootstrap
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        self._format(config)
        with open(self.directory / "stdout.log", "ab") as output:
            self.process = subprocess.Popen(
                self._java("kafka.Kafka", str(config)), stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not metadata_ready(self.bootstrap, timeout=1.0):
            if self.process.poll() is not None:
                raise BrokerError(f"the Kafka broker exited with status {self.process.returncode}:\n{self.output_tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise BrokerError(f"the Kafka broker did not answer within {timeout:g} s:\n{self.output_tail()}")
            time.sleep(0.2)
        return self.bootstrap

    def output_tail(self, size: int = 4000) -> str:
        text = ""
        for name in ("stdout.log", "broker.log"):
            with contextlib.suppress(OSError):
                text += (self.directory / name).read_text(errors="replace")[-size:]
        return text

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop the broker cleanly (SIGTERM: controlled shutdown), killing it after ``timeout``."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """Stop the broker at once (SIGKILL)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def cleanup(self) -> None:
        """Stop, and remove the data directory if this object made it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> KafkaBroker:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


# -- command line ----------------------------------------------------------------------------


def _wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _command_start(args: argparse.Namespace) -> int:
    state = Path(args.state)
    if state.exists():
        print(f"a broker started earlier is recorded in {state}; run 'stop' first", file=sys.stderr)
        return 1
    broker = KafkaBroker(args.port, args.data_dir)
    broker.start()
    assert broker.process is not None
    state.write_text(json.dumps({
        "pid": broker.process.pid, "bootstrap": broker.bootstrap, "directory": str(broker.directory),
        "remove_directory": args.data_dir is None,
    }))
    print(broker.bootstrap, flush=True)
    return 0


def _command_stop(args: argparse.Namespace) -> int:
    state = Path(args.state)
    try:
        recorded = json.loads(state.read_text())
    except FileNotFoundError:
        print(f"no broker recorded in {state}", file=sys.stderr)
        return 1
    pid = int(recorded["pid"])
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        if not _wait_for_exit(pid, STOP_TIMEOUT_S):
            os.kill(pid, signal.SIGKILL)
            _wait_for_exit(pid, STOP_TIMEOUT_S)
    if recorded.get("remove_directory"):
        shutil.rmtree(recorded["directory"], ignore_errors=True)
    state.unlink()
    print(f"stopped the broker at {recorded['bootstrap']}")
    return 0


def _command_run(args: argparse.Namespace) -> int:
    broker = KafkaBroker(args.port, args.data_dir)
    stop = False

    def request_stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    try:
        print(broker.start(), flush=True)
        assert broker.process is not None
        while not stop and broker.process.poll() is None:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        broker.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch", help="download the broker's jars with Maven")
    for name, text in (("start", "start in the background and print the bootstrap address"),
                       ("run", "run in the foreground until Ctrl+C")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--port", type=int, help="listener port (default: a free one)")
        command.add_argument("--data-dir", help="data directory (default: a fresh temporary one)")
    commands.add_parser("stop", help="stop the broker 'start' started")
    for command in commands.choices.values():
        command.add_argument("--state", default=str(STATE_FILE), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            print(fetch())
            return 0
        return {"start": _command_start, "stop": _command_stop, "run": _command_run}[args.command](args)
    except BrokerError as exc:
        print(f"kafka_broker: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
