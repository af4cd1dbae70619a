"""Decoders return exactly what the protobuf parser reads, for any encoding of a packet."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from ma_support_lib.packets import (
    PacketDecodeError,
    SampleData,
    decode_content,
    decode_packet,
    decode_periodic,
    decode_rows,
    decode_synchro,
    periodic_packet,
    row_packet,
    synchro_packet,
    wrap_packet,
)
from ma_support_lib.protos import open_data_pb2 as od

from . import reference
from .generators import KINDS, column, data_format, pick, statuses, uniform_column
from .oracle import Expected, Invalid, assert_matches, expected
from .wire import delimited, fixed64, tag, uint, varint


def check(packet_type: str, content: bytes) -> SampleData | None:
    """Decode ``content`` and compare with the oracle; None when it is (rightly) refused."""
    try:
        want: Expected | None = expected(packet_type, content)
    except Invalid:
        want = None
    if want is None:
        with pytest.raises(PacketDecodeError):
            decode_content(packet_type, content)  # type: ignore[arg-type]
        return None
    decoded = decode_content(packet_type, content)  # type: ignore[arg-type]
    assert decoded.packet_type == packet_type
    assert_matches(decoded, want)
    return decoded


def _random_periodic(rng: np.random.Generator, uniform: bool) -> tuple[bytes, list[np.ndarray], list[np.ndarray]]:
    count, size = int(rng.integers(0, 6)), pick(rng, [0, 1, 2, 10, 300, 2000])
    kinds = [str(rng.choice(KINDS)) for _ in range(count)]
    columns = [uniform_column(kind, size, rng) if uniform else column(rng, kind, size) for kind in kinds]
    per_column = [statuses(rng, (size,), mixed=not uniform) for _ in range(count)]
    content = periodic_packet(data_format(rng, count), int(rng.integers(2**40)), int(rng.integers(2**20)), columns, per_column)
    return content, columns, per_column


@pytest.mark.parametrize("seed", range(60))
def test_periodic_round_trip(seed: int) -> None:
    rng = np.random.default_rng(seed)
    content, columns, per_column = _random_periodic(rng, uniform=seed % 3 == 0)
    decoded = check("PeriodicData", content)
    assert decoded is not None
    for actual, values in zip(decoded.values, columns):
        if values.dtype.kind == "f":
            assert actual.view(np.uint64).tolist() == values.view(np.uint64).tolist()
        else:
            assert actual.tolist() == values.tolist()
    assert [s.tolist() for s in decoded.statuses] == [s.tolist() for s in per_column]


def test_periodic_values_and_timestamps() -> None:
    values = np.array([[1.5, -0.0, 0.0, np.nan], [np.inf, 2.0, 3.0, -4.0]])
    marks = np.array([[1, 0, 2, 3], [1, 1, 1, 1]], np.uint8)
    decoded = decode_periodic(periodic_packet(["a", "b"], 1_000, 250, values, marks))
    assert decoded.data_format == ("a", "b")
    assert decoded.timestamps.tolist() == [1_000, 1_250, 1_500, 1_750]
    assert decoded.interval == 250
    assert decoded.value_matrix().view(np.uint64).tolist() == values.view(np.uint64).tolist()
    assert decoded.status_matrix().tolist() == marks.tolist()
    assert decoded.values[0].flags.writeable and decoded.values[0].dtype == np.float64


def test_mixed_types_and_strings_come_back_typed() -> None:
    columns = [np.array([1.0, 2.0]), np.array([-1, 5], np.int32), np.array([True, False]), np.array(["", "ü"], object)]
    decoded = decode_packet(wrap_packet("PeriodicData", periodic_packet(4, 0, 1, columns), "key"))
    assert [v.dtype for v in decoded.values] == [np.float64, np.int32, np.bool_, object]
    assert [v.tolist() for v in decoded.values] == [c.tolist() for c in columns]
    assert decoded.data_format == 4


@pytest.mark.parametrize("seed", range(30))
def test_rows_round_trip(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    kind = str(rng.choice(KINDS))
    rows, parameters = pick(rng, [0, 1, 3, 40, 500]), int(rng.integers(0, 5))
    values = column(rng, kind, rows * parameters).reshape(rows, parameters)
    if seed % 3 == 0 and rows:
        values = np.stack([uniform_column(kind, parameters, rng) for _ in range(rows)])
    timestamps = np.sort(rng.integers(0, 2**62, size=rows))
    marks = statuses(rng, values.shape, mixed=seed % 2 == 0)
    decoded = check("RowData", row_packet(data_format(rng, parameters), timestamps, values, marks))
    assert decoded is not None
    assert decoded.timestamps.tolist() == timestamps.tolist()
    if rows:
        assert decoded.status_matrix().T.tolist() == marks.tolist()
        assert len(decoded.values) == parameters


@pytest.mark.parametrize("seed", range(30))
def test_synchro_round_trip(seed: int) -> None:
    rng = np.random.default_rng(400 + seed)
    size = pick(rng, [1, 2, 50, 1000])
    intervals = rng.integers(0, 2**32, size=size - 1).astype(np.uint32)
    columns = [column(rng, str(rng.choice(KINDS)), size) for _ in range(int(rng.integers(0, 4)))]
    content = synchro_packet(data_format(rng, len(columns)), int(rng.integers(2**40)), intervals, columns, 3)
    decoded = check("SynchroData", content)
    assert decoded is not None
    assert np.diff(decoded.timestamps).tolist() == intervals.tolist()


@pytest.mark.parametrize("seed", range(40))
def test_packets_built_with_protobuf(seed: int) -> None:
    """Irregular layouts of every kind: the general record parser and the fallback."""
    rng = np.random.default_rng(500 + seed)
    size = pick(rng, [0, 1, 5, 100, 3000])
    columns = [column(rng, kind, size, special=0.3, zeros=0.2) for kind in KINDS for _ in range(2)]
    marks = [statuses(rng, (size,)) for _ in columns]
    check("PeriodicData", reference.periodic(7, 1, 2, columns, marks))
    intervals = rng.integers(0, 2**32, size=max(size - 1, 0)).astype(np.uint32)
    if size:
        check("SynchroData", reference.synchro(7, 1, intervals, columns, marks))
    kind = str(rng.choice(KINDS))
    rows = column(rng, kind, size * 3).reshape(size, 3)
    check("RowData", reference.rows(None, np.arange(size), rows, statuses(rng, rows.shape)))


def test_values_that_look_like_records() -> None:
    """Doubles whose bytes spell record headers must not derail the record search."""
    fake = [b"\x0a\x00" * 4, b"\x0a\x00\x0a\x00\x0a\x0b\x09\x00", b"\x00\x0a\x00\x0a\x00\x0a\x00\x0a", b"\x0a\x02\x10\x01" * 2]
    doubles = np.array([struct.unpack("<d", raw)[0] for raw in fake] * 50)
    doubles[::7] = 0.0
    for marks in (np.zeros(len(doubles), np.uint8), np.ones(len(doubles), np.uint8)):
        check("PeriodicData", reference.periodic(1, 1, 1, [doubles, doubles[::-1].copy()], [marks, marks]))


def test_mixed_row_types_come_back_as_objects() -> None:
    rows = [
        od.SampleRow(double_samples=od.DoubleSampleList(samples=[od.DoubleSample(value=1.5), od.DoubleSample(value=2)])),
        od.SampleRow(double_samples=od.DoubleSampleList(samples=[od.DoubleSample(value=float("nan")), od.DoubleSample(value=-0.0)])),
        od.SampleRow(int32_samples=od.Int32SampleList(samples=[od.Int32Sample(value=-3), od.Int32Sample(value=4)])),
        od.SampleRow(bool_samples=od.BoolSampleList(samples=[od.BoolSample(value=True), od.BoolSample()])),
    ]
    content = od.RowDataPacket(timestamps=[1, 2, 3, 4], rows=rows).SerializeToString()
    decoded = check("RowData", content)
    assert decoded is not None
    assert decoded.values[0].tolist()[::2] == [1.5, -3] and decoded.values[0][3] is True


# --- encodings that SerializeToString() does not write -----------------------------------------


def _double_record(value: float | None, status: int | None, *, status_first: bool = False, extra: int = 0) -> bytes:
    fields = []
    if value is not None:
        fields.append(tag(1, 1) + struct.pack("<d", value))
    if status is not None:
        fields.append(uint(2, status, extra=extra))
    if status_first:
        fields.reverse()
    return delimited(1, b"".join(fields))


def _column(records: list[bytes], list_field: int = 1) -> bytes:
    return delimited(4, delimited(list_field, b"".join(records)))


NON_CANONICAL_PERIODIC = {
    "fields in reverse order": _column([_double_record(1.0, 1)]) + uint(3, 5) + fixed64(2, 9) + delimited(1, uint(1, 3)),
    "start time twice": fixed64(2, 1) + fixed64(2, 2) + _column([_double_record(1.0, 1)]),
    "data format twice": delimited(1, uint(1, 3)) + delimited(1, uint(1, 4)) + _column([_double_record(1.0, 1)]),
    "unknown field": uint(15, 7) + _column([_double_record(1.0, 1)] * 3),
    "unknown field at the end": _column([_double_record(1.0, 1)] * 3) + delimited(99, b"xyz"),
    "status before value": _column([_double_record(1.0, 1, status_first=True)] * 4),
    "explicit defaults": _column([_double_record(0.0, 0)] * 4),
    "overlong status": _column([_double_record(2.0, 1, extra=2)] * 3),
    "overlong interval": uint(3, 7, extra=3) + _column([_double_record(2.0, 1)]),
    "interval wider than 32 bits": uint(3, 2**40 + 7) + _column([_double_record(2.0, 1)] * 2),
    "status beyond 127": _column([_double_record(2.0, 200)] * 3),
    "negative status": _column([_double_record(2.0, -1)] * 3),
    "list split in two": delimited(4, delimited(1, _double_record(1.0, 1)) + delimited(1, _double_record(2.0, 2))),
    "column with extra field": delimited(4, delimited(1, _double_record(1.0, 1)) + uint(7, 1)),
    "empty column": delimited(4, b""),
    "column types switch": delimited(4, delimited(1, _double_record(1.0, 1)) + delimited(2, delimited(1, uint(1, 3)))),
    "ragged columns": _column([_double_record(1.0, 1)] * 2) + _column([_double_record(1.0, 1)] * 3),
    "value twice": _column([delimited(1, tag(1, 1) + struct.pack("<d", 1.0) + tag(1, 1) + struct.pack("<d", 2.0))]),
    "value as varint": _column([delimited(1, uint(1, 5))] * 2),
    "start time beyond int64": fixed64(2, 2**63) + uint(3, 1) + _column([_double_record(1.0, 1)]),
    "last timestamp beyond int64": fixed64(2, 2**63 - 2) + uint(3, 1) + _column([_double_record(1.0, 1)] * 3),
    "int32 as 5-byte uint32": _column([delimited(1, tag(1, 0) + varint(2**32 - 1))] * 2, 2),
    "int32 overlong": _column([delimited(1, uint(1, 5, extra=3) + uint(2, 1))] * 2, 2),
    "int32 beyond 64 bits": _column([delimited(1, tag(1, 0) + b"\xff" * 9 + b"\x7f")], 2),
    "int32 varint too long": _column([delimited(1, tag(1, 0) + b"\xff" * 10 + b"\x01")], 2),
    "bool as 2": _column([delimited(1, uint(1, 2) + uint(2, 1))] * 3, 3),
    "bool overlong": _column([delimited(1, uint(1, 1, extra=1))] * 3, 3),
    "string with bad utf-8": _column([delimited(1, delimited(1, b"\xff\xfe"))], 4),
    "same record size, other layout": _column([delimited(1, uint(1, 16384)), delimited(1, uint(1, 5) + uint(2, 1))], 2),
    "record split across columns": delimited(4, delimited(1, b"\x0a\x02")) + delimited(4, delimited(1, b"\x10\x01")),
    "varint longer than 10 bytes": tag(4, 2) + b"\xff" * 11 + b"\x01",
    "truncated": periodic_packet(1, 1, 1, np.ones((2, 5)))[:-3],
    "garbage": b"\xff\xff\xff\xff",
    "wrong wire type": tag(2, 0) + varint(5),
    "group": tag(5, 3) + tag(5, 4),
}


@pytest.mark.parametrize("name", sorted(NON_CANONICAL_PERIODIC))
def test_unusual_periodic_encodings(name: str) -> None:
    check("PeriodicData", NON_CANONICAL_PERIODIC[name])


def test_unpacked_and_split_repeated_fields() -> None:
    row = delimited(3, delimited(1, _double_record(1.0, 1)))
    check("RowData", fixed64(2, 5) + fixed64(2, 6) + row + row)
    check("RowData", delimited(2, (5).to_bytes(8, "little")) + delimited(2, (6).to_bytes(8, "little")) + row + row)
    check("RowData", delimited(2, b"\x00" * 7) + row)
    column = _column([_double_record(1.0, 1)] * 3)
    check("SynchroData", uint(3, 5) + uint(3, 6) + column)
    check("SynchroData", delimited(3, varint(5)) + delimited(3, varint(6, extra=2)) + column)
    check("SynchroData", delimited(3, varint(2**33)) + _column([_double_record(1.0, 1)] * 2))
    check("SynchroData", delimited(3, b"\x80") + column)
    check("SynchroData", delimited(3, b"") + _column([_double_record(1.0, 1)]))
    check("SynchroData", delimited(3, varint(5, extra=5) + varint(6)) + column)
    check("SynchroData", fixed64(2, 2**63 - 10) + delimited(3, varint(9) + varint(2)) + column)
    check("RowData", delimited(2, bytes(16)) + row + delimited(3, delimited(1, _double_record(1.0, 1) * 2)))


def test_inconsistent_counts_are_refused() -> None:
    row = delimited(3, delimited(1, _double_record(1.0, 1)))
    with pytest.raises(PacketDecodeError, match="timestamps"):
        decode_rows(delimited(2, (5).to_bytes(8, "little")) + row + row)
    with pytest.raises(PacketDecodeError, match="intervals"):
        decode_synchro(delimited(3, varint(5)) + _column([_double_record(1.0, 1)] * 3))
    with pytest.raises(PacketDecodeError, match="different lengths"):
        decode_periodic(NON_CANONICAL_PERIODIC["ragged columns"])


@pytest.mark.parametrize("seed", range(25))
def test_corrupted_bytes(seed: int) -> None:
    """Flipped, cut and inserted bytes: refused, or decoded exactly as protobuf reads them."""
    rng = np.random.default_rng(600 + seed)
    packet_type = str(rng.choice(["PeriodicData", "RowData", "SynchroData"]))
    size = pick(rng, [1, 3, 40])
    if packet_type == "RowData":
        kind = str(rng.choice(KINDS))
        content = row_packet(5, np.arange(size), column(rng, kind, size * 2).reshape(size, 2), statuses(rng, (size, 2)))
    else:
        columns = [column(rng, str(rng.choice(KINDS)), size) for _ in range(2)]
        marks = [statuses(rng, (size,)) for _ in columns]
        if packet_type == "PeriodicData":
            content = periodic_packet([" a", "b"], 10, 3, columns, marks)
        else:
            content = synchro_packet(["a", "b"], 10, np.arange(size - 1), columns, marks)
    for _ in range(40):
        damaged = bytearray(content)
        action = int(rng.integers(3))
        position = int(rng.integers(len(damaged)))
        if action == 0:
            damaged[position] ^= 1 << int(rng.integers(8))
        elif action == 1:
            del damaged[position:]
        else:
            damaged[position:position] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 4)), dtype=np.uint8))
        check(packet_type, bytes(damaged))


def test_envelope_errors() -> None:
    with pytest.raises(PacketDecodeError, match="carries no samples"):
        decode_packet(od.Packet(type="Marker", content=b"").SerializeToString())
    with pytest.raises(PacketDecodeError, match="malformed Packet"):
        decode_packet(b"\x0a\xff")
    with pytest.raises(PacketDecodeError):
        decode_content("Marker", b"")  # type: ignore[arg-type]


def test_empty_packets() -> None:
    assert decode_periodic(b"").values == () and decode_periodic(b"").timestamps.tolist() == []
    assert decode_rows(b"").data_format is None
    assert decode_synchro(b"").timestamps.tolist() == [0]
    assert decode_periodic(periodic_packet(1, 1, 1, np.zeros((3, 0)))).value_matrix().shape == (3, 0)
    assert decode_rows(b"").value_matrix().shape == (0, 0)


def test_bytes_like_content() -> None:
    content = periodic_packet(1, 1, 1, np.arange(6, dtype=np.float64).reshape(2, 3) + 1)
    for data in (bytearray(content), memoryview(content)):
        assert decode_periodic(data).value_matrix().tolist() == [[1, 2, 3], [4, 5, 6]]  # type: ignore[arg-type]
