"""What a custom processor gets for one parameter and one interval."""

from __future__ import annotations

from dataclasses import dataclass, field

from .data_point import DataPoint


@dataclass(frozen=True)
class ProcessContext:
    """The samples of ``parameter_id`` in ``[interval_start_time_nano,
    interval_end_time_nano)``, in time order (possibly none)."""

    parameter_id: str
    interval_start_time_nano: int
    interval_end_time_nano: int
    interval_data_points: list[DataPoint] = field(default_factory=list)
