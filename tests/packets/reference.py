"""The protobuf API as the reference: messages built and read one sample at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ma_support_lib.protos import open_data_pb2 as od

LIST_FIELDS = {"f": "double_samples", "i": "int32_samples", "b": "bool_samples"}
SAMPLE_CLASSES = {
    "double_samples": (od.DoubleSampleList, od.DoubleSample),
    "int32_samples": (od.Int32SampleList, od.Int32Sample),
    "bool_samples": (od.BoolSampleList, od.BoolSample),
    "string_samples": (od.StringSampleList, od.StringSample),
}


def data_format(value: Any) -> od.SampleDataFormat | None:
    if value is None:
        return None
    if isinstance(value, int):
        return od.SampleDataFormat(data_format_identifier=value)
    return od.SampleDataFormat(parameter_identifiers=od.ParameterList(parameter_identifiers=list(value)))


def sample_list(values: np.ndarray, statuses: np.ndarray) -> dict[str, Any]:
    """Keyword arguments of a SampleColumn/SampleRow: one *Sample message per sample."""
    field = LIST_FIELDS.get(values.dtype.kind, "string_samples")
    list_class, sample_class = SAMPLE_CLASSES[field]
    samples = [sample_class(value=v, status=int(s)) for v, s in zip(values.tolist(), statuses.tolist())]
    return {field: list_class(samples=samples)}


def columns(values: Iterable[np.ndarray], statuses: Iterable[np.ndarray]) -> list[od.SampleColumn]:
    return [od.SampleColumn(**sample_list(v, s)) for v, s in zip(values, statuses)]


def periodic(fmt: Any, start_time: int, interval: int, values: Iterable[np.ndarray], statuses: Iterable[np.ndarray]) -> bytes:
    message = od.PeriodicDataPacket(
        data_format=data_format(fmt), start_time=start_time, interval=interval, columns=columns(values, statuses)
    )
    return message.SerializeToString()


def rows(fmt: Any, timestamps: np.ndarray, values: np.ndarray, statuses: np.ndarray) -> bytes:
    message = od.RowDataPacket(
        data_format=data_format(fmt),
        timestamps=timestamps.tolist(),
        rows=[od.SampleRow(**sample_list(v, s)) for v, s in zip(values, statuses)],
    )
    return message.SerializeToString()


def synchro(fmt: Any, start_time: int, intervals: np.ndarray, values: Iterable[np.ndarray], statuses: Iterable[np.ndarray]) -> bytes:
    message = od.SynchroDataPacket(
        data_format=data_format(fmt),
        start_time=start_time,
        intervals=intervals.tolist(),
        columns=columns(values, statuses),
    )
    return message.SerializeToString()


def read_lists(lists: Any) -> tuple[list[list[Any]], list[list[int]]]:
    """Values and statuses of each column/row of a parsed message, as Python lists."""
    values, statuses = [], []
    for item in lists:
        samples = getattr(item, item.WhichOneof("list")).samples
        values.append([sample.value for sample in samples])
        statuses.append([sample.status for sample in samples])
    return values, statuses


def same_values(actual: np.ndarray, expected: list[Any]) -> bool:
    """Exact equality, floats compared bit for bit (NaN payloads, signed zeros)."""
    if len(actual) != len(expected):
        return False
    if actual.dtype.kind == "f":
        reference = np.array(expected, dtype=np.float64)
        return bool((actual.view(np.uint64) == reference.view(np.uint64)).all())
    return [type(v) for v in actual.tolist()] == [type(v) for v in expected] and actual.tolist() == expected
