"""What the sample reader emits at once, as numpy arrays (an extension of the C# API)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .window_column import WindowColumn


@dataclass(frozen=True, eq=False)
class SampleWindow:
    """The merged samples of one session with timestamps in ``[start_time, end_time)`` (ns).

    ``columns`` maps each identifier that has samples in the range (parameters, and
    ``"Marker"``, ``"Event"``, ``"Error"``, ``"CAN"`` when included) to its
    :class:`WindowColumn`. Every sample of the session older than ``end_time`` has been
    emitted once this window is delivered. ``is_final`` marks the session's last window
    (after it, merging of the session is complete).
    """

    data_source: str
    session_key: str
    start_time: int
    end_time: int
    columns: dict[str, WindowColumn] = field(default_factory=dict)
    is_final: bool = False

    @property
    def sample_count(self) -> int:
        return sum(len(column) for column in self.columns.values())
