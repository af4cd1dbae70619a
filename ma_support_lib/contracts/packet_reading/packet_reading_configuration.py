"""What a configured packet reader reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from .packet_reading_type import PacketReadingType


@dataclass
class PacketReadingConfiguration:
    """Arguments in the official positional order.

    * ``session_key``: read only this session (pattern and reading type are then not used).
    * ``timeout_seconds``: a session's reading completes when no packet arrives for this long.
    * ``raise_exception_on_timeout``: report that completion as a
      :class:`~ma_support_lib.errors.ReadingTimeoutError` (from ``join`` and ``stop``).
    * ``session_identifier_pattern``: glob on the session identifier (``*`` matches all).
    * ``streams``: streams to read; empty means every stream of the session.
    * ``exclude_main_stream``: do not read the main (unnamed) stream.
    """

    session_key: str = ""
    timeout_seconds: float = 30
    raise_exception_on_timeout: bool = False
    data_source: str = "Default"
    session_identifier_pattern: str = "*"
    reading_type: PacketReadingType = PacketReadingType.LIVE
    streams: list[str] = field(default_factory=list)
    exclude_main_stream: bool = False
