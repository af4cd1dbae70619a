"""Round trip through the support library: write_data to a reader's handler, on memory://.

What is measured
================

Everything runs in this one process: the library is bootstrapped on ``memory://``, so it
starts its own Stream API server in a background thread, and a session manager, a packet
writer and a ``LIVE`` packet reader (data source ``Default``, any session) are created and
started on it, as in the official samples. One session is created; the reader's handler notes
when each packet reaches it.

The packets are ``PeriodicData`` packets like the official sample's: one parameter, 100
double samples (a sine wave) at 1 kHz. The ``PeriodicDataPacket`` content is built once; every
packet is the same ``Packet`` with its own ``id``, all serialized before any timing starts.

``library``
    ``write_data`` of ``--packets`` packets as fast as the loop goes, to data source
    ``Default``, stream ``Stream1``, the session's key. The time runs from the first
    ``write_data`` call until the handler has been given the last packet (end to end: the
    writer's queue and batched ``WriteDataPackets`` stream, the server, ``ReadPackets`` and
    the reader's thread). The handler checks that the ids arrive in order, each once.
``baseline``
    what the raw gRPC samples do: a loop of unary ``PacketWriterService/WriteDataPacket``
    calls through the generated stub, over a channel of its own to the same server, one
    packet per call (``--unary`` calls; the requests are built before the timing starts).
    The time runs until the last call has returned, that is until every packet is stored.
    It writes to another data source, so the reader is not handed these packets.

Both are run ``--repeats`` times, interleaved, after a warm-up; the **median** is reported,
with the range beside it. The target is library >= 20 x baseline.

Live latency: ``write_data`` paced at ``--rate`` packets/s (default 1,000) for
``--seconds`` seconds (default 10; each write is scheduled at its own time, not after a
sleep, so the rate holds). Ten seconds, because a virtual machine that stalls for 20 ms
once (the pacing lag shows it) delays some 20-40 packets: 1 % of a 3 s run, so one stall
decides a short run's p99. The send time of a packet is taken just after its
``write_data`` call returned; the receive time when the handler is called for it (both
``time.perf_counter``, keyed by packet id). Reported: p50, p99 and max of the difference
(target p99 <= 10 ms), and how late the pacing loop was behind its schedule at worst.

Reading the output
==================

A table of packets/s, samples/s (100 per packet) and MB/s (serialized ``Packet`` bytes,
10^6 bytes) for both cases, and ``CPU us/pkt``: the CPU time of the whole process (every
thread: writer, server, reader) per packet, median of the rounds. On a busy machine the
rates move with the load; the CPU column much less. Then the latency figures, and as the
very last line, for scripts, ``ratio R``: library packets/s / baseline packets/s (medians).

Run ``python bench/support_lib_roundtrip.py`` from the repository root (about 30 s on
2 cores), ``--quick`` for a smoke run of a few seconds, ``--packets N`` and ``--unary N``
for the packets per round of each case, ``--repeats N`` for the rounds, ``--rate R`` and
``--seconds S`` for the latency run. The library (and with it the server) is stopped on
exit, on Ctrl+C and on SIGTERM.
"""

from __future__ import annotations

import argparse
import math
import signal
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402

from ma_support_lib.contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration  # noqa: E402
from ma_support_lib.contracts.packet_reading.packet_reading_type import PacketReadingType  # noqa: E402
from ma_support_lib.contracts.packet_reading.received_packet_dto import ReceivedPacketDto  # noqa: E402
from ma_support_lib.contracts.packet_writing.packet_bytes import PacketBytes  # noqa: E402
from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo  # noqa: E402
from ma_support_lib.contracts.shared.api_result import ApiResult  # noqa: E402
from ma_support_lib.contracts.shared.i_handler import IHandler  # noqa: E402
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration  # noqa: E402
from ma_support_lib.contracts.shared.stream_creation_strategy import StreamCreationStrategy  # noqa: E402
from ma_support_lib.core.base.logger import Logger  # noqa: E402
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper  # noqa: E402
from ma_support_lib.protos import api_pb2, api_pb2_grpc, open_data_pb2  # noqa: E402

T = TypeVar("T")

DATA_SOURCE = "Default"
BASELINE_DATA_SOURCE = "BenchBaseline"
STREAM = "Stream1"
SAMPLES_PER_PACKET = 100
FREQUENCY_HZ = 1_000
PARAMETER = "vCar:Chassis"

DEFAULT_PACKETS = 50_000
DEFAULT_UNARY = 2_000
DEFAULT_REPEATS = 3
DEFAULT_RATE = 1_000
DEFAULT_SECONDS = 10.0
QUICK_PACKETS = 5_000
QUICK_UNARY = 300
QUICK_SECONDS = 1.0
WARMUP_PACKETS = 1_000

#: Longest wait for the handler to be given everything written.
RECEIVE_TIMEOUT_S = 120.0
#: Deadline of one unary baseline call.
CALL_TIMEOUT_S = 30.0


# -- workload --------------------------------------------------------------------------------


def periodic_content(first_timestamp: int) -> bytes:
    """A serialized ``PeriodicDataPacket``: one parameter, 100 double samples of a sine wave."""
    valid = open_data_pb2.DATA_STATUS_VALID
    samples = [
        open_data_pb2.DoubleSample(value=math.sin(2 * math.pi * i / SAMPLES_PER_PACKET), status=valid)
        for i in range(SAMPLES_PER_PACKET)
    ]
    content = open_data_pb2.PeriodicDataPacket(
        data_format=open_data_pb2.SampleDataFormat(
            parameter_identifiers=open_data_pb2.ParameterList(parameter_identifiers=[PARAMETER])
        ),
        start_time=first_timestamp,
        interval=1_000_000_000 // FREQUENCY_HZ,
        columns=[open_data_pb2.SampleColumn(double_samples=open_data_pb2.DoubleSampleList(samples=samples))],
    )
    return content.SerializeToString()


class PacketFactory:
    """Serialized ``Packet``s that differ only in ``id`` (numbered from 1, across the whole run)."""

    def __init__(self, session_key: str) -> None:
        self._template = open_data_pb2.Packet(
            type="PeriodicData", session_key=session_key, content=periodic_content(time.time_ns())
        )
        self._next_id = 1

    def take(self, count: int) -> tuple[int, list[bytes]]:
        """The first id and ``count`` serialized packets with consecutive ids."""
        first = self._next_id
        self._next_id += count
        packet = self._template
        out = []
        for packet_id in range(first, first + count):
            packet.id = packet_id
            out.append(packet.SerializeToString())
        return first, out


# -- the reader's handler ---------------------------------------------------------------------


class RecordingHandler(IHandler[ReceivedPacketDto]):
    """Notes when each packet arrives; wakes a waiter once the expected id has arrived.

    Packets are expected in id order, each once; anything else is counted in ``disorder``.
    """

    def __init__(self) -> None:
        self.received: dict[int, float] = {}
        self.disorder = 0
        self._next_id = 0
        self._until = 0
        self._reached = threading.Event()

    def expect(self, first_id: int, last_id: int) -> threading.Event:
        """Get ready for packets ``first_id`` to ``last_id``; the event is set once the last is in."""
        self._reached.clear()
        self._next_id = first_id
        self._until = last_id
        return self._reached

    def handle(self, dto: ReceivedPacketDto) -> None:
        now = time.perf_counter()
        packet = open_data_pb2.Packet.FromString(dto.packet_bytes.data)
        if packet.type != "PeriodicData":
            return
        pid = packet.id
        if pid in self.received or pid != self._next_id:
            self.disorder += 1
        self.received[pid] = now
        self._next_id = pid + 1
        if pid == self._until:
            self._reached.set()


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Rounds:
    """Wall-clock and process CPU seconds of each round of one case."""

    count: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def rate(self) -> float:
        return _rate(self.count, statistics.median(self.wall))

    def cpu_us(self) -> float:
        """Median process CPU time per packet (every thread: client, server and reader)."""
        return statistics.median(self.cpu) / self.count * 1e6


@dataclass
class Latency:
    milliseconds: list[float] = field(default_factory=list)
    lost: int = 0
    pacing_lag_ms: float = 0.0


def _data(result: ApiResult[T], action: str) -> T:
    if not result.success or result.data is None:
        raise RuntimeError(f"{action} failed: {result.message}")
    return result.data


class Bench:
    """The library on ``memory://`` with a writer, a live reader and one session, plus a
    plain gRPC channel to the same server for the baseline; all closed with ``stack``."""

    def __init__(self, stack: ExitStack) -> None:
        config = StreamingApiConfiguration("memory://", StreamCreationStrategy.TOPIC_BASE, [], 10)
        lib = SupportLibraryBootstrapper.bootstrap(config, Logger()).create()
        stack.callback(lib.stop)
        lib.initialise()
        lib.start()
        sessions = _data(lib.get_session_manager_api().create_service(), "create the session service")
        sessions.initialise()
        sessions.start()
        self.writer = _data(lib.get_writing_packet_api().create_service(), "create the writer")
        self.writer.initialise()
        self.writer.start()
        reading = PacketReadingConfiguration("", 30, False, DATA_SOURCE, "*", PacketReadingType.LIVE, [])
        reader = _data(lib.get_reading_packet_api().create_service_with_config(reading), "create the reader")
        reader.initialise()
        reader.start()
        self.handler = RecordingHandler()
        reader.set_handler(self.handler)
        creation = SessionCreationInfo(DATA_SOURCE, "Bench", "Session", 1, None, [], [])
        self.session_key = _data(sessions.create_new_session(creation), "create_new_session").session_key
        self.address = str(getattr(lib.backend, "address"))
        channel = stack.enter_context(grpc.insecure_channel(self.address))
        grpc.channel_ready_future(channel).result(timeout=CALL_TIMEOUT_S)
        self.stub = api_pb2_grpc.PacketWriterServiceStub(channel)  # type: ignore[no-untyped-call]
        self.factory = PacketFactory(self.session_key)

    def write(self, data: bytes) -> None:
        result = self.writer.write_data(DATA_SOURCE, STREAM, self.session_key, PacketBytes(data))
        if not result.success:
            raise RuntimeError(f"write_data failed: {result.message}")

    def library_round(self, count: int, rounds: Rounds | None = None) -> None:
        """``count`` packets from the first ``write_data`` until the handler has the last."""
        first, packets = self.factory.take(count)
        done = self.handler.expect(first, first + count - 1)
        write = self.write
        cpu, start = time.process_time(), time.perf_counter()
        for data in packets:
            write(data)
        if not done.wait(RECEIVE_TIMEOUT_S):
            raise RuntimeError(f"the handler was not given every packet within {RECEIVE_TIMEOUT_S:g} s")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        missing = sum(1 for pid in range(first, first + count) if pid not in self.handler.received)
        if missing:
            raise RuntimeError(f"{missing} packet(s) never reached the handler")
        if rounds is not None:
            rounds.wall.append(wall)
            rounds.cpu.append(cpu)

    def baseline_round(self, count: int, rounds: Rounds | None = None) -> None:
        """``count`` sequential unary ``WriteDataPacket`` calls, as the raw gRPC samples write."""
        _, packets = self.factory.take(count)
        requests = [
            api_pb2.WriteDataPacketRequest(
                detail=api_pb2.DataPacketDetails(
                    message=open_data_pb2.Packet.FromString(data),
                    data_source=BASELINE_DATA_SOURCE,
                    stream=STREAM,
                    session_key=self.session_key,
                )
            )
            for data in packets
        ]
        call = self.stub.WriteDataPacket
        cpu, start = time.process_time(), time.perf_counter()
        for request in requests:
            call(request, timeout=CALL_TIMEOUT_S)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if rounds is not None:
            rounds.wall.append(wall)
            rounds.cpu.append(cpu)

    def latency(self, rate: float, seconds: float) -> Latency:
        """``write_data`` paced at ``rate``; the time from its return to the handler's call."""
        count = max(1, int(rate * seconds))
        first, packets = self.factory.take(count)
        done = self.handler.expect(first, first + count - 1)
        sent: list[float] = []
        period = 1.0 / rate
        lag = 0.0
        start = time.perf_counter()
        for index, data in enumerate(packets):
            due = start + index * period  # a schedule, so one late write does not slow the rest
            now = time.perf_counter()
            if now < due:
                time.sleep(due - now)
            else:
                lag = max(lag, now - due)
            self.write(data)
            sent.append(time.perf_counter())
        done.wait(RECEIVE_TIMEOUT_S)
        result = Latency(pacing_lag_ms=lag * 1e3)
        received = self.handler.received
        for packet_id, sent_at in enumerate(sent, start=first):
            arrived = received.get(packet_id)
            if arrived is None:
                result.lost += 1
            else:
                result.milliseconds.append((arrived - sent_at) * 1e3)
        return result


def run(packets: int, unary: int, repeats: int, rate: float, seconds: float) -> float:
    """Measure, print the table and the latency figures; return the library/baseline ratio."""
    t0 = time.perf_counter()
    with ExitStack() as stack:
        bench = Bench(stack)
        print(f"library on memory:// (server at {bench.address}), session {bench.session_key}", flush=True)
        # warm-up: the reader finds the session and its stream; both paths run once
        bench.library_round(WARMUP_PACKETS)
        bench.baseline_round(min(unary, WARMUP_PACKETS // 5))
        library, baseline = Rounds(packets), Rounds(unary)
        for round_ in range(repeats):
            bench.library_round(packets, library)
            bench.baseline_round(unary, baseline)
            print(
                f"round {round_ + 1}/{repeats}  library {_rate(packets, library.wall[-1]):>10,.0f} packets/s"
                f"  baseline {_rate(unary, baseline.wall[-1]):>8,.0f} packets/s",
                flush=True,
            )
        latency = bench.latency(rate, seconds)
        disorder = bench.handler.disorder
        packet_bytes = len(bench.factory.take(1)[1][0])
    print(f"total {time.perf_counter() - t0:.1f} s")
    return report(library, baseline, latency, disorder, packet_bytes, rate, seconds)


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def report(
    library: Rounds, baseline: Rounds, latency: Latency, disorder: int, packet_bytes: int, rate: float, seconds: float
) -> float:
    """Print the table and the latency figures; return the library/baseline ratio."""
    print()
    print(
        f"PeriodicData packets of 1 parameter x {SAMPLES_PER_PACKET} doubles, {packet_bytes:,} bytes; "
        f"median of {len(library.wall)} rounds"
    )
    print(f"{'case':<10} {'packets/s':>12} {'samples/s':>14} {'MB/s':>8} {'CPU us/pkt':>11}  range (packets/s)")
    for label, rounds, what in (
        ("library", library, "write_data -> handler"),
        ("baseline", baseline, "unary WriteDataPacket calls"),
    ):
        packets_per_s = rounds.rate()
        low, high = _rate(rounds.count, max(rounds.wall)), _rate(rounds.count, min(rounds.wall))
        print(
            f"{label:<10} {packets_per_s:>12,.0f} {packets_per_s * SAMPLES_PER_PACKET:>14,.0f} "
            f"{packets_per_s * packet_bytes / 1e6:>8,.2f} {rounds.cpu_us():>11,.1f}  "
            f"{low:,.0f} - {high:,.0f}  ({rounds.count:,} {what})"
        )
    ratio = library.rate() / baseline.rate()
    print()
    print(f"library/baseline  {ratio:.1f}  (target >= 20)")
    print()
    values = latency.milliseconds
    print(f"live latency, write_data return -> handler: {rate:,.0f} packets/s for {seconds:g} s ({len(values):,} packets)")
    if values:
        print(
            f"p50 {_percentile(values, 0.50):.2f} ms  p99 {_percentile(values, 0.99):.2f} ms  "
            f"max {max(values):.2f} ms  (target p99 <= 10 ms)"
        )
    print(f"lost {latency.lost}, out of order {disorder}, pacing behind schedule at worst {latency.pacing_lag_ms:.2f} ms")
    return ratio


# -- command line ------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--packets", type=int, help=f"packets per library round (default {DEFAULT_PACKETS:,})")
    parser.add_argument("--unary", type=int, help=f"unary calls per baseline round (default {DEFAULT_UNARY:,})")
    parser.add_argument("--repeats", type=int, help=f"rounds of each; the median is reported (default {DEFAULT_REPEATS})")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help=f"packets/s of the latency run (default {DEFAULT_RATE:,})")
    parser.add_argument("--seconds", type=float, help=f"length of the latency run (default {DEFAULT_SECONDS:g})")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl+C, so the library and its server are stopped."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    packets = args.packets if args.packets is not None else (QUICK_PACKETS if args.quick else DEFAULT_PACKETS)
    unary = args.unary if args.unary is not None else (QUICK_UNARY if args.quick else DEFAULT_UNARY)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else DEFAULT_REPEATS)
    seconds = args.seconds if args.seconds is not None else (QUICK_SECONDS if args.quick else DEFAULT_SECONDS)
    if packets <= 0 or unary <= 0 or repeats <= 0 or args.rate <= 0 or seconds <= 0:
        print("--packets, --unary, --repeats, --rate and --seconds must be positive", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        ratio = run(packets, unary, repeats, args.rate, seconds)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print(f"ratio {ratio:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
