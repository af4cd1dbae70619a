"""A parameter data format: its id and its parameters in column order."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ParameterDataFormatInfo:
    """``parameter_list`` is the canonical column order of packets using ``data_format_id``."""

    data_format_id: int
    parameter_list: list[str] = field(default_factory=list)
    data_source: str = ""
