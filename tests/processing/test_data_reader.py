"""The data reader on known signals: statistics, resampling, gaps, ordering, batches, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.interpolation.default_result import DefaultResult
from ma_support_lib.contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ma_support_lib.contracts.interpolation.interpolated_result import InterpolatedResult
from ma_support_lib.contracts.interpolation.process_context import ProcessContext
from ma_support_lib.contracts.interpolation.process_result import ProcessResult
from ma_support_lib.processing import HoldLastProcessor, LinearInterpolationProcessor

from .rig import T0, Batches, Pipeline, periodic_packets, sine

PARAMS = ["Sin:App", "Cos:App"]
MS = 1_000_000


def two_sines(seconds: float = 20.0, hz: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    times, first = sine(hz, seconds)
    _, second = sine(hz, seconds, phase=1.0)
    return times, np.vstack([first, second])


def run(packets: list[bytes], frequency_hz: float, processor=None, delivery_hz=None, config=None) -> tuple[Pipeline, Batches]:
    pipeline = Pipeline(config)
    batches = Batches()
    assert pipeline.data.subscribe("sub", PARAMS, frequency_hz, batches, delivery_hz, processor).success
    pipeline.replay(packets)
    return pipeline, batches


def test_sub_sampled_statistics_equal_numpy_on_every_interval() -> None:
    times, values = two_sines()
    _, batches = run(periodic_packets(PARAMS, times, values, 10), 10.0)
    table = batches.table()
    period = 100 * MS
    expected_starts = T0 + np.arange(200, dtype=np.int64) * period
    np.testing.assert_array_equal(table.interval_starts, expected_starts)
    for p in range(len(PARAMS)):
        for k, start in enumerate(expected_starts):
            inside = values[p][(times >= start) & (times < start + period)]
            assert table.statistics["count"][k, p] == len(inside) == 10
            assert table.statistics["first"][k, p] == inside[0]
            assert table.statistics["last"][k, p] == inside[-1]
            assert table.statistics["min"][k, p] == np.min(inside)
            assert table.statistics["max"][k, p] == np.max(inside)
            # numpy's mean sums pairwise, ours in order: equal to the last bits of a double
            assert math.isclose(table.statistics["mean"][k, p], np.mean(inside), rel_tol=1e-13, abs_tol=1e-15)
            assert not table.statistics["is_super_sampled"][k, p]


def test_default_results_as_objects_match_the_arrays() -> None:
    times, values = two_sines(2.0)
    _, batches = run(periodic_packets(PARAMS, times, values, 10), 10.0)
    results = [result for batch in batches.items for result in batch.results]
    assert len(results) == 20 * len(PARAMS)
    first = results[1]
    assert isinstance(first, DefaultResult)
    assert (first.identifier, first.interval_start_time_nano, first.interval_end_time_nano) == (PARAMS[1], T0, T0 + 100 * MS)
    assert first.first == values[1][0] and first.count == 10 and first.is_super_sampled is False


def millisecond_grid(times: np.ndarray) -> np.ndarray:
    """1 ms interval starts from the first sample's through the last sample's interval."""
    return np.arange(times[0], times[-1] + 1, MS, dtype=np.int64)


def expected_hold_last(times: np.ndarray, values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    index = np.searchsorted(times, grid, side="right") - 1
    return np.where(index >= 0, values[np.maximum(index, 0)], np.nan)


def expected_linear(times: np.ndarray, values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    relative = (grid - T0).astype(np.float64)
    out = np.interp(relative, (times - T0).astype(np.float64), values)
    return np.where((grid >= times[0]) & (grid <= times[-1]), out, np.nan)


@pytest.mark.parametrize("processor, expected", [(HoldLastProcessor(), expected_hold_last), (LinearInterpolationProcessor(), expected_linear)])
def test_super_sampled_to_1khz_gives_exact_values(processor, expected) -> None:
    times, values = two_sines(3.0)
    _, batches = run(periodic_packets(PARAMS, times, values, 10), 1000.0, processor)
    table = batches.table()
    grid = millisecond_grid(times)
    np.testing.assert_array_equal(table.interval_starts, grid)
    for p in range(len(PARAMS)):
        np.testing.assert_array_equal(table.matrix()[:, p], expected(times, values[p], grid))
    assert all(isinstance(r, InterpolatedResult) for r in batches.items[0].results)


def test_default_processor_holds_the_last_value_when_super_sampling() -> None:
    times, values = two_sines(2.0)
    _, batches = run(periodic_packets(PARAMS, times, values, 10), 1000.0)
    table = batches.table()
    grid = millisecond_grid(times)
    counts = table.statistics["count"]
    np.testing.assert_array_equal(counts[:, 0], ((grid - T0) % (10 * MS) == 0).astype(np.int64))
    np.testing.assert_array_equal(table.statistics["is_super_sampled"], counts == 0)
    for p in range(len(PARAMS)):
        held = expected_hold_last(times, values[p], grid)
        for name in ("first", "last", "min", "max", "mean"):
            np.testing.assert_array_equal(table.statistics[name][:, p], held)
    result = next(r for r in batches.items[0].results if r.interval_start_time_nano == T0 + MS)
    assert result.is_super_sampled and result.count == 0 and result.mean == values[0][0]


@pytest.mark.parametrize("processor", [None, HoldLastProcessor(), LinearInterpolationProcessor()])
def test_out_of_order_packets_give_the_same_results(processor) -> None:
    times, values = two_sines(10.0)
    packets = periodic_packets(PARAMS, times, values, 10)
    shuffled = list(packets)
    rng = np.random.default_rng(7)
    for start in range(0, len(shuffled), 10):  # each second's packets in random order
        block = shuffled[start : start + 10]
        shuffled[start : start + 10] = [block[i] for i in rng.permutation(len(block))]
    assert shuffled != packets
    frequency = 1000.0 if processor is not None else 10.0
    _, in_order = run(packets, frequency, processor)
    _, out_of_order = run(shuffled, frequency, processor)
    left, right = in_order.table(), out_of_order.table()
    np.testing.assert_array_equal(left.interval_starts, right.interval_starts)
    for name in left.statistics:
        np.testing.assert_array_equal(left.statistics[name], right.statistics[name])


def with_hole(seconds: float = 10.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """100 Hz sines without the samples in [4 s, 4.5 s)."""
    times, values = two_sines(seconds)
    keep = ~((times >= T0 + 4_000 * MS) & (times < T0 + 4_500 * MS))
    return times[keep], values[:, keep], keep


def test_a_gap_longer_than_the_maximum_gap_gets_no_invented_values() -> None:
    times, values, _ = with_hole()
    before, after = times[times < T0 + 4_000 * MS], times[times >= T0 + 4_500 * MS]
    packets = periodic_packets(PARAMS, before, values[:, : len(before)], 10)
    packets += periodic_packets(PARAMS, after, values[:, len(before) :], 10)
    gap = 50 * MS
    grid = millisecond_grid(times)
    for processor, reference in ((HoldLastProcessor(gap), expected_hold_last), (LinearInterpolationProcessor(gap), expected_linear)):
        _, batches = run(packets, 1000.0, processor)
        table = batches.table()
        np.testing.assert_array_equal(table.interval_starts, grid)
        result = table.matrix()[:, 0]
        last_before = int(before[-1])
        if isinstance(processor, HoldLastProcessor):
            invented = (grid - last_before > gap) & (grid < after[0])
        else:
            invented = (grid > last_before) & (grid < after[0])
        assert invented.sum() > 400
        assert np.isnan(result[invented]).all()
        np.testing.assert_array_equal(result[~invented], reference(times, values[0], grid)[~invented])


def test_gaps_stay_gaps_and_each_sample_is_delivered_once() -> None:
    times, values, _ = with_hole()
    before = times < T0 + 4_000 * MS
    packets = periodic_packets(PARAMS, times[before], values[:, before], 10)
    packets += periodic_packets(PARAMS, times[~before], values[:, ~before], 10)
    pipeline = Pipeline(BufferingConfiguration(PARAMS, 1000, 10))
    pipeline.replay(packets)
    for p, identifier in enumerate(PARAMS):
        delivered_times, delivered_values, _ = pipeline.windows.column(identifier)
        np.testing.assert_array_equal(delivered_times, times)
        np.testing.assert_array_equal(delivered_values, values[p])


def test_batches_follow_the_delivery_frequency() -> None:
    times, values = two_sines(3.0)
    _, batches = run(periodic_packets(PARAMS, times, values, 10), 100.0, delivery_hz=10.0)
    assert len(batches.items) == 30
    for index, batch in enumerate(batches.items):
        assert batch.delivery_interval_start_time_nano == T0 + index * 100 * MS
        assert batch.delivery_interval_end_time_nano == T0 + (index + 1) * 100 * MS
        np.testing.assert_array_equal(batch.table.interval_starts, batch.delivery_interval_start_time_nano + np.arange(10) * 10 * MS)
        assert (batch.subscription_key, batch.session_key, batch.data_source) == ("sub", "session-1", "Default")


def test_results_as_numpy_and_as_a_dataframe() -> None:
    times, values = two_sines(2.0)
    _, batches = run(periodic_packets(PARAMS, times, values, 10), 10.0, delivery_hz=1.0)
    batch = batches.items[0]
    starts, means = batch.to_numpy()
    assert means.shape == (10, 2)
    frame = batch.to_dataframe("max")
    assert list(frame.columns) == PARAMS
    assert frame.index.name == "timestamp"
    assert frame.index[0] == pd.Timestamp(T0, unit="ns", tz="UTC")
    np.testing.assert_array_equal(frame.to_numpy(), batch.table.matrix("max"))
    np.testing.assert_array_equal(starts, T0 + np.arange(10) * 100 * MS)


class Counting(ISubscriptionProcessor):
    """A custom processor: the number of points and their time order, per call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def process(self, context: ProcessContext) -> ProcessResult:
        stamps = [point.timestamp_nanoseconds for point in context.interval_data_points]
        assert stamps == sorted(stamps)
        assert all(context.interval_start_time_nano <= s < context.interval_end_time_nano for s in stamps)
        self.calls.append((context.parameter_id, context.interval_start_time_nano))
        return InterpolatedResult(context.parameter_id, context.interval_start_time_nano, context.interval_end_time_nano, float(len(stamps)))


def test_custom_processor_gets_one_context_per_parameter_and_interval() -> None:
    times, values = two_sines(2.0)
    processor = Counting()
    _, batches = run(periodic_packets(PARAMS, times, values, 10), 10.0, processor)
    assert len(processor.calls) == 40
    assert processor.calls == [(identifier, T0 + k * 100 * MS) for k in range(20) for identifier in PARAMS]
    results = [r for batch in batches.items for r in batch.results]
    assert [r.value for r in results] == [10.0] * 40
    with pytest.raises(TypeError):
        batches.items[0].to_numpy()


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("frequency", [0, -10.0, float("nan"), float("inf"), "10", True])
def test_bad_subscription_frequency_is_refused(frequency) -> None:
    pipeline = Pipeline()
    result = pipeline.data.subscribe("k", PARAMS, frequency, Batches())
    assert not result.success and result.data is None
    assert "subscription_frequency_hz" in result.message


@pytest.mark.parametrize("delivery", [0, -1.0])
def test_bad_delivery_frequency_is_refused(delivery) -> None:
    result = Pipeline().data.subscribe("k", PARAMS, 10.0, Batches(), delivery)
    assert not result.success and "delivery_frequency_hz" in result.message


def test_bad_subscriptions_are_refused_with_a_message() -> None:
    data = Pipeline().data
    assert "non-empty" in data.subscribe("k", [], 10.0, Batches()).message
    assert "duplicates" in data.subscribe("k", ["a:b", "a:b"], 10.0, Batches()).message
    assert "list of str" in data.subscribe("k", "a:b", 10.0, Batches()).message
    assert "handle" in data.subscribe("k", PARAMS, 10.0, object()).message  # type: ignore[arg-type]
    assert data.subscribe("k", PARAMS, 10.0, Batches()).success
    assert "taken" in data.subscribe("k", PARAMS, 10.0, Batches()).message
    assert data.unsubscribe("k").success
    assert "no subscription" in data.unsubscribe("k").message


def test_unknown_parameters_are_refused_once_parameters_are_known() -> None:
    times, values = two_sines(2.0)
    pipeline, _ = run(periodic_packets(PARAMS, times, values, 10), 10.0)
    result = pipeline.data.subscribe("late", ["Sin:Ap"], 10.0, Batches())
    assert not result.success
    assert "unknown parameters ['Sin:Ap']" in result.message
    assert pipeline.data.subscribe("late", [PARAMS[0]], 10.0, Batches()).success


def test_a_parameter_the_session_never_had_is_reported_and_the_rest_delivered() -> None:
    times, values = two_sines(2.0)
    pipeline = Pipeline()
    batches = Batches()
    assert pipeline.data.subscribe("k", [PARAMS[0], "Ghost:App"], 10.0, batches).success
    pipeline.replay(periodic_packets(PARAMS, times, values, 10))
    assert any("Ghost:App" in message for message in pipeline.logger.errors())
    table = batches.table()
    assert (table.statistics["count"][:, 0] == 10).all()
    assert np.isnan(table.statistics["mean"][:, 1]).all()


class Raising(Batches):
    def handle(self, batch_result) -> None:
        super().handle(batch_result)
        if len(self.items) == 1:
            raise RuntimeError("handler failed")


def test_a_handler_that_raises_is_logged_and_the_pipeline_keeps_running() -> None:
    times, values = two_sines(3.0)
    pipeline = Pipeline()
    raising, healthy = Raising(), Batches()
    assert pipeline.data.subscribe("raising", PARAMS, 10.0, raising).success
    assert pipeline.data.subscribe("healthy", PARAMS, 10.0, healthy).success
    pipeline.replay(periodic_packets(PARAMS, times, values, 10))
    assert any("handler failed" in message for message in pipeline.logger.errors())
    assert len(raising.items) == len(healthy.items) == 30  # 10 Hz delivery over 3 s
    assert pipeline.data.is_started and pipeline.samples.is_started


class FailsForCos(Counting):
    def process(self, context: ProcessContext) -> ProcessResult:
        if context.parameter_id == "Cos:App":
            raise ValueError("cannot process")
        return super().process(context)


def test_a_processor_that_raises_is_logged_and_other_results_delivered() -> None:
    times, values = two_sines(2.0)
    pipeline, batches = run(periodic_packets(PARAMS, times, values, 10), 10.0, FailsForCos())
    results = [r for batch in batches.items for r in batch.results]
    assert [r.identifier for r in results] == ["Sin:App"] * 20
    errors = pipeline.logger.errors()
    assert any("cannot process" in message for message in errors)
    assert any("raised 20 times" in message for message in errors)


def test_processor_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="max_gap_ns"):
        HoldLastProcessor(-1)
    with pytest.raises(ValueError, match="max_gap_ns"):
        LinearInterpolationProcessor(None)  # type: ignore[arg-type]


def test_built_in_processors_work_one_interval_at_a_time() -> None:
    from ma_support_lib.contracts.interpolation.data_point import DataPoint

    processor = LinearInterpolationProcessor()
    first = processor.process(ProcessContext("p", 0, 10, [DataPoint("p", 0, 1.0), DataPoint("p", 5, 2.0)]))
    second = processor.process(ProcessContext("p", 10, 20, [DataPoint("p", 15, 4.0)]))
    assert first.value == 1.0  # type: ignore[attr-defined]
    assert second.value == 3.0  # type: ignore[attr-defined]  halfway from (5, 2.0) to (15, 4.0)


def test_missing_and_error_samples_do_not_count_and_int_and_bool_do() -> None:
    from ma_support_lib.packets import periodic_packet, wrap_packet

    statuses = np.array([[1, 2, 3, 0]], dtype=np.uint8)
    packets = [
        wrap_packet("PeriodicData", periodic_packet([PARAMS[0]], T0, 10 * MS, np.array([[1.0, 100.0, 100.0, 3.0]]), statuses)),
        wrap_packet("PeriodicData", periodic_packet([PARAMS[1]], T0, 10 * MS, [np.array([True, False, True, True])])),
    ]
    _, batches = run(packets, 10.0)
    table = batches.table()
    assert table.statistics["count"].tolist() == [[2, 4]]
    assert table.statistics["mean"].tolist() == [[2.0, 0.75]]
    assert table.statistics["max"].tolist() == [[3.0, 1.0]]
