"""How the sample reader buffers and merges packets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .merge_strategy import MergeStrategy


@dataclass
class BufferingConfiguration:
    """The sample reader's settings, in the C# constructor's order.

    ``subscribed_parameters``: the initial subscription (``None`` or empty: nothing until
    ``subscribe``). ``buffering_window_length`` (ms): how far behind the newest sample data
    is held for re-ordering before it is emitted; samples older than what was already emitted
    arrive too late and are dropped. ``sliding_window_percentage`` (1..100): how far the data
    must advance, as a share of the window, before the next emission. ``merge_strategy``:
    ``None`` means ``READING_MERGE``. The ``include_...`` flags add Marker, Event, Error and
    RawCANData packets to the output.

    ``idle_flush_ms`` (a Python extension, not in the C# API): when a session receives no
    packet for this long (wall-clock ms), everything it has buffered is emitted, so a paused
    live session is not held back a whole window; samples older than that emission which
    arrive afterwards are late and dropped. ``None``: the buffering window length; 0: never
    (data then waits for newer data or the end of the session).
    """

    subscribed_parameters: Optional[list[str]] = None
    buffering_window_length: int = 3000
    sliding_window_percentage: int = 5
    merge_strategy: Optional[MergeStrategy] = None
    include_marker_data: Optional[bool] = False
    include_event_data: Optional[bool] = False
    include_error_data: Optional[bool] = False
    include_can_data: Optional[bool] = False
    idle_flush_ms: Optional[int] = None

    @property
    def idle_flush_seconds(self) -> Optional[float]:
        """``idle_flush_ms`` in seconds, the default applied; None when idle flushing is off."""
        idle = self.buffering_window_length if self.idle_flush_ms is None else self.idle_flush_ms
        return idle / 1000 if idle else None

    def problems(self) -> list[str]:
        """What is wrong with these settings (empty when they can be used)."""
        found = []
        window = self.buffering_window_length
        if isinstance(window, bool) or not isinstance(window, int) or window <= 0:
            found.append(f"buffering_window_length must be a positive number of ms, got {window!r}")
        share = self.sliding_window_percentage
        if isinstance(share, bool) or not isinstance(share, int) or not 1 <= share <= 100:
            found.append(f"sliding_window_percentage must be an int from 1 to 100, got {share!r}")
        idle = self.idle_flush_ms
        if idle is not None and (isinstance(idle, bool) or not isinstance(idle, int) or idle < 0):
            found.append(f"idle_flush_ms must be None or a number of ms >= 0, got {idle!r}")
        if self.merge_strategy is not None and self.merge_strategy not in tuple(MergeStrategy):
            found.append(f"merge_strategy must be a MergeStrategy or None, got {self.merge_strategy!r}")
        parameters = self.subscribed_parameters
        if parameters is not None and (
            isinstance(parameters, str) or not all(isinstance(p, str) and p for p in parameters)
        ):
            found.append(f"subscribed_parameters must be a list of non-empty str, got {parameters!r}")
        return found
