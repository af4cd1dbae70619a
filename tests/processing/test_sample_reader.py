"""The sample reader fed directly: merging, sentinels, sample types, includes, subscriptions."""

from __future__ import annotations

import numpy as np
import pytest

from ma_support_lib.contracts.buffering.buffering_configuration import BufferingConfiguration
from ma_support_lib.contracts.buffering.can_data import CanData
from ma_support_lib.contracts.buffering.end_sample_data import EndSampleData
from ma_support_lib.contracts.buffering.end_timestamp_data import EndTimestampData
from ma_support_lib.contracts.buffering.error_data import ErrorData
from ma_support_lib.contracts.buffering.event_data import EventData
from ma_support_lib.contracts.buffering.marker_data import MarkerData
from ma_support_lib.contracts.buffering.merge_strategy import MergeStrategy
from ma_support_lib.contracts.buffering.start_sample_data import StartSampleData
from ma_support_lib.contracts.buffering.start_timestamp_data import StartTimestampData
from ma_support_lib.contracts.buffering.value_status import ValueStatus
from ma_support_lib.contracts.shared.i_handler import IHandler
from ma_support_lib.packets import periodic_packet, row_packet, synchro_packet, wrap_packet
from ma_support_lib.protos import open_data_pb2

from .rig import SESSION, SOURCE, T0, Pipeline, Samples, Stamps, periodic_packets, sine

MS = 1_000_000
PARAMS = ["A:App", "B:App"]


def ramp_packets(seconds: float = 5.0, per_packet: int = 10) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    times, _ = sine(100.0, seconds)
    values = np.vstack([np.arange(len(times), dtype=np.float64), -np.arange(len(times), dtype=np.float64)])
    return times, values, periodic_packets(PARAMS, times, values, per_packet)


def test_overlapping_out_of_order_streams_are_merged_in_time_order_once() -> None:
    times, values, packets = ramp_packets()
    overlapping = packets[:30] + packets[20:40] + packets[30:]  # 10 packets sent twice
    order = np.random.default_rng(3).permutation(len(overlapping))
    pipeline = Pipeline(BufferingConfiguration(PARAMS, 1000, 5))
    pipeline.reader.begin(SOURCE, SESSION)
    for index in order:  # the permutation spans the session: the window is too short for part of it
        pipeline.reader.feed(SOURCE, SESSION, overlapping[index], "Stream1" if index % 2 else "Stream2")
    pipeline.reader.end(SOURCE, SESSION)
    delivered, dvalues, _ = pipeline.windows.column(PARAMS[0])
    assert (np.diff(delivered) > 0).all()
    assert set(delivered.tolist()) <= set(times.tolist())
    np.testing.assert_array_equal(dvalues, (delivered - T0) // (10 * MS))
    late = len(times) - len(delivered)
    assert late > 0
    warnings = [message for level, message in pipeline.logger.messages if level == "warning"]
    assert any("samples arrived after their range was emitted" in message for message in warnings)


@pytest.mark.parametrize("strategy", [MergeStrategy.READING_MERGE, MergeStrategy.WRITING_MERGE])
def test_shuffled_within_the_window_gives_exactly_the_input(strategy) -> None:
    times, values, packets = ramp_packets()
    shuffled = []
    rng = np.random.default_rng(11)
    for start in range(0, len(packets), 10):
        block = packets[start : start + 10]
        shuffled += [block[i] for i in rng.permutation(len(block))]
    pipeline = Pipeline(BufferingConfiguration(PARAMS, 3000, 5, strategy))
    pipeline.replay(shuffled + packets[:5])  # and some sent again
    for p, identifier in enumerate(PARAMS):
        delivered, dvalues, statuses = pipeline.windows.column(identifier)
        np.testing.assert_array_equal(delivered, times)
        np.testing.assert_array_equal(dvalues, values[p])
        assert (statuses == ValueStatus.VALID).all()
    windows = [w for w in pipeline.windows.items if not w.is_final]
    assert len(windows) > 3
    for previous, following in zip(pipeline.windows.items, pipeline.windows.items[1:]):
        assert previous.end_time == following.start_time


def test_sentinels_and_merging_events_frame_each_session() -> None:
    config = BufferingConfiguration(PARAMS, 1000, 50)
    pipeline = Pipeline(config)
    samples, stamps, events = Samples(), Stamps(), []
    pipeline.samples.add_handler(samples)
    pipeline.samples.add_handler(stamps)
    pipeline.samples.session_data_merging_started.subscribe(lambda s, info: events.append(("started", info.session_key)))
    pipeline.samples.session_data_merging_completed.subscribe(lambda s, info: events.append(("completed", info.session_key)))
    _, _, packets = ramp_packets(3.0)
    pipeline.replay(packets, session="one")
    pipeline.replay(packets, session="two")
    assert events == [("started", "one"), ("completed", "one"), ("started", "two"), ("completed", "two")]
    for items, start, end in ((samples.items, StartSampleData, EndSampleData), (stamps.items, StartTimestampData, EndTimestampData)):
        keys = [item.session_key for item in items]
        assert keys == sorted(keys, key=["one", "two"].index)
        for key in ("one", "two"):
            mine = [item for item in items if item.session_key == key]
            assert isinstance(mine[0], start) and isinstance(mine[-1], end)
            assert not any(isinstance(item, (start, end)) for item in mine[1:-1])
    data = [item for item in samples.items if item.session_key == "one" and item.identifier == PARAMS[1]]
    values = [value.cast(float) for item in data for value in item.values]
    assert values == [-float(i) for i in range(300)]
    columns = [column for item in stamps.items if item.session_key == "one" for column in item.time_columns]
    assert [column.timestamp for column in columns] == (T0 + np.arange(300) * 10 * MS).tolist()
    assert [[v.identifier for v in column.sample_values] for column in columns[:1]] == [PARAMS]


def test_every_sample_type_and_packet_kind_with_statuses() -> None:
    pipeline = Pipeline(BufferingConfiguration(None, 1000, 10))
    assert pipeline.samples.subscribe(["D:x", "I:x", "B:x", "S:x", "R1:x", "R2:x", "Y:x"]).success
    statuses = np.array([[1, 2, 3]], dtype=np.uint8)
    packets = [
        wrap_packet("PeriodicData", periodic_packet(["D:x"], T0, 10 * MS, np.array([[1.5, 2.5, 3.5]]), statuses)),
        wrap_packet("PeriodicData", periodic_packet(["I:x", "B:x"], T0, 10 * MS, [np.array([1, -2, 3], np.int32), np.array([True, False, True])])),
        wrap_packet("PeriodicData", periodic_packet(["S:x"], T0, 10 * MS, np.array([["a", "b", "c"]], dtype=object))),
        wrap_packet("RowData", row_packet(["R1:x", "R2:x"], [T0 + 5 * MS, T0 + 15 * MS], np.array([[1.0, 2.0], [3.0, 4.0]]))),
        wrap_packet("SynchroData", synchro_packet(["Y:x"], T0, [7 * MS, 9 * MS], np.array([[7.0, 8.0, 9.0]]))),
    ]
    pipeline.replay(packets)
    expected = {
        "D:x": ([0, 10, 20], [1.5, 2.5, 3.5], [1, 2, 3]),
        "I:x": ([0, 10, 20], [1, -2, 3], [1, 1, 1]),
        "B:x": ([0, 10, 20], [True, False, True], [1, 1, 1]),
        "S:x": ([0, 10, 20], ["a", "b", "c"], [1, 1, 1]),
        "R1:x": ([5, 15], [1.0, 3.0], [1, 1]),
        "R2:x": ([5, 15], [2.0, 4.0], [1, 1]),
        "Y:x": ([0, 7, 16], [7.0, 8.0, 9.0], [1, 1, 1]),
    }
    for identifier, (offsets, values, statuses_) in expected.items():
        times, delivered, status = pipeline.windows.column(identifier)
        assert ((times - T0) // MS).tolist() == offsets, identifier
        assert delivered.tolist() == values, identifier
        assert status.tolist() == statuses_, identifier
    assert pipeline.windows.column("I:x")[1].dtype == np.int32


def other_packets() -> list[bytes]:
    marker = open_data_pb2.MarkerPacket(timestamp=T0 + 3 * MS, label="Out Lap", type="Lap Trigger", source="0", value=1)
    event = open_data_pb2.EventPacket(data_format=open_data_pb2.EventDataFormat(event_identifier="Pit:App"), timestamp=T0 + 1 * MS, raw_values=[1.0, 2.0])
    error = open_data_pb2.ErrorPacket(error_identifier="E1", timestamp=T0 + 2 * MS, name="Overheat", type=1, status=1)
    can = open_data_pb2.RawCANDataPacket(timestamp=T0 + 4 * MS, bus=2, can_id=0x101, payload=b"\x01\x02", type=2)
    return [
        wrap_packet("Marker", marker.SerializeToString()),
        wrap_packet("Event", event.SerializeToString()),
        wrap_packet("Error", error.SerializeToString()),
        wrap_packet("RawCANData", can.SerializeToString()),
    ]


def test_markers_events_errors_and_can_when_included() -> None:
    included = Pipeline(BufferingConfiguration(None, 1000, 10, None, True, True, True, True))
    stamps = Stamps()
    included.samples.add_timestamp_handler(stamps)
    included.replay(other_packets())
    values = {name: included.windows.column(name)[1].tolist() for name in ("Marker", "Event", "Error", "CAN")}
    assert values["Marker"] == [MarkerData(T0 + 3 * MS, 0, "Out Lap", "Lap Trigger", "", "0", 1)]
    assert values["Event"] == [EventData("Pit:App", T0 + 1 * MS, (1.0, 2.0))]
    assert values["Error"] == [ErrorData("E1", T0 + 2 * MS, "", "", "Overheat", "", 1, 1)]
    assert values["CAN"] == [CanData(T0 + 4 * MS, 2, 0x101, b"\x01\x02", 2)]
    columns = [column for item in stamps.items for column in item.time_columns]
    assert [column.sample_values[0].value_type.__name__ for column in columns] == ["EventData", "ErrorData", "MarkerData", "CanData"]
    excluded = Pipeline(BufferingConfiguration(None, 1000, 10))
    excluded.samples.subscribe_all()
    excluded.replay(other_packets())
    assert all(not window.columns for window in excluded.windows.items)


def test_subscriptions_change_while_running() -> None:
    times, values, packets = ramp_packets(6.0)
    pipeline = Pipeline(BufferingConfiguration([PARAMS[0]], 1000, 10))
    pipeline.reader.begin(SOURCE, SESSION)
    for packet in packets[:20]:  # 10 samples each
        pipeline.reader.feed(SOURCE, SESSION, packet)
    assert pipeline.samples.subscribe([PARAMS[1]]).success
    assert pipeline.samples.unsubscribe([PARAMS[0]]).success
    for packet in packets[20:40]:
        pipeline.reader.feed(SOURCE, SESSION, packet)
    assert pipeline.samples.get_last_time_info(SOURCE, SESSION) == [("", int(times[399]))]
    assert pipeline.samples.unsubscribe_all().success
    for packet in packets[40:]:
        pipeline.reader.feed(SOURCE, SESSION, packet)
    pipeline.reader.end(SOURCE, SESSION)
    first, _, _ = pipeline.windows.column(PARAMS[0])
    second, _, _ = pipeline.windows.column(PARAMS[1])
    assert first[-1] < times[200] and first[0] == times[0]  # its buffered samples were dropped
    np.testing.assert_array_equal(second, times[200:400][: len(second)])
    assert pipeline.samples.get_last_time_info(SOURCE, SESSION) == []
    assert "single string" in pipeline.samples.subscribe("A:App").message
    assert not pipeline.samples.subscribe([""]).success


def test_handlers_are_told_apart_and_one_that_raises_does_not_stop_the_others() -> None:
    class Untyped:
        def handle(self, item: object) -> None: ...

    class Failing(IHandler[object]):
        def handle(self, obj: object) -> None:
            raise RuntimeError("boom")

    pipeline = Pipeline(BufferingConfiguration(PARAMS, 1000, 10))
    with pytest.raises(TypeError, match="add_timestamp_handler"):
        pipeline.samples.add_handler(Untyped())  # type: ignore[arg-type]
    failing, samples = Failing(), Samples()
    pipeline.samples.add_sample_handler(failing)  # type: ignore[arg-type]
    pipeline.samples.add_handler(samples)
    _, _, packets = ramp_packets(3.0)
    pipeline.replay(packets)
    assert sum(len(item.timestamps) for item in samples.items) == 600
    assert any("boom" in message for message in pipeline.logger.errors())
    pipeline.samples.remove_handler(samples)
    pipeline.replay(packets, session="again")
    assert sum(len(item.timestamps) for item in samples.items) == 600


def test_bad_packets_are_logged_and_skipped() -> None:
    pipeline = Pipeline(BufferingConfiguration(PARAMS, 1000, 10))
    _, _, packets = ramp_packets(2.0)
    wrong_columns = wrap_packet("PeriodicData", periodic_packet(PARAMS, T0, MS, np.zeros((1, 3))[:, :3].repeat(1, 0)))
    by_id = wrap_packet("PeriodicData", periodic_packet(7, T0, MS, np.zeros((2, 3))))
    pipeline.replay([b"\xff\xff", wrong_columns, by_id, *packets])
    errors = pipeline.logger.errors()
    assert any("unreadable packet" in m for m in errors)
    assert any("1 columns for 2 parameters" in m for m in errors)
    assert any("data format 7" in m for m in errors)
    assert len(pipeline.windows.column(PARAMS[0])[0]) == 200
