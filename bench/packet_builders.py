"""Sample packets built and decoded with numpy (``ma_support_lib.packets``) against the protobuf API.

What is measured
================

The workload is ``PeriodicData`` packet content: ``--parameters`` columns (default 10) of
``--samples`` double samples each (default 1,000), status ``DATA_STATUS_VALID``, a data
format id, a start time and an interval. ``--variants`` different packets (random non-zero
values) are cycled through.

``build protobuf``
    the usual protobuf loop, as the official samples write it: one
    ``DoubleSample(value=..., status=DataStatus.DATA_STATUS_VALID)`` per sample, a
    ``SampleColumn`` per parameter, then ``PeriodicDataPacket(...).SerializeToString()``.
    The values are handed over as Python lists prepared beforehand, so the loop pays nothing
    for converting numpy arrays.
``build protobuf hoisted``
    the same with the status looked up once (``status=VALID``) instead of through the
    ``DataStatus`` enum wrapper per sample, which alone costs that loop a good share of its
    time: the strongest plain-protobuf baseline.
``build numpy``
    ``periodic_packet(format_id, start_time, interval, values)`` from the ``[parameters,
    samples]`` float64 array. Its bytes are checked to equal the protobuf ones first.
``decode protobuf``
    ``PeriodicDataPacket.FromString`` and, per column, Python lists of the values and of the
    statuses (``[s.value for s in samples]``, ``[s.status for s in samples]``).
``decode numpy``
    ``decode_periodic(content)``: timestamps, one float64 array and one uint8 status array
    per parameter. Its result is checked to equal the protobuf one first.
``... mixed``
    the numpy builder and decoder again on packets where every tenth value is 0.0 (a field
    proto3 leaves out) and statuses vary, so records differ in layout and the general paths
    run instead of the strided ones (informative, not part of the ratio).

Each case runs for ``--seconds`` per round; rounds (``--repeats``) interleave the cases so that
machine noise hits all alike, and the **median** rate is reported with the min-max range.

Reading the output
==================

``packets/s`` counts packets, ``samples/s`` double samples (parameters x samples per
packet). The ratios divide the numpy rate by the protobuf rate (target >= 15); the build ratio
uses the faster of the two protobuf loops. The last line, for scripts, is ``ratio R``: that
**build** ratio (numpy build samples/s over the best protobuf build samples/s); the decode
ratio is printed above it.

Run ``python bench/packet_builders.py`` from the repository root (about 20 s), ``--quick``
for a smoke run of a couple of seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ma_support_lib.packets import decode_periodic, periodic_packet  # noqa: E402
from ma_support_lib.protos import open_data_pb2  # noqa: E402

FORMAT_ID = 42
START_TIME_NS = 1_700_000_000_000_000_000
INTERVAL_NS = 1_000_000
TARGET_RATIO = 15.0

DoubleSample = open_data_pb2.DoubleSample
DataStatus = open_data_pb2.DataStatus


@dataclass
class Case:
    name: str
    run: Callable[[int], object]
    rates: list[float] = field(default_factory=list)


def protobuf_build(columns: list[list[float]]) -> bytes:
    """The official samples' way: one DoubleSample message per sample."""
    sample_columns = []
    for column in columns:
        samples = [DoubleSample(value=value, status=DataStatus.DATA_STATUS_VALID) for value in column]
        sample_columns.append(open_data_pb2.SampleColumn(double_samples=open_data_pb2.DoubleSampleList(samples=samples)))
    return _serialized(sample_columns)


def protobuf_build_hoisted(columns: list[list[float]]) -> bytes:
    """The same, with the status enum value looked up once."""
    valid = DataStatus.DATA_STATUS_VALID
    sample_columns = []
    for column in columns:
        samples = [DoubleSample(value=value, status=valid) for value in column]
        sample_columns.append(open_data_pb2.SampleColumn(double_samples=open_data_pb2.DoubleSampleList(samples=samples)))
    return _serialized(sample_columns)


def _serialized(sample_columns: list[Any]) -> bytes:
    packet = open_data_pb2.PeriodicDataPacket(
        data_format=open_data_pb2.SampleDataFormat(data_format_identifier=FORMAT_ID),
        start_time=START_TIME_NS,
        interval=INTERVAL_NS,
        columns=sample_columns,
    )
    return packet.SerializeToString()


def protobuf_decode(content: bytes) -> tuple[list[list[float]], list[list[Any]]]:
    """Parse, then per-sample Python lists of values and statuses."""
    packet = open_data_pb2.PeriodicDataPacket.FromString(content)
    values, statuses = [], []
    for column in packet.columns:
        samples = column.double_samples.samples
        values.append([sample.value for sample in samples])
        statuses.append([sample.status for sample in samples])
    return values, statuses


def _check(arrays: list[np.ndarray], mixed: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """The numpy builder and decoder agree with protobuf on every workload packet."""
    for values in arrays:
        content = periodic_packet(FORMAT_ID, START_TIME_NS, INTERVAL_NS, values)
        if not content == protobuf_build(values.tolist()) == protobuf_build_hoisted(values.tolist()):
            raise SystemExit("numpy and protobuf builds differ")
        decoded = decode_periodic(content)
        expected_values, expected_statuses = protobuf_decode(content)
        if decoded.value_matrix().tolist() != expected_values or decoded.status_matrix().tolist() != expected_statuses:
            raise SystemExit("numpy and protobuf decodes differ")
    for values, statuses in mixed:
        reference = decode_periodic(periodic_packet(FORMAT_ID, START_TIME_NS, INTERVAL_NS, values, statuses))
        if reference.value_matrix().tolist() != values.tolist() or reference.status_matrix().tolist() != statuses.tolist():
            raise SystemExit("mixed-layout round trip differs")


def _timed(run: Callable[[int], object], seconds: float) -> float:
    """Packets per second of ``run(i)`` for i = 0, 1, ... over at least ``seconds``."""
    run(0)
    count, start = 0, time.perf_counter()
    while True:
        run(count)
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def measure(parameters: int, samples: int, variants: int, repeats: int, seconds: float) -> tuple[float, float]:
    """Run the cases, print the table; return the build and decode ratios."""
    rng = np.random.default_rng(2024)
    arrays = [rng.normal(100.0, 30.0, size=(parameters, samples)) + 0.5 for _ in range(variants)]
    lists = [values.tolist() for values in arrays]
    contents = [periodic_packet(FORMAT_ID, START_TIME_NS, INTERVAL_NS, values) for values in arrays]
    mixed: list[tuple[np.ndarray, np.ndarray]] = []
    for values in arrays:
        sparse = values.copy()
        sparse[:, ::10] = 0.0
        mixed.append((sparse, rng.choice(np.array([1, 1, 1, 2, 3], np.uint8), size=values.shape)))
    mixed_contents = [periodic_packet(FORMAT_ID, START_TIME_NS, INTERVAL_NS, v, s) for v, s in mixed]
    _check(arrays, mixed)

    def cycle(items: list[Any], action: Callable[[Any], object]) -> Callable[[int], object]:
        return lambda index: action(items[index % len(items)])

    cases = [
        Case("build protobuf", cycle(lists, protobuf_build)),
        Case("build protobuf hoisted", cycle(lists, protobuf_build_hoisted)),
        Case("build numpy", cycle(arrays, lambda v: periodic_packet(FORMAT_ID, START_TIME_NS, INTERVAL_NS, v))),
        Case("decode protobuf", cycle(contents, protobuf_decode)),
        Case("decode numpy", cycle(contents, decode_periodic)),
        Case("build numpy mixed", cycle(mixed, lambda m: periodic_packet(FORMAT_ID, START_TIME_NS, INTERVAL_NS, *m))),
        Case("decode numpy mixed", cycle(mixed_contents, decode_periodic)),
    ]
    for _ in range(repeats):
        for case in cases:
            case.rates.append(_timed(case.run, seconds))

    per_packet = parameters * samples
    print()
    print(f"PeriodicData content: {parameters} parameters x {samples} double samples, {len(contents[0]):,} bytes")
    print(f"{'case':<24} {'packets/s':>11} {'samples/s':>15}  range (samples/s)")
    medians = {}
    for case in cases:
        median = statistics.median(case.rates)
        medians[case.name] = median
        low, high = min(case.rates) * per_packet, max(case.rates) * per_packet
        print(f"{case.name:<24} {median:>11,.1f} {median * per_packet:>15,.0f}  {low:,.0f} - {high:,.0f}")
    build_ratio = medians["build numpy"] / max(medians["build protobuf"], medians["build protobuf hoisted"])
    decode_ratio = medians["decode numpy"] / medians["decode protobuf"]
    print()
    print(f"build numpy/protobuf   {build_ratio:.1f}  (target >= {TARGET_RATIO:.0f}; against the faster protobuf loop)")
    print(f"decode numpy/protobuf  {decode_ratio:.1f}  (target >= {TARGET_RATIO:.0f})")
    return build_ratio, decode_ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--parameters", type=int, default=10, help="columns per packet (default 10)")
    parser.add_argument("--samples", type=int, default=1000, help="samples per column (default 1000)")
    parser.add_argument("--variants", type=int, default=8, help="distinct packets cycled through (default 8)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds over all cases (default 5)")
    parser.add_argument("--seconds", type=float, default=0.5, help="time per case and round (default 0.5)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 rounds of 0.1 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.seconds = 2, 0.1
    if min(args.parameters, args.samples, args.variants, args.repeats) < 1 or args.seconds <= 0:
        print("--parameters, --samples, --variants, --repeats and --seconds must be positive", file=sys.stderr)
        return 2
    build_ratio, _ = measure(args.parameters, args.samples, args.variants, args.repeats, args.seconds)
    print(f"ratio {build_ratio:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
