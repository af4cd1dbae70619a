"""Base class of process results: a parameter and its interval ``[start, end)`` in ns."""

from __future__ import annotations

from .i_process_result import IProcessResult


class ProcessResult(IProcessResult):
    def __init__(self, identifier: str, interval_start_time_nano: int, interval_end_time_nano: int) -> None:
        self._identifier = identifier
        self._start = interval_start_time_nano
        self._end = interval_end_time_nano

    @property
    def identifier(self) -> str:
        return self._identifier

    @property
    def interval_start_time_nano(self) -> int:
        return self._start

    @property
    def interval_end_time_nano(self) -> int:
        return self._end

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((self._identifier, self._start, self._end))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name.lstrip('_')}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({fields})"
