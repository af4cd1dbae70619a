"""The sample and data readers on the .NET backend: the C# modules of the stand-in, driven
through the facade (column marshalling, events and batches from .NET threads, a Python
processor called by C#), and the engine choice."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ma_support_lib.backends.dotnet.data_reading import DotnetDataReaderService
from ma_support_lib.backends.dotnet.sample_reading import DotnetSampleReaderService
from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.buffering.end_sample_data import EndSampleData
from ma_support_lib.contracts.buffering.end_timestamp_data import EndTimestampData
from ma_support_lib.contracts.buffering.start_sample_data import StartSampleData
from ma_support_lib.contracts.buffering.start_timestamp_data import StartTimestampData
from ma_support_lib.contracts.buffering.value_status import ValueStatus
from ma_support_lib.contracts.interpolation.default_result import DefaultResult
from ma_support_lib.contracts.interpolation.i_process_result import IProcessResult
from ma_support_lib.contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ma_support_lib.contracts.interpolation.process_context import ProcessContext
from ma_support_lib.contracts.interpolation.process_result import ProcessResult
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper
from ma_support_lib.processing.data_reader import DataReaderService
from ma_support_lib.processing.sample_reader import SampleReaderService
from ma_support_lib.packets import periodic_packet, wrap_packet

from tests.library.helpers import ok

from .processing_rig import MS, T0, TYPED, Batches, Chain, Samples, Stamps, write_session

DATA_SOURCE = "Bridge"


def test_native_services_are_the_dotnet_ones(library: SupportLibrary) -> None:
    assert library.processing_engine() == "native"
    assert isinstance(ok(library.get_sample_reader_api().create_service(BufferingConfiguration())), DotnetSampleReaderService)
    assert isinstance(ok(library.get_data_reader_api().create_service()), DotnetDataReaderService)


def test_python_engine_when_asked(assemblies: str) -> None:
    config = StreamingApiConfiguration("memory://engine-python", backend="dotnet", processing="python")
    with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
        assert isinstance(ok(library.get_sample_reader_api().create_service(BufferingConfiguration())), SampleReaderService)
        assert isinstance(ok(library.get_data_reader_api().create_service()), DataReaderService)


def test_native_on_grpc_is_refused_not_replaced() -> None:
    config = StreamingApiConfiguration("memory://engine-grpc", processing="native")
    with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
        for result in (library.get_sample_reader_api().create_service(BufferingConfiguration()), library.get_data_reader_api().create_service()):
            assert not result.success and result.data is None
            assert "processing='native'" in result.message and "grpc" in result.message


def test_unknown_engine_is_refused(assemblies: str) -> None:
    config = StreamingApiConfiguration("memory://engine-bad", backend="dotnet", processing="gpu")
    with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
        result = library.get_data_reader_api().create_service()
        assert not result.success and "unknown processing engine 'gpu'" in result.message


def test_typed_columns_with_statuses_cross_the_bridge(library: SupportLibrary) -> None:
    key = write_session(library, DATA_SOURCE)
    chain = Chain(library, DATA_SOURCE, key, list(TYPED))
    samples, stamps = Samples(), Stamps()
    chain.samples.add_handler(samples)
    chain.samples.add_handler(stamps)
    chain.run()
    items = samples.items.wait_for(lambda xs: any(isinstance(x, EndSampleData) for x in xs))
    assert isinstance(items[0], StartSampleData) and isinstance(items[-1], EndSampleData)
    by_name = {item.identifier: item for item in items[1:-1]}
    assert set(by_name) == set(TYPED)
    times = T0 + np.arange(4, dtype=np.int64) * 10 * MS
    for name, (_, _, values, statuses) in TYPED.items():
        data = by_name[name]
        assert data.session_key == key and data.data_source == DATA_SOURCE
        np.testing.assert_array_equal(data.timestamps, times)
        assert data.value_array.tolist() == values
        assert [value.status for value in data.values] == [ValueStatus(s) for s in statuses]
        assert [value.value for value in data.values] == values
    assert by_name["gear:Car"].value_array.dtype == np.int32 and by_name["drs:Car"].value_array.dtype == np.bool_
    stamped = stamps.items.wait_for(lambda xs: any(isinstance(x, EndTimestampData) for x in xs))
    assert isinstance(stamped[0], StartTimestampData) and len(stamped) == 3
    columns = stamped[1].time_columns
    assert [c.timestamp for c in columns] == times.tolist()
    assert {v.identifier: v.value for v in columns[1].sample_values} == {n: t[2][1] for n, t in TYPED.items()}
    assert chain.samples.known_parameters() == frozenset(TYPED)
    chain.stop()


def test_unsubscribed_parameters_are_not_delivered(library: SupportLibrary) -> None:
    key = write_session(library, DATA_SOURCE)
    chain = Chain(library, DATA_SOURCE, key, ["speed:Car", "gear:Car"])
    assert chain.samples.unsubscribe(["gear:Car"]).success
    samples = Samples()
    chain.samples.add_sample_handler(samples)
    chain.run()
    items = samples.items.wait_for(lambda xs: any(isinstance(x, EndSampleData) for x in xs))
    assert [item.identifier for item in items[1:-1]] == ["speed:Car"]
    chain.stop()


def _sine_session(library: SupportLibrary) -> tuple[str, np.ndarray, np.ndarray]:
    sessions = ok(library.get_session_manager_api().create_service())
    sessions.initialise()
    sessions.start()
    times = T0 + np.arange(100, dtype=np.int64) * 10 * MS
    values = np.sin(np.arange(100) / 7.0)
    key = "pending"
    contents = [
        wrap_packet("PeriodicData", periodic_packet(["v:Car"], int(times[i]), 10 * MS, values[None, i : i + 10]), key)
        for i in range(0, 100, 10)
    ]
    return write_session(library, DATA_SOURCE, contents), times, values


def test_default_statistics_batched_per_delivery_period(library: SupportLibrary) -> None:
    key, times, values = _sine_session(library)
    chain = Chain(library, DATA_SOURCE, key, None)
    batches = Batches()
    assert chain.data.subscribe("stats", ["v:Car"], 20.0, batches, 5.0).success
    chain.run()
    items = batches.items.wait_count(5)
    assert [b.delivery_interval_start_time_nano for b in items] == [T0 + k * 200 * MS for k in range(5)]
    assert all(b.subscription_key == "stats" and b.session_key == key for b in items)
    results = [r for b in items for r in b.results]
    assert len(results) == 20 and all(isinstance(r, DefaultResult) for r in results)
    for k, result in enumerate(results):
        inside = values[(times >= T0 + k * 50 * MS) & (times < T0 + (k + 1) * 50 * MS)]
        assert result.count == 5 and result.mean == pytest.approx(np.mean(inside), rel=1e-12)
        assert (result.first, result.last, result.min, result.max) == (inside[0], inside[-1], inside.min(), inside.max())
    starts, means = items[0].to_numpy()
    assert starts.tolist() == [T0 + k * 50 * MS for k in range(4)] and means.shape == (4, 1)
    chain.stop()


class _Sum(ProcessResult):
    def __init__(self, context: ProcessContext, thread: str) -> None:
        super().__init__(context.parameter_id, context.interval_start_time_nano, context.interval_end_time_nano)
        self.total = sum(p.value for p in context.interval_data_points)
        self.count = len(context.interval_data_points)
        self.thread = thread


class _Summing(ISubscriptionProcessor):
    def __init__(self, fail_at: int | None = None) -> None:
        self.calls = 0
        self.fail_at = fail_at

    def process(self, context: ProcessContext) -> IProcessResult:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("processor failure on purpose")
        return _Sum(context, threading.current_thread().name)


def test_python_processor_called_by_csharp(library: SupportLibrary) -> None:
    key, times, values = _sine_session(library)
    chain = Chain(library, DATA_SOURCE, key, None)
    batches, processor = Batches(), _Summing()
    assert chain.data.subscribe("sum", ["v:Car"], 10.0, batches, 10.0, processor).success
    chain.run()
    items = batches.items.wait_count(10)
    results = [r for b in items for r in b.results]
    assert all(isinstance(r, _Sum) for r in results) and processor.calls == 10
    assert [r.count for r in results] == [10] * 10  # type: ignore[attr-defined]
    assert sum(r.total for r in results) == pytest.approx(values.sum())  # type: ignore[attr-defined]
    assert all(r.thread.startswith("dotnet-processor-") for r in results)  # type: ignore[attr-defined]
    assert all(batch.table is None for batch in items)
    chain.stop()


class _Raising(Batches):
    def handle(self, batch_result: object) -> None:
        super().handle(batch_result)  # type: ignore[arg-type]
        raise ValueError("handler failure on purpose")


def test_raising_handler_and_processor_are_reported(library: SupportLibrary) -> None:
    from tests.processing.rig import RecordingLogger

    logger = RecordingLogger()
    key, _, _ = _sine_session(library)
    chain = Chain(library, DATA_SOURCE, key, None)
    for service in (chain.samples, chain.data):
        service._logger = logger  # type: ignore[attr-defined]
    chain.data._batches._logger = logger  # type: ignore[attr-defined]
    raising, processor, summed = _Raising(), _Summing(fail_at=3), Batches()
    assert chain.data.subscribe("raising", ["v:Car"], 10.0, raising, 10.0).success
    assert chain.data.subscribe("failing", ["v:Car"], 10.0, summed, 10.0, processor).success
    chain.run()
    assert len(raising.items.wait_count(10)) == 10  # every batch still delivered
    chain.stop()
    assert sum("handler failure on purpose" in m for m in logger.errors()) == 10
    assert any("processor failure on purpose" in m and "v:Car" in m for m in logger.errors())
    # the batches before the failing interval were delivered (one interval per batch), then the run ended
    assert processor.calls == 3
    assert [b.delivery_interval_start_time_nano for b in summed.items.wait_count(0)] == [T0, T0 + 100 * MS]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((["v:Car"], 0.0), "subscription_frequency_hz must be a positive finite number"),
        ((["v:Car"], -5.0), "subscription_frequency_hz must be a positive finite number"),
        ((["v:Car"], 10.0, 0.0), "delivery_frequency_hz must be a positive finite number"),
        (([], 10.0), "non-empty list"),
        (("v:Car", 10.0), "list of str"),
        ((["v:Car", "v:Car"], 10.0), "duplicates"),
    ],
)
def test_bad_subscriptions_are_refused(library: SupportLibrary, arguments: tuple[object, ...], message: str) -> None:
    data = ok(library.get_data_reader_api().create_service())
    identifiers, frequency, *delivery = arguments
    result = data.subscribe("k", identifiers, frequency, Batches(), *delivery)  # type: ignore[arg-type]
    assert not result.success and message in result.message


def test_unknown_parameters_and_keys(library: SupportLibrary) -> None:
    key, _, _ = _sine_session(library)
    chain = Chain(library, DATA_SOURCE, key, None)
    assert chain.data.subscribe("a", ["v:Car"], 10.0, Batches()).success
    taken = chain.data.subscribe("a", ["v:Car"], 10.0, Batches())
    assert not taken.success and "taken" in taken.message
    chain.run()
    typo = chain.data.subscribe("b", ["v:Cra"], 10.0, Batches())
    assert not typo.success and "unknown parameters ['v:Cra']" in typo.message
    assert chain.data.unsubscribe("a").success
    missing = chain.data.unsubscribe("a")
    assert not missing.success and "no subscription 'a'" in missing.message
    chain.stop()


def test_wiring_across_backends_is_refused(library: SupportLibrary) -> None:
    from ma_support_lib.processing import ReplayPacketReader

    samples = ok(library.get_sample_reader_api().create_service(BufferingConfiguration()))
    with pytest.raises(TypeError, match="packet reader of the dotnet backend"):
        samples.set_reader_service(ReplayPacketReader(Logger()))
    data = ok(library.get_data_reader_api().create_service())
    with pytest.raises(TypeError, match="sample reader of the dotnet backend"):
        data.set_sample_reader_service(object())  # type: ignore[arg-type]


def test_lifecycle_and_last_time_info(library: SupportLibrary) -> None:
    samples = ok(library.get_sample_reader_api().create_service(BufferingConfiguration(["x:y"])))
    data = ok(library.get_data_reader_api().create_service())
    data.set_sample_reader_service(samples)
    for service in (data, samples):
        service.initialise()
        service.start()
        assert service.is_started
    assert samples.get_last_time_info(DATA_SOURCE, "no-such-session") == []
    assert samples.subscribe_all().success and samples.unsubscribe_all().success
    bad = samples.subscribe(["ok:x", ""])
    assert not bad.success and "non-empty" in bad.message
    for service in (samples, data):
        service.stop()
        assert service.is_stopped
    stopped = data.subscribe("late", ["x:y"], 1.0, Batches())
    assert not stopped.success and "stopped" in stopped.message
