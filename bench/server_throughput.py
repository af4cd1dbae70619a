"""Write and read throughput of the Stream API server, against a do-nothing gRPC baseline.

What is measured
================

The workload is ``PacketWriterService/WriteDataPackets`` client streaming: requests of 100
``PeriodicData`` packets, each packet carrying 10 parameters x 100 double samples (about
13 KB serialized). Every request is serialized once, up front, and the very same bytes are
sent in every case, through a stub whose request serializer passes bytes through, so the
client does the same work whatever server it talks to.

Three servers are measured, each in its own process (the client is this process):

``baseline``
    a bare ``grpc.aio`` server (this script with ``--baseline-server``) whose
    ``WriteDataPackets`` deserializes each request as a ``WriteDataPacketsRequest``, as any
    servicer would, and discards it, and whose ``ReadPackets`` streams one pre-serialized
    response (the first packet) over and over: what the same Python gRPC stack costs when
    the servicer does no work of its own.
``memory``
    the Stream API server (``python -m ma_support_lib.server.cli serve``) over ``memory://``.
``file``
    the same over ``file://<temporary directory>`` with the default durability
    (``fsync=always``: a write is acknowledged only once it is on stable storage).

Write rate: time from the first request sent until the ``WriteDataPackets`` response
arrives, that is until every packet is acknowledged. Each case is first warmed up with a
write of 2,000 packets to another data source, then written ``--repeats`` times (default 5;
rounds interleave the cases so that machine noise hits all of them alike) and the
**median** is reported, with the min-max range beside it. Each round writes the same
packets again to the same data source.

Read rate: ``ConnectionManagerService/NewConnection`` (data source, session key,
``main_offset=0``) then ``PacketReaderService/ReadPackets``, counting ``PacketResponse``
messages until ``--packets`` have arrived (the first round's packets), then cancelling. The
first packet read back is checked byte for byte against the first one written. Measured
once per case: with the default ``BatchingResponses=false`` every packet is a gRPC message
of its own, so this rate is bound by per-message gRPC costs in the server and the client.

Unary rate: sequential ``WriteDataPacket`` calls of one packet each, baseline and memory.

Reading the output
==================

``packets/s`` counts packets, ``samples/s`` double samples (1,000 per packet) and ``MB/s``
serialized ``Packet`` bytes (10^6 bytes); ``range`` is the slowest and fastest write round.
The ratios divide the server's rate by the baseline's (write targets: memory >= 0.5,
file >= 0.3). The last line, for scripts, is ``ratio R``: the memory/baseline write ratio.

Run ``python bench/server_throughput.py`` (25-45 s on 2 cores), ``--quick`` for a smoke
run, ``--packets N`` to choose the volume, ``--repeats N`` the write rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
from google.protobuf.message import Message  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from ma_support_lib.protos import api_pb2, open_data_pb2  # noqa: E402
from ma_support_lib.testing import ServerProcess  # noqa: E402

SERVICE = "ma.streaming.api.v1"
WRITE_DATA_PACKETS = f"/{SERVICE}.PacketWriterService/WriteDataPackets"
WRITE_DATA_PACKET = f"/{SERVICE}.PacketWriterService/WriteDataPacket"
NEW_CONNECTION = f"/{SERVICE}.ConnectionManagerService/NewConnection"
CLOSE_CONNECTION = f"/{SERVICE}.ConnectionManagerService/CloseConnection"
READ_PACKETS = f"/{SERVICE}.PacketReaderService/ReadPackets"

DATA_SOURCE = "BenchCar"
WARMUP_DATA_SOURCE = "BenchWarmup"
UNARY_DATA_SOURCE = "BenchUnary"
SESSION_KEY = "bench-session-0001"
PACKETS_PER_REQUEST = 100
PARAMETERS = 10
SAMPLES_PER_COLUMN = 100
SAMPLES_PER_PACKET = PARAMETERS * SAMPLES_PER_COLUMN
#: Distinct sample blocks cycled through, so packets differ without building each one.
COLUMN_VARIANTS = 16
INTERVAL_NS = 1_000_000
#: Requests written to each server (to another data source) before anything is measured, so
#: that every process has grown its heaps and buffers to their steady-state size first.
WARMUP_REQUESTS = 20

DEFAULT_PACKETS = 20_000
DEFAULT_REPEATS = 5
DEFAULT_UNARY = 2_000
QUICK_PACKETS = 500
QUICK_UNARY = 100

#: Seconds a server gets to print its listening line.
STARTUP_TIMEOUT_S = 60.0
#: Deadline of any single measured call.
CALL_TIMEOUT_S = 300.0

CHANNEL_OPTIONS = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]


# -- workload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """Pre-serialized requests and the figures needed to turn times into rates."""

    requests: list[bytes]
    warmup: list[bytes]
    unary: list[bytes]
    packets: int
    packet_bytes: int
    first_packet: bytes


def _columns(variant: int) -> list[open_data_pb2.SampleColumn]:
    valid = open_data_pb2.DATA_STATUS_VALID
    return [
        open_data_pb2.SampleColumn(
            double_samples=open_data_pb2.DoubleSampleList(
                samples=[
                    open_data_pb2.DoubleSample(value=1.0 + variant + p * 0.5 + s * 0.001, status=valid)
                    for s in range(SAMPLES_PER_COLUMN)
                ]
            )
        )
        for p in range(PARAMETERS)
    ]


def _packets(count: int) -> Iterator[open_data_pb2.Packet]:
    data_format = open_data_pb2.SampleDataFormat(
        parameter_identifiers=open_data_pb2.ParameterList(
            parameter_identifiers=[f"vBenchParam{p:02d}:Chassis" for p in range(PARAMETERS)]
        )
    )
    variants = [_columns(v) for v in range(COLUMN_VARIANTS)]
    start = 1_700_000_000_000_000_000
    for index in range(count):
        content = open_data_pb2.PeriodicDataPacket(
            data_format=data_format,
            start_time=start + index * SAMPLES_PER_COLUMN * INTERVAL_NS,
            interval=INTERVAL_NS,
            columns=variants[index % COLUMN_VARIANTS],
        )
        yield open_data_pb2.Packet(type="PeriodicData", session_key=SESSION_KEY, content=content.SerializeToString())


def _batches(packets: Sequence[open_data_pb2.Packet], data_source: str) -> list[bytes]:
    out = []
    for first in range(0, len(packets), PACKETS_PER_REQUEST):
        details = [
            api_pb2.DataPacketDetails(message=packet, data_source=data_source, session_key=SESSION_KEY)
            for packet in packets[first : first + PACKETS_PER_REQUEST]
        ]
        out.append(api_pb2.WriteDataPacketsRequest(details=details).SerializeToString())
    return out


def build_workload(packets: int, unary: int) -> Workload:
    """Serialize every request the run sends (``packets`` is rounded up to whole requests)."""
    requests = -(-packets // PACKETS_PER_REQUEST)
    built = list(_packets(requests * PACKETS_PER_REQUEST))
    unary_requests = [
        api_pb2.WriteDataPacketRequest(
            detail=api_pb2.DataPacketDetails(message=packet, data_source=UNARY_DATA_SOURCE, session_key=SESSION_KEY)
        ).SerializeToString()
        for packet in built[:unary]
    ]
    return Workload(
        requests=_batches(built, DATA_SOURCE),
        warmup=_batches(built[: WARMUP_REQUESTS * PACKETS_PER_REQUEST], WARMUP_DATA_SOURCE),
        unary=unary_requests,
        packets=len(built),
        packet_bytes=sum(packet.ByteSize() for packet in built) // len(built),
        first_packet=built[0].SerializeToString(),
    )


# -- baseline server ---------------------------------------------------------------------------


async def _serve_baseline() -> None:
    """The do-nothing servicer: writes are parsed and dropped; reads repeat one packet."""
    from ma_support_lib.server.app import MAX_RECEIVE_MESSAGE_BYTES

    first = next(_packets(1))
    response = api_pb2.ReadPacketsResponse(
        response=[api_pb2.PacketResponse(packet=first, submit_time=Timestamp(seconds=1_700_000_000))]
    ).SerializeToString()

    async def write_data_packets(requests: AsyncIterator[object], context: object) -> api_pb2.WriteDataPacketsResponse:
        async for _ in requests:
            pass
        return api_pb2.WriteDataPacketsResponse()

    async def write_data_packet(request: object, context: object) -> api_pb2.WriteDataPacketResponse:
        return api_pb2.WriteDataPacketResponse()

    async def new_connection(request: object, context: object) -> api_pb2.NewConnectionResponse:
        return api_pb2.NewConnectionResponse(connection=api_pb2.Connection(id=1))

    async def close_connection(request: object, context: object) -> api_pb2.CloseConnectionResponse:
        return api_pb2.CloseConnectionResponse(success=True)

    async def read_packets(request: object, context: object) -> AsyncIterator[bytes]:
        while True:  # until the client cancels
            yield response

    def unary(handler: Any, request_type: Any) -> grpc.RpcMethodHandler[Any, Any]:
        return grpc.unary_unary_rpc_method_handler(
            handler, request_deserializer=request_type.FromString, response_serializer=_serialize
        )

    services = {
        "PacketWriterService": {
            "WriteDataPackets": grpc.stream_unary_rpc_method_handler(
                write_data_packets,
                request_deserializer=api_pb2.WriteDataPacketsRequest.FromString,
                response_serializer=_serialize,
            ),
            "WriteDataPacket": unary(write_data_packet, api_pb2.WriteDataPacketRequest),
        },
        "ConnectionManagerService": {
            "NewConnection": unary(new_connection, api_pb2.NewConnectionRequest),
            "CloseConnection": unary(close_connection, api_pb2.CloseConnectionRequest),
        },
        "PacketReaderService": {
            "ReadPackets": grpc.unary_stream_rpc_method_handler(
                read_packets, request_deserializer=api_pb2.ReadPacketsRequest.FromString, response_serializer=_identity
            ),
        },
    }
    server = grpc.aio.server(  # the options of StreamApiServer
        options=[
            ("grpc.max_receive_message_length", MAX_RECEIVE_MESSAGE_BYTES),
            ("grpc.max_send_message_length", -1),
            ("grpc.so_reuseport", 0),
        ]
    )
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(f"{SERVICE}.{name}", methods) for name, methods in services.items()]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"Stream API listening on 127.0.0.1:{port} (do-nothing baseline)", flush=True)
    await stop.wait()
    await server.stop(0)


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


# -- server processes --------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CONFIG_PATH", "AUTO_START", "PROMETHEUS_METRIC_PORT")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _tail(server: ServerProcess, lines: int = 20) -> str:
    return "".join(server.output[-lines:])


# -- measurements --------------------------------------------------------------------------------


def _identity(data: bytes) -> bytes:
    return data


def _connect(address: str) -> grpc.Channel:
    channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
    grpc.channel_ready_future(channel).result(timeout=STARTUP_TIMEOUT_S)
    return channel


def write_stream(channel: grpc.Channel, requests: Sequence[bytes]) -> float:
    """Seconds for one ``WriteDataPackets`` call sending ``requests``, until its response."""
    call = channel.stream_unary(
        WRITE_DATA_PACKETS, request_serializer=_identity,
        response_deserializer=api_pb2.WriteDataPacketsResponse.FromString,
    )
    start = time.perf_counter()
    call(iter(requests), timeout=CALL_TIMEOUT_S)
    return time.perf_counter() - start


def write_unary(channel: grpc.Channel, requests: Sequence[bytes]) -> float:
    """Seconds for sequential ``WriteDataPacket`` calls, one per request."""
    call = channel.unary_unary(
        WRITE_DATA_PACKET, request_serializer=_identity,
        response_deserializer=api_pb2.WriteDataPacketResponse.FromString,
    )
    start = time.perf_counter()
    for request in requests:
        call(request, timeout=CALL_TIMEOUT_S)
    return time.perf_counter() - start


def reading_calls(channel: grpc.Channel, parse_response: Any) -> tuple[Any, Any, Any]:
    """``NewConnection``, ``ReadPackets`` (responses given to ``parse_response``) and
    ``CloseConnection`` on ``channel``."""
    new_connection = channel.unary_unary(
        NEW_CONNECTION, request_serializer=api_pb2.NewConnectionRequest.SerializeToString,
        response_deserializer=api_pb2.NewConnectionResponse.FromString,
    )
    close_connection = channel.unary_unary(
        CLOSE_CONNECTION, request_serializer=api_pb2.CloseConnectionRequest.SerializeToString,
        response_deserializer=api_pb2.CloseConnectionResponse.FromString,
    )
    read_packets = channel.unary_stream(
        READ_PACKETS, request_serializer=api_pb2.ReadPacketsRequest.SerializeToString, response_deserializer=parse_response,
    )
    return new_connection, read_packets, close_connection


def read_back(channel: grpc.Channel, expected: int, first_packet: bytes) -> float:
    """Seconds from ``NewConnection`` until ``ReadPackets`` delivered ``expected`` packets."""
    new_connection, read_packets, close_connection = reading_calls(channel, api_pb2.ReadPacketsResponse.FromString)
    details = api_pb2.ConnectionDetails(data_source=DATA_SOURCE, session_key=SESSION_KEY, main_offset=0)
    start = time.perf_counter()
    connection = new_connection(api_pb2.NewConnectionRequest(details=details), timeout=CALL_TIMEOUT_S).connection
    responses = read_packets(api_pb2.ReadPacketsRequest(connection=connection), timeout=CALL_TIMEOUT_S)
    count = 0
    first: bytes | None = None
    try:
        for response in responses:
            if first is None and response.response:
                first = response.response[0].packet.SerializeToString()
            count += len(response.response)
            if count >= expected:
                break
    finally:
        elapsed = time.perf_counter() - start
        responses.cancel()
        close_connection(api_pb2.CloseConnectionRequest(connection=connection), timeout=CALL_TIMEOUT_S)
    if count < expected:
        raise RuntimeError(f"ReadPackets ended after {count} of {expected} packets")
    if first != first_packet:
        raise RuntimeError("the first packet read back differs from the first packet written")
    return elapsed


# -- the run -------------------------------------------------------------------------------------


@dataclass
class CaseResult:
    """Timings of one server."""

    name: str
    writes: list[float] = field(default_factory=list)
    read: float | None = None
    unary: float | None = None


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _row(label: str, packets: int, seconds: float, packet_bytes: int, extra: str = "") -> str:
    rate = _rate(packets, seconds)
    return (
        f"{label:<16} {rate:>12,.0f} {rate * SAMPLES_PER_PACKET:>14,.0f} "
        f"{rate * packet_bytes / 1e6:>9,.1f}  {extra}"
    )


def report(workload: Workload, results: list[CaseResult], unary_count: int) -> float:
    """Print the table and ratios; return the memory/baseline write ratio."""
    n, size = workload.packets, workload.packet_bytes
    print()
    print(
        f"{n:,} packets per write ({n // PACKETS_PER_REQUEST} requests of {PACKETS_PER_REQUEST}), "
        f"{size:,} bytes and {SAMPLES_PER_PACKET:,} samples per packet; "
        f"write = median of {len(results[0].writes)}"
    )
    print(f"{'case':<16} {'packets/s':>12} {'samples/s':>14} {'MB/s':>9}  range (packets/s)")
    medians: dict[str, float] = {}
    for result in results:
        median = statistics.median(result.writes)
        medians[result.name] = median
        low, high = _rate(n, max(result.writes)), _rate(n, min(result.writes))
        print(_row(f"write {result.name}", n, median, size, f"{low:,.0f} - {high:,.0f}"))
    for result in results:
        if result.read is not None:
            print(_row(f"read {result.name}", n, result.read, size, "ReadPackets"))
    for result in results:
        if result.unary is not None:
            print(_row(f"unary {result.name}", unary_count, result.unary, size, f"{unary_count:,} WriteDataPacket calls"))
    baseline = medians["baseline"]
    memory_ratio = baseline / medians["memory"]
    print()
    print(f"write memory/baseline  {memory_ratio:.3f}  (target >= 0.5)")
    if "file" in medians:
        print(f"write file/baseline    {baseline / medians['file']:.3f}  (target >= 0.3)")
    by_name = {r.name: r for r in results}
    read_base = by_name["baseline"].read
    for name in ("memory", "file"):
        case = by_name.get(name)
        if case is not None and case.read is not None and read_base:
            print(f"read {name}/baseline{'':<{7 - len(name)}}  {read_base / case.read:.3f}")
    unary_base, unary_mem = by_name["baseline"].unary, by_name["memory"].unary
    if unary_base and unary_mem:
        print(f"unary memory/baseline  {unary_base / unary_mem:.3f}")
    return memory_ratio


def run(packets: int, repeats: int, unary: int, with_file: bool) -> float:
    """Start the servers, measure, print the table; return the memory/baseline ratio."""
    t0 = time.perf_counter()
    workload = build_workload(packets, unary)
    print(f"built {len(workload.requests)} requests in {time.perf_counter() - t0:.1f} s", flush=True)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ma-bench-")))
        serve = [sys.executable, "-m", "ma_support_lib.server.cli", "serve", "--port", "0",
                 "--host", "127.0.0.1", "--no-metrics", "--log-level", "WARNING", "--broker"]
        argvs = {
            "baseline": [sys.executable, str(Path(__file__).resolve()), "--baseline-server"],
            "memory": serve + ["memory://"],
        }
        if with_file:
            argvs["file"] = serve + [(workdir / "log").as_uri()]
        servers = {
            name: stack.enter_context(
                ServerProcess(command=argv, env=_child_env(), cwd=str(workdir), startup_timeout=STARTUP_TIMEOUT_S)
            )
            for name, argv in argvs.items()
        }
        channels = {name: stack.enter_context(_connect(server.address)) for name, server in servers.items()}
        results = [CaseResult(name) for name in servers]
        try:
            _measure(workload, results, channels, repeats)
        except grpc.RpcError:
            for name, server in servers.items():
                assert server.process is not None
                if server.process.poll() is not None:
                    print(f"{name} server exited ({server.process.returncode}):\n{_tail(server)}")
            raise
    print(f"total {time.perf_counter() - t0:.1f} s")
    return report(workload, results, len(workload.unary))


def _measure(workload: Workload, results: list[CaseResult], channels: dict[str, grpc.Channel], repeats: int) -> None:
    """Warm up, then the interleaved write rounds, the reads and the unary writes."""
    for result in results:
        write_stream(channels[result.name], workload.warmup)
    for round_ in range(repeats):
        for result in results:
            result.writes.append(write_stream(channels[result.name], workload.requests))
            print(
                f"round {round_ + 1}/{repeats} write {result.name:<8} "
                f"{_rate(workload.packets, result.writes[-1]):>10,.0f} packets/s",
                flush=True,
            )
    for result in results:
        result.read = read_back(channels[result.name], workload.packets, workload.first_packet)
    for result in results:
        if result.name in ("baseline", "memory") and workload.unary:
            result.unary = write_unary(channels[result.name], workload.unary)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--packets", type=int, help=f"packets per write measurement (default {DEFAULT_PACKETS:,})")
    parser.add_argument("--repeats", type=int, help=f"write measurements per case; the median is reported (default {DEFAULT_REPEATS})")
    parser.add_argument("--unary", type=int, help=f"sequential WriteDataPacket calls (default {DEFAULT_UNARY:,})")
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--no-file", action="store_true", help="skip the file:// case")
    parser.add_argument("--baseline-server", action="store_true", help="run the do-nothing baseline server (internal)")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl+C, so server processes and temporary files are cleaned up."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.baseline_server:
        asyncio.run(_serve_baseline())
        return 0
    packets = args.packets if args.packets is not None else (QUICK_PACKETS if args.quick else DEFAULT_PACKETS)
    repeats = args.repeats if args.repeats is not None else (2 if args.quick else DEFAULT_REPEATS)
    unary = args.unary if args.unary is not None else (QUICK_UNARY if args.quick else DEFAULT_UNARY)
    if packets <= 0 or repeats <= 0 or unary < 0:
        print("--packets and --repeats must be positive, --unary not negative", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        ratio = run(packets, repeats, min(unary, packets), with_file=not args.no_file)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print(f"ratio {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
