"""Buffering and interpolation (sample reader + data reader) against plain Python.

What is measured
================

The workload is a historic session of ``--parameters`` parameters (default 100) sampled at
1 kHz for ``--seconds`` seconds of data (default 10), in ``PeriodicData`` packets of 100
samples per parameter (0.1 s; parameter identifiers inline), built once beforehand.

``numpy pipeline``
    a :class:`ReplayPacketReader` feeding a :class:`SampleReaderService` (3,000 ms window,
    5 % sliding, reading merge), feeding a :class:`DataReaderService` with three
    subscriptions on every parameter at 10 Hz, 100 Hz and 1 kHz (the default processor:
    first, last, min, max, mean, count, last value held in empty intervals; 10 Hz delivery).
    The batch handlers read each batch's ``count`` array.
``pure Python``
    the same computation written straightforwardly: ``Packet``/``PeriodicDataPacket``
    parsed with protobuf, samples appended per parameter to lists of ``(time, value)``,
    sorted and emitted with the same window rule, then, per subscription and sample, the
    interval's running first/last/min/max/sum/count in a dict, and one result tuple per
    parameter and interval (the held last value where an interval is empty).

Both are checked to give the same counts and means first. Rounds (``--repeats``) alternate
the two; the **median** time is reported with the range.

Reading the output
==================

``samples/s`` counts the samples in the packets (parameters x 1,000 x seconds) over the time
from the first packet handed to the reader to the session's last batch. The last line is
``ratio R``: numpy pipeline samples/s over pure Python samples/s (target >= 10).

Run ``python bench/buffering_interpolation.py`` from the repository root (about 30 s on 2
cores); ``--quick`` for a smoke run of a few seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration  # noqa: E402
from ma_support_lib.contracts.interpolation.batch_result import BatchResult  # noqa: E402
from ma_support_lib.contracts.interpolation.i_batch_result_handler import IBatchResultHandler  # noqa: E402
from ma_support_lib.core.base.logger import Logger  # noqa: E402
from ma_support_lib.packets import periodic_packet, wrap_packet  # noqa: E402
from ma_support_lib.processing import DataReaderService, ReplayPacketReader, SampleReaderService  # noqa: E402
from ma_support_lib.processing.formats import FormatResolver  # noqa: E402
from ma_support_lib.protos import open_data_pb2  # noqa: E402

START_NS = 1_700_000_000_000_000_000
INTERVAL_NS = 1_000_000  # 1 kHz
PER_PACKET = 100
WINDOW_MS, SLIDING_PERCENT = 3000, 5
FREQUENCIES_HZ = (10.0, 100.0, 1000.0)
TARGET_RATIO = 10.0


def workload(parameters: int, seconds: int) -> tuple[list[str], list[bytes]]:
    identifiers = [f"P{index}:Bench" for index in range(parameters)]
    rng = np.random.default_rng(5)
    packets = []
    for start in range(0, seconds * 1000, PER_PACKET):
        values = rng.normal(0.0, 1.0, size=(parameters, PER_PACKET))
        content = periodic_packet(identifiers, START_NS + start * INTERVAL_NS, INTERVAL_NS, values)
        packets.append(wrap_packet("PeriodicData", content, "bench"))
    return identifiers, packets


# -- the library --------------------------------------------------------------------------------


class CountingHandler(IBatchResultHandler):
    def __init__(self) -> None:
        self.results = 0
        self.tables: list[Any] = []

    def handle(self, batch_result: BatchResult) -> None:
        assert batch_result.table is not None
        self.results += int(batch_result.table.statistics["count"].size)
        self.tables.append(batch_result.table)


def run_numpy(identifiers: list[str], packets: list[bytes]) -> tuple[float, dict[float, CountingHandler]]:
    logger = Logger()
    reader = ReplayPacketReader(logger)
    samples = SampleReaderService(BufferingConfiguration(identifiers, WINDOW_MS, SLIDING_PERCENT), FormatResolver(None, logger), logger)
    data = DataReaderService(logger)
    samples.set_reader_service(reader)
    data.set_sample_reader_service(samples)
    handlers = {frequency: CountingHandler() for frequency in FREQUENCIES_HZ}
    for frequency, handler in handlers.items():
        assert data.subscribe(f"{frequency:g} Hz", identifiers, frequency, handler).success
    for service in (data, samples, reader):
        service.initialise()
        service.start()
    began = time.perf_counter()
    reader.replay("Default", "bench", packets)
    elapsed = time.perf_counter() - began
    for service in (reader, samples, data):
        service.stop()
    return elapsed, handlers


# -- the straightforward implementation ------------------------------------------------------------


class PurePython:
    """Window buffering and per-interval statistics with Python lists and dicts."""

    def __init__(self, identifiers: list[str]) -> None:
        self.wanted = set(identifiers)
        self.identifiers = identifiers
        self.buffer: dict[str, list[tuple[int, float]]] = {name: [] for name in identifiers}
        self.window, self.step = WINDOW_MS * 1_000_000, WINDOW_MS * 1_000_000 * SLIDING_PERCENT // 100
        self.front: int | None = None
        self.oldest: int | None = None
        self.emitted: int | None = None
        self.periods = [round(1e9 / f) for f in FREQUENCIES_HZ]
        self.open: list[dict[str, list[Any]]] = [{} for _ in FREQUENCIES_HZ]  # name -> [start, first, last, min, max, sum, count]
        self.held: list[dict[str, float]] = [{} for _ in FREQUENCIES_HZ]
        self.results: list[list[tuple[Any, ...]]] = [[] for _ in FREQUENCIES_HZ]

    def packet(self, data: bytes) -> None:
        packet = open_data_pb2.Packet.FromString(data)
        if packet.type != "PeriodicData":
            return
        content = open_data_pb2.PeriodicDataPacket.FromString(packet.content)
        names = list(content.data_format.parameter_identifiers.parameter_identifiers)
        for name, column in zip(names, content.columns):
            if name not in self.wanted:
                continue
            stamp = content.start_time
            target = self.buffer[name]
            for sample in column.double_samples.samples:
                if self.emitted is None or stamp >= self.emitted:
                    target.append((stamp, sample.value))
                    self.front = stamp if self.front is None else max(self.front, stamp)
                    self.oldest = stamp if self.oldest is None else min(self.oldest, stamp)
                stamp += content.interval
        if self.front is not None and self.oldest is not None:
            end = self.front - self.window
            start = self.oldest if self.emitted is None else self.emitted
            if end - start >= self.step:
                self.emit(end)

    def emit(self, end: int | None) -> None:
        for name in self.identifiers:
            pending = sorted(self.buffer[name])
            cut = len(pending) if end is None else next((i for i, (t, _) in enumerate(pending) if t >= end), len(pending))
            self.buffer[name] = pending[cut:]
            for index, period in enumerate(self.periods):
                for stamp, value in pending[:cut]:
                    self.add(index, period, name, stamp, value)
        if end is not None:
            self.emitted = end

    def add(self, index: int, period: int, name: str, stamp: int, value: float) -> None:
        start = stamp - stamp % period
        current = self.open[index].get(name)
        if current is not None and current[0] != start:
            self.close(index, period, name, current, start)
            current = None
        if current is None:
            self.open[index][name] = [start, value, value, value, value, value, 1]
            return
        current[2] = value
        current[3] = min(current[3], value)
        current[4] = max(current[4], value)
        current[5] += value
        current[6] += 1

    def close(self, index: int, period: int, name: str, current: list[Any], next_start: int | None) -> None:
        start, first, last, low, high, total, count = current
        self.results[index].append((name, start, first, last, low, high, total / count, count, False))
        self.held[index][name] = last
        if next_start is not None:
            for empty in range(start + period, next_start, period):
                self.results[index].append((name, empty, last, last, last, last, last, 0, True))

    def finish(self) -> None:
        self.emit(None)
        for index, period in enumerate(self.periods):
            for name, current in list(self.open[index].items()):
                self.close(index, period, name, current, None)
            self.open[index].clear()


def run_python(identifiers: list[str], packets: list[bytes]) -> tuple[float, PurePython]:
    engine = PurePython(identifiers)
    began = time.perf_counter()
    for packet in packets:
        engine.packet(packet)
    engine.finish()
    return time.perf_counter() - began, engine


def check(identifiers: list[str], handlers: dict[float, CountingHandler], engine: PurePython) -> None:
    """Both give the same counts and means on every subscription."""
    for index, frequency in enumerate(FREQUENCIES_HZ):
        tables = handlers[frequency].tables
        counts = np.concatenate([t.statistics["count"] for t in tables])
        means = np.concatenate([t.statistics["mean"] for t in tables])
        position = {name: p for p, name in enumerate(identifiers)}
        rows = {int(s): k for k, s in enumerate(np.concatenate([t.interval_starts for t in tables]).tolist())}
        expected = engine.results[index]
        if len(expected) != counts.size:
            raise SystemExit(f"{frequency:g} Hz: {counts.size} results, the pure Python version has {len(expected)}")
        for name, start, _, _, _, _, mean, count, _ in expected:
            k, p = rows[start], position[name]
            if counts[k, p] != count or not np.isclose(means[k, p], mean, rtol=1e-12, atol=1e-12):
                raise SystemExit(f"{frequency:g} Hz: results differ for {name} at {start}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--parameters", type=int, default=100, help="parameters at 1 kHz (default 100)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of data (default 10)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of each (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 parameters, 3 s, 1 round")
    args = parser.parse_args(argv)
    if args.quick:
        args.parameters, args.seconds, args.repeats = 20, 3, 1
    if min(args.parameters, args.seconds, args.repeats) < 1:
        print("--parameters, --seconds and --repeats must be positive", file=sys.stderr)
        return 2
    identifiers, packets = workload(args.parameters, args.seconds)
    samples = args.parameters * args.seconds * 1000
    _, handlers = run_numpy(identifiers, packets)
    _, engine = run_python(identifiers, packets)
    check(identifiers, handlers, engine)
    times: dict[str, list[float]] = {"numpy pipeline": [], "pure Python": []}
    for _ in range(args.repeats):
        times["numpy pipeline"].append(run_numpy(identifiers, packets)[0])
        times["pure Python"].append(run_python(identifiers, packets)[0])
    print()
    print(f"{args.parameters} parameters x 1 kHz x {args.seconds} s = {samples:,} samples in {len(packets)} packets; "
          f"subscriptions {', '.join(f'{f:g} Hz' for f in FREQUENCIES_HZ)}")  # fmt: skip
    print(f"{'case':<16} {'seconds':>8} {'samples/s':>14}  range (samples/s)")
    rates = {}
    for name, values in times.items():
        median = statistics.median(values)
        rates[name] = samples / median
        print(f"{name:<16} {median:>8.2f} {samples / median:>14,.0f}  {samples / max(values):,.0f} - {samples / min(values):,.0f}")
    ratio = rates["numpy pipeline"] / rates["pure Python"]
    print()
    print(f"numpy/pure Python  {ratio:.1f}  (target >= {TARGET_RATIO:.0f})")
    print(f"ratio {ratio:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
