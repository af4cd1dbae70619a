"""Typed handlers: which data an ``IHandler`` subclass handles, and adding it where it belongs."""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

from ..contracts.shared.i_handler import IHandler

if TYPE_CHECKING:
    from ..contracts.buffering.i_sample_reader_service import ISampleReaderService


def handled_type(handler: object) -> object | None:
    """``X`` for a handler whose class derives from ``IHandler[X]``, else None."""
    for cls in type(handler).__mro__:
        for base in getattr(cls, "__orig_bases__", ()):
            if typing.get_origin(base) is IHandler:
                arguments: tuple[Any, ...] = typing.get_args(base)
                return arguments[0] if arguments else None
    return None


def add_typed_handler(service: ISampleReaderService, handler: IHandler[Any]) -> None:
    """``ISampleReaderService.add_handler``: the ``add_..._handler`` its generic base names."""
    from ..contracts.buffering.sample_data import SampleData
    from ..contracts.buffering.sample_window import SampleWindow
    from ..contracts.buffering.timestamp_data import TimestampData

    kind = handled_type(handler)
    if kind is TimestampData:
        service.add_timestamp_handler(handler)
    elif kind is SampleData:
        service.add_sample_handler(handler)
    elif kind is SampleWindow:
        service.add_window_handler(handler)
    else:
        raise TypeError(
            f"add_handler: cannot tell what {type(handler).__name__} handles; derive it from "
            "IHandler[TimestampData] or IHandler[SampleData], or use add_timestamp_handler / add_sample_handler"
        )
