"""A data format as announced to ``data_format_info_updated`` subscribers."""

from __future__ import annotations

from dataclasses import dataclass, field

from .data_format_info_type import DataFormatInfoType


@dataclass
class DataFormatInfo:
    """``identifiers`` are the parameters (or the one event) behind ``data_formats`` ids."""

    data_source: str
    key: str
    data_formats: list[int] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    data_format_info_type: DataFormatInfoType = DataFormatInfoType.PARAMETERS
