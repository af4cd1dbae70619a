"""``ma-stream-api demo``: a sine-wave session written and read back live through the library.

Runs the Stream API in this process on the embedded log (``memory://`` unless ``--broker``
says otherwise), subscribes a live packet reader, then writes a session of PeriodicData
packets (three parameters at 1 kHz, built from numpy arrays) with the packet writer, and
prints what the reader's handler decodes as it arrives.
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import TypeVar

import numpy as np

from .contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from .contracts.packet_reading.packet_reading_type import PacketReadingType
from .contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from .contracts.packet_writing.packet_bytes import PacketBytes
from .contracts.session_management.session_creation_info import SessionCreationInfo
from .contracts.shared.api_result import ApiResult
from .contracts.shared.i_handler import IHandler
from .contracts.shared.i_service import IService
from .contracts.shared.stream_api_configuration import StreamingApiConfiguration
from .contracts.shared.stream_creation_strategy import StreamCreationStrategy
from .core.base.logger import Logger
from .core.base.support_library_bootstrapper import SupportLibraryBootstrapper
from .packets import decode_content, periodic_packet
from .protos import open_data_pb2

T = TypeVar("T")
S = TypeVar("S", bound=IService)

DATA_SOURCE = "DemoCar"
STREAM = "Telemetry"
PARAMETERS = ("Sin:Demo", "Cos:Demo", "Speed:Demo")
SAMPLES_PER_PACKET = 100
SAMPLE_RATE_HZ = 1000
INTERVAL_NS = 1_000_000_000 // SAMPLE_RATE_HZ


#: The sine's frequency: one period every 20 packets, so the printed trace draws a wave.
WAVE_HZ = 0.5


def signals(first_sample: int) -> np.ndarray:
    """The demo parameters' values for one packet (one row per parameter)."""
    seconds = np.arange(first_sample, first_sample + SAMPLES_PER_PACKET) / SAMPLE_RATE_HZ
    phase = 2 * np.pi * WAVE_HZ * seconds
    return np.vstack([np.sin(phase), np.cos(phase), 200 + 80 * np.sin(phase / 4)])


def trace(value: float, low: float = -1.0, high: float = 1.0, width: int = 31) -> str:
    """A ``width``-wide lane with a dot where ``value`` lies between ``low`` and ``high``."""
    position = round((min(max(value, low), high) - low) / (high - low) * (width - 1))
    return "|" + " " * position + "*" + " " * (width - 1 - position) + "|"


class DemoHandler(IHandler[ReceivedPacketDto]):
    """Decodes the demo's PeriodicData packets and prints one line per packet."""

    def __init__(self, parameters: list[str], sent_at: dict[int, float], expected: int) -> None:
        self.parameters = parameters
        self.sent_at = sent_at
        self.expected = expected
        self.received = 0
        self.samples = 0
        self.latencies_ms: list[float] = []
        self.in_order = True
        self._last_id = -1

    def handle(self, obj: ReceivedPacketDto) -> None:
        packet = open_data_pb2.Packet.FromString(obj.packet_bytes.data)
        if packet.type != "PeriodicData":
            print(f"  {packet.type:<13} on stream {obj.stream or '(main)'!r}")
            return
        now = time.perf_counter()
        self.received += 1
        self.in_order = self.in_order and packet.id > self._last_id
        self._last_id = packet.id
        data = decode_content("PeriodicData", packet.content)
        self.samples += sum(len(column) for column in data.values)
        latency = (now - self.sent_at.get(packet.id, now)) * 1000
        self.latencies_ms.append(latency)
        by_name = dict(zip(self.parameters, data.values))
        sine = by_name.get("Sin:Demo", np.zeros(1))
        speed = by_name.get("Speed:Demo", np.zeros(1))
        print(
            f"  packet {self.received:>4}/{self.expected}  Sin:Demo {trace(sine[-1])} {sine[-1]:+.3f}"
            f"  Speed:Demo {speed[-1]:5.1f}  ({latency:4.1f} ms after write_data)"
        )


def _data(result: ApiResult[T], what: str) -> T:
    if not result.success or result.data is None:
        raise RuntimeError(f"{what}: {result.message}")
    return result.data


def _started(result: ApiResult[S], what: str) -> S:
    service = _data(result, f"creating the {what} service")
    service.initialise()
    service.start()
    return service


def run(broker: str, packets: int, rate: float) -> int:
    """Write ``packets`` packets at ``rate`` packets/s and read them back live; 0 if all arrived."""
    configuration = StreamingApiConfiguration(broker, StreamCreationStrategy.TOPIC_BASE, [], 10)
    with SupportLibraryBootstrapper.bootstrap(configuration, Logger()).create() as library:
        print(f"Stream API for {broker} running at {getattr(library.backend, 'address', '?')}")
        sessions = _started(library.get_session_manager_api().create_service(), "session management")
        formats = _started(library.get_data_format_manager_api().create_service(), "data format management")
        writer = _started(library.get_writing_packet_api().create_service(), "packet writing")
        format_info = _data(formats.get_parameter_data_format_id(DATA_SOURCE, list(PARAMETERS)), "data format")
        sent_at: dict[int, float] = {}
        handler = DemoHandler(format_info.parameter_list, sent_at, packets)
        config = PacketReadingConfiguration("", 10, False, DATA_SOURCE, "*", PacketReadingType.LIVE, [])
        reader = _data(library.get_reading_packet_api().create_service_with_config(config), "packet reader")
        completed = threading.Event()
        reader.session_reading_completed.subscribe(lambda sender, info: completed.set())
        reader.initialise()
        reader.set_handler(handler)
        reader.start()

        session = _data(sessions.create_new_session(SessionCreationInfo(DATA_SOURCE, "Sine demo")), "session")
        key = session.session_key
        print(
            f"session {key} created; writing {packets} packets of {len(PARAMETERS)} parameters x "
            f"{SAMPLES_PER_PACKET} samples at {rate:g} packets/s"
        )

        def write(packet_type: str, content: bytes, packet_id: int, stream: str = STREAM) -> None:
            packet = open_data_pb2.Packet(type=packet_type, session_key=key, content=content, id=packet_id)
            sent_at[packet_id] = time.perf_counter()
            _data(writer.write_data(DATA_SOURCE, stream, key, PacketBytes(packet.SerializeToString())), "write_data")

        started = time.perf_counter()
        write("NewSession", open_data_pb2.NewSessionPacket(data_source=DATA_SOURCE).SerializeToString(), 0)
        start_time = time.time_ns()
        for index in range(packets):
            due = started + index / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            first = index * SAMPLES_PER_PACKET
            content = periodic_packet(
                format_info.data_format_id, start_time + first * INTERVAL_NS, INTERVAL_NS, signals(first)
            )
            write("PeriodicData", content, index + 1)
        write("EndOfSession", open_data_pb2.EndOfSessionPacket(data_source=DATA_SOURCE).SerializeToString(), packets + 1)
        _data(writer.flush(30), "flush")
        sessions.end_session(DATA_SOURCE, key)
        completed.wait(30)
        elapsed = time.perf_counter() - started
        latencies = sorted(handler.latencies_ms) or [0.0]
        print(
            f"received {handler.received}/{packets} packets ({handler.samples:,} samples) live in {elapsed:.2f} s, "
            f"{'in order' if handler.in_order else 'OUT OF ORDER'}; write-to-handler latency "
            f"median {latencies[len(latencies) // 2]:.1f} ms, max {latencies[-1]:.1f} ms"
        )
        return 0 if handler.received == packets and handler.in_order else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", default="memory://", help="memory:// (default) or file://DIR")
    parser.add_argument("--packets", type=int, default=100, help="PeriodicData packets to write (default 100)")
    parser.add_argument("--rate", type=float, default=25.0, help="packets per second (default 25)")
