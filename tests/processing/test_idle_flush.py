"""A session that stops receiving packets: what it buffered is emitted after the idle time."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.buffering.sample_window import SampleWindow
from ma_support_lib.contracts.shared.i_handler import IHandler
from ma_support_lib.processing import SampleReaderService
from ma_support_lib.processing.formats import FormatResolver
from ma_support_lib.processing.idle import PeriodicCheck

from .rig import SESSION, SOURCE, T0, Batches, Pipeline, RecordingLogger, periodic_packets, sine

MS = 1_000_000
PARAMS = ["A:App", "B:App"]


def ramp(seconds: float) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    times, _ = sine(100.0, seconds)
    values = np.vstack([np.arange(len(times), dtype=np.float64), -np.arange(len(times), dtype=np.float64)])
    return times, values, periodic_packets(PARAMS, times, values, 10)


def paused(config: BufferingConfiguration, packets: list[bytes]) -> Pipeline:
    """A live session that received ``packets`` and then nothing."""
    pipeline = Pipeline(config)
    pipeline.reader.begin(SOURCE, SESSION)
    for packet in packets:
        pipeline.reader.feed(SOURCE, SESSION, packet)
    return pipeline


def test_a_paused_session_is_emitted_once_the_idle_time_has_passed() -> None:
    times, values, packets = ramp(3.0)
    pipeline = paused(BufferingConfiguration(PARAMS, 1000, 10, idle_flush_ms=500), packets)
    held_back = len(times) - len(pipeline.windows.column(PARAMS[0])[0])
    assert held_back >= 90  # about a window of data waits for newer data
    pipeline.clock.advance(0.499)
    assert pipeline.samples.flush_idle() == 0
    assert len(pipeline.windows.column(PARAMS[0])[0]) == len(times) - held_back
    pipeline.clock.advance(0.001)
    assert pipeline.samples.flush_idle() == 1
    window = pipeline.windows.items[-1]
    assert not window.is_final and window.end_time == int(times[-1]) + 1
    for p, identifier in enumerate(PARAMS):
        delivered, dvalues, _ = pipeline.windows.column(identifier)
        np.testing.assert_array_equal(delivered, times)
        np.testing.assert_array_equal(dvalues, values[p])
    pipeline.clock.advance(10.0)
    assert pipeline.samples.flush_idle() == 0  # nothing left to emit


def test_the_session_goes_on_after_an_idle_flush_each_sample_once() -> None:
    times, values, packets = ramp(4.0)
    pipeline = paused(BufferingConfiguration(PARAMS, 1000, 10, idle_flush_ms=500), packets[:20])
    pipeline.clock.advance(0.5)
    assert pipeline.samples.flush_idle() == 1
    for packet in packets[20:]:
        pipeline.reader.feed(SOURCE, SESSION, packet)
    pipeline.reader.end(SOURCE, SESSION)
    assert pipeline.windows.items[-1].is_final
    for previous, following in zip(pipeline.windows.items, pipeline.windows.items[1:]):
        assert previous.end_time == following.start_time
    for p, identifier in enumerate(PARAMS):
        delivered, dvalues, _ = pipeline.windows.column(identifier)
        np.testing.assert_array_equal(delivered, times)
        np.testing.assert_array_equal(dvalues, values[p])


def test_a_packet_restarts_the_idle_time() -> None:
    _, _, packets = ramp(3.0)
    pipeline = paused(BufferingConfiguration(PARAMS, 1000, 10, idle_flush_ms=500), packets[:-1])
    pipeline.clock.advance(0.4)
    pipeline.reader.feed(SOURCE, SESSION, packets[-1])
    pipeline.clock.advance(0.4)
    assert pipeline.samples.flush_idle() == 0
    pipeline.clock.advance(0.1)
    assert pipeline.samples.flush_idle() == 1


def test_the_data_reader_processes_the_complete_intervals_of_an_idle_flush() -> None:
    times, values, packets = ramp(3.0)  # samples every 10 ms up to T0 + 2.99 s
    pipeline = Pipeline(BufferingConfiguration(PARAMS, 1000, 10, idle_flush_ms=500))
    batches = Batches()
    assert pipeline.data.subscribe("sub", PARAMS, 20.0, batches, 20.0).success
    pipeline.reader.begin(SOURCE, SESSION)
    for packet in packets:
        pipeline.reader.feed(SOURCE, SESSION, packet)
    before = len(batches.table())
    pipeline.clock.advance(0.5)
    pipeline.samples.flush_idle()
    table = batches.table()
    # every 50 ms interval up to the one holding the last sample (it may get more samples)
    assert before < len(table) == 59
    np.testing.assert_array_equal(table.interval_starts, T0 + np.arange(59, dtype=np.int64) * 50 * MS)
    assert (table.statistics["count"] == 5).all()
    np.testing.assert_array_equal(table.statistics["first"][:, 0], values[0][::5][:59])


@pytest.mark.parametrize("idle", [0, None])
def test_idle_flush_off_or_at_the_window_length(idle) -> None:
    config = BufferingConfiguration(PARAMS, 1000, 10, idle_flush_ms=idle)
    assert config.idle_flush_seconds == (None if idle == 0 else 1.0)
    pipeline = paused(config, ramp(3.0)[2])
    pipeline.clock.advance(0.999)
    assert pipeline.samples.flush_idle() == 0
    pipeline.clock.advance(1000.0)
    assert pipeline.samples.flush_idle() == (0 if idle == 0 else 1)


@pytest.mark.parametrize("idle", [-1, 1.5, True, "500"])
def test_bad_idle_times_are_refused(idle) -> None:
    problems = BufferingConfiguration(PARAMS, idle_flush_ms=idle).problems()
    assert len(problems) == 1 and "idle_flush_ms" in problems[0]


class _Signal(IHandler[SampleWindow]):
    def __init__(self) -> None:
        self.windows: list[SampleWindow] = []
        self.idle = threading.Event()

    def handle(self, obj: SampleWindow) -> None:
        self.windows.append(obj)
        if not obj.is_final and obj.end_time == T0 + 2_990 * MS + 1:
            self.idle.set()


def test_the_service_timer_flushes_a_paused_session() -> None:
    from ma_support_lib.processing import ReplayPacketReader

    logger = RecordingLogger()
    reader = ReplayPacketReader(logger)
    samples = SampleReaderService(BufferingConfiguration(PARAMS, 1000, 10, idle_flush_ms=1), FormatResolver(None, logger), logger)
    signal = _Signal()
    samples.set_reader_service(reader)
    samples.add_window_handler(signal)
    for service in (samples, reader):
        service.initialise()
        service.start()
    reader.begin(SOURCE, SESSION)
    for packet in ramp(3.0)[2]:
        reader.feed(SOURCE, SESSION, packet)
    assert signal.idle.wait(timeout=30.0)
    reader.stop()
    samples.stop()
    assert not [thread for thread in threading.enumerate() if thread.name == f"sample reader idle flush {samples.id}"]


def test_periodic_check_runs_until_stopped_through_errors() -> None:
    calls = threading.Semaphore(0)
    errors: list[Exception] = []

    def check() -> None:
        calls.release()
        raise RuntimeError("check failed")

    periodic = PeriodicCheck("test check", check, 0.001, errors.append)
    periodic.start()
    assert calls.acquire(timeout=30.0) and calls.acquire(timeout=30.0)  # called again after raising
    periodic.stop()
    assert not [thread for thread in threading.enumerate() if thread.name == "test check"]
    assert errors and all(isinstance(error, RuntimeError) for error in errors)
