"""A :class:`SampleWindow` as the C#-shaped outputs: ``SampleData`` and ``TimestampData``."""

from __future__ import annotations

import numpy as np

from ..contracts.buffering.sample_data import SampleData
from ..contracts.buffering.sample_value import SampleValue
from ..contracts.buffering.sample_window import SampleWindow
from ..contracts.buffering.timestamp_column import TimestampColumn
from ..contracts.buffering.timestamp_data import TimestampData
from ..contracts.buffering.value_status import ValueStatus


def sample_datas(window: SampleWindow) -> list[SampleData]:
    """One :class:`SampleData` per identifier with samples in the window."""
    return [
        SampleData(
            window.data_source, window.session_key, window.start_time, window.end_time, identifier,
            column.timestamps, column.values, column.statuses,
        )  # fmt: skip
        for identifier, column in window.columns.items()
    ]


def timestamp_data(window: SampleWindow) -> TimestampData:
    """The window aligned by timestamp; the columns are built when first read."""

    def build() -> list[TimestampColumn]:
        if not window.columns:
            return []
        times = np.unique(np.concatenate([column.timestamps for column in window.columns.values()]))
        cells: list[list[SampleValue]] = [[] for _ in range(len(times))]
        for identifier, column in window.columns.items():
            rows = np.searchsorted(times, column.timestamps).tolist()
            statuses = column.statuses.tolist()
            for row, value, status in zip(rows, column.values.tolist(), statuses):
                cells[row].append(SampleValue(identifier, value, ValueStatus(status)))
        return [TimestampColumn(timestamp, values) for timestamp, values in zip(times.tolist(), cells)]

    return TimestampData(window.data_source, window.session_key, window.start_time, window.end_time, build)
