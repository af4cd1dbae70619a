"""Helpers of the processing tests: known signals as packets, and a pipeline fed directly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.buffering.sample_data import SampleData
from ma_support_lib.contracts.buffering.sample_window import SampleWindow
from ma_support_lib.contracts.buffering.timestamp_data import TimestampData
from ma_support_lib.contracts.interpolation.batch_result import BatchResult
from ma_support_lib.contracts.interpolation.i_batch_result_handler import IBatchResultHandler
from ma_support_lib.contracts.shared.i_handler import IHandler
from ma_support_lib.core.base.logger import ILogger
from ma_support_lib.packets import periodic_packet, wrap_packet
from ma_support_lib.processing import DataReaderService, ReplayPacketReader, SampleReaderService
from ma_support_lib.processing.formats import FormatResolver

T0 = 1_700_000_000_000_000_000  # ns, a whole second
SOURCE, SESSION = "Default", "session-1"


class RecordingLogger(ILogger):
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def debug(self, message: str) -> None:
        self.messages.append(("debug", message))

    def info(self, message: str) -> None:
        self.messages.append(("info", message))

    def warning(self, message: str) -> None:
        self.messages.append(("warning", message))

    def error(self, message: str) -> None:
        self.messages.append(("error", message))

    def errors(self) -> list[str]:
        return [message for level, message in self.messages if level == "error"]


class Windows(IHandler[SampleWindow]):
    def __init__(self) -> None:
        self.items: list[SampleWindow] = []

    def handle(self, obj: SampleWindow) -> None:
        self.items.append(obj)

    def column(self, identifier: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Everything delivered for ``identifier``, concatenated in delivery order."""
        parts = [w.columns[identifier] for w in self.items if identifier in w.columns]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.uint8)
        return tuple(np.concatenate([getattr(p, name) for p in parts]) for name in ("timestamps", "values", "statuses"))  # type: ignore[return-value]


class Samples(IHandler[SampleData]):
    def __init__(self) -> None:
        self.items: list[SampleData] = []

    def handle(self, obj: SampleData) -> None:
        self.items.append(obj)


class Stamps(IHandler[TimestampData]):
    def __init__(self) -> None:
        self.items: list[TimestampData] = []

    def handle(self, obj: TimestampData) -> None:
        self.items.append(obj)


class Batches(IBatchResultHandler):
    def __init__(self) -> None:
        self.items: list[BatchResult] = []

    def handle(self, batch_result: BatchResult) -> None:
        self.items.append(batch_result)

    def table(self) -> Any:
        from ma_support_lib.contracts.interpolation.result_table import ResultTable

        return ResultTable.concatenate([b.table for b in self.items])


class ManualClock:
    """A monotonic clock (seconds) that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Pipeline:
    """A replay packet reader -> sample reader -> data reader, started, on one thread.

    The sample reader's idle time runs on ``clock``, which only the test advances. Every
    pipeline made is in ``OPEN`` until ``stop`` (the test fixture stops them).
    """

    OPEN: list[Pipeline] = []

    def __init__(self, config: BufferingConfiguration | None = None, logger: ILogger | None = None) -> None:
        self.logger = logger or RecordingLogger()
        self.clock = ManualClock()
        self.reader = ReplayPacketReader(self.logger)
        self.samples = SampleReaderService(
            config or BufferingConfiguration(None, 1000, 10), FormatResolver(None, self.logger), self.logger,
            clock=self.clock,
        )
        self.data = DataReaderService(self.logger)
        self.windows = Windows()
        self.samples.set_reader_service(self.reader)
        self.samples.add_window_handler(self.windows)
        self.data.set_sample_reader_service(self.samples)
        for service in (self.data, self.samples, self.reader):
            service.initialise()
            service.start()
        Pipeline.OPEN.append(self)

    def stop(self) -> None:
        for service in (self.reader, self.samples, self.data):
            service.stop()

    def replay(self, packets: Sequence[bytes], session: str = SESSION, stream: str = "") -> None:
        self.reader.replay(SOURCE, session, packets, stream)


def sine(frequency_hz: float, seconds: float, phase: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps (ns from T0) and values of a 0.37 Hz sine sampled at ``frequency_hz``."""
    count = int(round(seconds * frequency_hz))
    interval = int(round(1e9 / frequency_hz))
    times = T0 + np.arange(count, dtype=np.int64) * interval
    return times, np.sin(2 * np.pi * 0.37 * (times - T0) / 1e9 + phase)


def periodic_packets(identifiers: Sequence[str], times: np.ndarray, values: np.ndarray, per_packet: int) -> list[bytes]:
    """``values[parameters, samples]`` at evenly spaced ``times`` cut into PeriodicData packets."""
    interval = int(times[1] - times[0])
    packets = []
    for start in range(0, len(times), per_packet):
        content = periodic_packet(list(identifiers), int(times[start]), interval, values[:, start : start + per_packet])
        packets.append(wrap_packet("PeriodicData", content, SESSION))
    return packets
