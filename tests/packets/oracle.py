"""What a decoder must return for given bytes, worked out with the protobuf parser."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from ma_support_lib.packets import SampleData
from ma_support_lib.protos import open_data_pb2 as od

from .reference import read_lists

MESSAGES: dict[str, Any] = {"PeriodicData": od.PeriodicDataPacket, "RowData": od.RowDataPacket, "SynchroData": od.SynchroDataPacket}
DTYPES: dict[str, Any] = {"double_samples": np.float64, "int32_samples": np.int32, "bool_samples": np.bool_, "string_samples": object}


@dataclass
class Expected:
    data_format: Any
    timestamps: list[int]
    values: list[list[Any]]
    statuses: list[list[int]]
    dtypes: list[Any]


class Invalid(Exception):
    """The bytes must be refused with PacketDecodeError."""


def expected(packet_type: str, content: bytes) -> Expected:
    try:
        message = MESSAGES[packet_type].FromString(content)
    except DecodeError as error:
        raise Invalid(str(error)) from None
    data_format = None
    if message.HasField("data_format"):
        which = message.data_format.WhichOneof("format")
        if which == "data_format_identifier":
            data_format = message.data_format.data_format_identifier
        elif which == "parameter_identifiers":
            data_format = tuple(message.data_format.parameter_identifiers.parameter_identifiers)
    lists = message.rows if packet_type == "RowData" else message.columns
    if any(item.WhichOneof("list") is None for item in lists):
        raise Invalid("a list without samples")
    kinds = [item.WhichOneof("list") for item in lists]
    values, statuses = read_lists(lists)
    if any(not 0 <= status <= 255 for row in statuses for status in row):
        raise Invalid("status beyond uint8")
    if len({len(v) for v in values}) > 1:
        raise Invalid("ragged")
    count = len(values[0]) if values else 0
    if packet_type == "PeriodicData":
        timestamps = [message.start_time + i * message.interval for i in range(count)]
        dtypes = [DTYPES[kind] for kind in kinds]
    elif packet_type == "SynchroData":
        timestamps = [message.start_time]
        for gap in message.intervals:
            timestamps.append(timestamps[-1] + gap)
        if values and count != len(timestamps):
            raise Invalid("samples and intervals disagree")
        dtypes = [DTYPES[kind] for kind in kinds]
    else:
        timestamps = list(message.timestamps)
        if len(timestamps) != len(values):
            raise Invalid("rows and timestamps disagree")
        values, statuses = [list(c) for c in zip(*values)], [list(c) for c in zip(*statuses)]
        mixed = len(set(kinds)) > 1
        dtypes = [object if mixed else DTYPES[kinds[0]] if kinds else None] * len(values)
    if timestamps and max(timestamps) > 2**63 - 1:
        raise Invalid("timestamps beyond int64")
    return Expected(data_format, timestamps, values, statuses, dtypes)


def _exact(value: Any) -> tuple[type, Any]:
    """A value with its type, floats as their bits (NaN equals itself, -0.0 differs from 0.0)."""
    return type(value), struct.pack("<d", value) if isinstance(value, float) else value


def assert_matches(decoded: SampleData, want: Expected) -> None:
    assert decoded.data_format == want.data_format
    assert decoded.timestamps.dtype == np.int64
    assert decoded.timestamps.tolist() == want.timestamps
    assert len(decoded.values) == len(want.values) == len(decoded.statuses)
    for actual, values, dtype in zip(decoded.values, want.values, want.dtypes):
        assert actual.dtype == np.dtype(dtype)
        if actual.dtype.kind == "f":
            assert actual.view(np.uint64).tolist() == np.array(values, dtype=np.float64).view(np.uint64).tolist()
        else:
            assert [_exact(v) for v in actual.tolist()] == [_exact(v) for v in values]
    for actual, statuses in zip(decoded.statuses, want.statuses):
        assert actual.dtype == np.uint8
        assert actual.tolist() == statuses
