"""The first :class:`SampleData` of a session (it carries no values)."""

from __future__ import annotations

from .sample_data import SampleData


class StartSampleData(SampleData):
    def __init__(self, data_source: str, session_key: str) -> None:
        super().__init__(data_source, session_key, 0, 0, "")
