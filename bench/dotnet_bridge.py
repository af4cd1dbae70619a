"""``write_data`` through the .NET bridge against a naive pythonnet call per packet.

What is measured
================

Both cases drive the same C# ``IPacketWriterService.WriteData`` of the Support Library's test
stand-in (``native/standin``, built with Mono's ``mcs`` and loaded through pythonnet on Mono),
with the same 1 KB serialized ``Packet`` (type ``Marker``, ``--size`` bytes in all):

``bridge``
    the library's ``write_data(data_source, stream, session_key, PacketBytes(...))`` on the
    ``dotnet`` backend, ``--packets`` calls as fast as the loop goes, then ``flush()``. Timed
    from the first call until ``flush`` returns, i.e. until the C# writer has been given every
    packet. The backend batches packets and crosses into .NET once per batch, passing the
    batch's address and length; the C# facade parses each packet and calls ``WriteData``.
``naive``
    one pythonnet call per packet that passes the packet as Python ``bytes`` to a ``byte[]``
    parameter (``WriterBridge.WriteRecords(byte[], int)``, which parses the packet and calls
    ``WriteData`` just as above): what calling the C# API per packet from Python costs,
    ``--naive`` calls per round.

Rounds (``--repeats``) interleave the two cases and the **median** rate is reported with the
min-max range. The last line, for scripts, is ``ratio R``: bridge calls/s over naive calls/s
(target >= 20).

Run ``python bench/dotnet_bridge.py`` from the repository root (about 15 s; needs Mono's
``mcs`` and pythonnet), ``--quick`` for a smoke run of a few seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_native import build  # noqa: E402

from ma_support_lib.contracts.packet_writing.packet_bytes import PacketBytes  # noqa: E402
from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo  # noqa: E402
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration  # noqa: E402
from ma_support_lib.core.base.logger import Logger  # noqa: E402
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper  # noqa: E402
from ma_support_lib.backends.dotnet import frames  # noqa: E402
from ma_support_lib.protos import open_data_pb2  # noqa: E402

TARGET_RATIO = 20.0
DATA_SOURCE = "Bench"


def one_kb_packet(session_key: str, size: int) -> bytes:
    """A serialized ``Marker`` packet of ``size`` bytes (or one less, where the length prefix grows)."""
    for content_length in range(size, 0, -1):
        data = open_data_pb2.Packet(
            type="Marker", session_key=session_key, content=b"x" * content_length, id=1
        ).SerializeToString()
        if len(data) <= size:
            return data
    raise ValueError(f"no packet fits in {size} bytes")


def bridge_rate(writer: Any, session_key: str, data: bytes, packets: int) -> float:
    packet = PacketBytes(data)
    start = time.perf_counter()
    for _ in range(packets):
        writer.write_data(DATA_SOURCE, "", session_key, packet)
    result = writer.flush(60)
    elapsed = time.perf_counter() - start
    assert result.success, result.message
    return packets / elapsed


def naive_rate(bridge: Any, record: bytes, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        message = bridge.WriteRecords(record, len(record))
    elapsed = time.perf_counter() - start
    assert not str(message), message
    return calls / elapsed


def measure(packets: int, naive_calls: int, repeats: int, size: int) -> float:
    config = StreamingApiConfiguration(f"memory://bench-{uuid.uuid4().hex[:8]}", backend="dotnet")
    with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
        sessions = library.get_session_manager_api().create_service().data
        writer = library.get_writing_packet_api().create_service().data
        for service in (sessions, writer):
            service.initialise()
            service.start()
        key = sessions.create_new_session(SessionCreationInfo(DATA_SOURCE, "Benchmark")).data.session_key
        data = one_kb_packet(key, size)
        record = frames.route(DATA_SOURCE, "", key) + frames.packet_header(len(data)) + data
        naive_bridge = writer._runtime.bridge.WriterBridge(writer._net)
        bridge_rate(writer, key, data, min(packets, 2000))  # warm-up: JIT, first batches
        naive_rate(naive_bridge, record, min(naive_calls, 100))
        rates: dict[str, list[float]] = {"bridge": [], "naive": []}
        for _ in range(repeats):
            rates["bridge"].append(bridge_rate(writer, key, data, packets))
            rates["naive"].append(naive_rate(naive_bridge, record, naive_calls))
    print(f"write_data with {len(data)}-byte packets, {repeats} rounds (median, min - max)")
    print(f"{'case':<8} {'calls/s':>12} {'MB/s':>8}  range")
    medians = {}
    for name, values in rates.items():
        medians[name] = statistics.median(values)
        print(f"{name:<8} {medians[name]:>12,.0f} {medians[name] * len(data) / 1e6:>8.1f}  {min(values):,.0f} - {max(values):,.0f}")
    ratio = medians["bridge"] / medians["naive"]
    print(f"\nbridge/naive  {ratio:.1f}  (target >= {TARGET_RATIO:.0f})")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--packets", type=int, default=50_000, help="write_data calls per bridge round (default 50000)")
    parser.add_argument("--naive", type=int, default=1_500, help="pythonnet calls per naive round (default 1500)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--size", type=int, default=1024, help="serialized packet size in bytes (default 1024)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 small rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.packets, args.naive, args.repeats = 5_000, 200, 2
    if min(args.packets, args.naive, args.repeats) < 1 or args.size < 64:
        print("--packets, --naive and --repeats must be positive, --size at least 64", file=sys.stderr)
        return 2
    os.environ.setdefault("MA_SUPPORT_LIB_DOTNET_DIR", str(build()))
    ratio = measure(args.packets, args.naive, args.repeats, args.size)
    print(f"ratio {ratio:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
