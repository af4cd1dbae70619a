"""One session's buffer: samples held for re-ordering, emitted as the data front advances."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..contracts.buffering.merge_strategy import MergeStrategy
from ..contracts.buffering.sample_window import SampleWindow
from ..contracts.buffering.window_column import WindowColumn
from .decoding import Piece
from .merge import merged


class _Chunks:
    """One identifier's buffered samples, as the chunks they arrived in."""

    def __init__(self) -> None:
        self.times: list[NDArray[np.int64]] = []
        self.values: list[NDArray[Any]] = []
        self.statuses: list[NDArray[np.uint8]] = []
        self.bounds: list[tuple[int, int]] = []  # (oldest, newest) of each chunk

    def add(self, piece: Piece, oldest: int, newest: int, merge_now: bool) -> None:
        self.times.append(piece.timestamps)
        self.values.append(piece.values)
        self.statuses.append(piece.statuses)
        self.bounds.append((oldest, newest))
        if merge_now and len(self.times) > 1:
            column = merged(self.times, self.values, self.statuses)
            self.times, self.values, self.statuses = [column.timestamps], [column.values], [column.statuses]
            self.bounds = [(min(b[0] for b in self.bounds), max(b[1] for b in self.bounds))]

    def take_before(self, end: int | None) -> WindowColumn | None:
        """Remove and return (merged) the samples older than ``end`` (all for None)."""
        taken: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
        kept: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
        kept_bounds = []
        for t, v, s, (oldest, newest) in zip(self.times, self.values, self.statuses, self.bounds):
            if end is None or newest < end:
                parts: list[tuple[tuple[list[Any], list[Any], list[Any]], Any]] = [(taken, slice(None))]
            elif oldest >= end:
                parts = [(kept, slice(None))]
                kept_bounds.append((oldest, newest))
            else:
                below = t < end
                parts = [(taken, below), (kept, ~below)]
                kept_bounds.append((end, newest))
            for (out_t, out_v, out_s), cut in parts:
                out_t.append(t[cut])
                out_v.append(v[cut])
                out_s.append(s[cut])
        self.times, self.values, self.statuses = kept
        self.bounds = kept_bounds
        return merged(*taken) if taken[0] else None


class WindowBuffer:
    """Holds ``window_ns`` of data behind the newest timestamp seen (the data front).

    Each time the front has moved ``step_ns`` past the last emission, everything older than
    ``front - window_ns`` is emitted as one :class:`SampleWindow`, merged in time order.
    Samples older than an emitted range arrive too late and are dropped (``late`` counts
    them); ``flush`` emits the rest at the end of the session.
    """

    def __init__(
        self, data_source: str, session_key: str, window_ns: int, step_ns: int, strategy: MergeStrategy
    ) -> None:
        self.data_source = data_source
        self.session_key = session_key
        self.late = 0
        self.stream_fronts: dict[str, int] = {}
        self._window = window_ns
        self._step = step_ns
        self._merge_now = strategy is MergeStrategy.WRITING_MERGE
        self._chunks: dict[str, _Chunks] = {}
        self._front: int | None = None
        self._oldest: int | None = None
        self._emitted_until: int | None = None

    def add(self, stream: str, pieces: list[Piece]) -> None:
        bounds: dict[int, tuple[int, int]] = {}  # pieces of one packet mostly share their timestamps
        for piece in pieces:
            times = piece.timestamps
            if not len(times):
                continue
            known = bounds.get(id(times))
            oldest, newest = known if known is not None else bounds.setdefault(id(times), (int(times.min()), int(times.max())))
            if self._emitted_until is not None and oldest < self._emitted_until:
                fresh = times >= self._emitted_until
                self.late += int(len(times) - fresh.sum())
                if not fresh.any():
                    continue
                piece = Piece(piece.identifier, times[fresh], piece.values[fresh], piece.statuses[fresh])
                oldest = int(piece.timestamps.min())
            self.stream_fronts[stream] = max(self.stream_fronts.get(stream, newest), newest)
            self._front = newest if self._front is None else max(self._front, newest)
            self._oldest = oldest if self._oldest is None else min(self._oldest, oldest)
            chunks = self._chunks.get(piece.identifier)
            if chunks is None:
                chunks = self._chunks[piece.identifier] = _Chunks()
            chunks.add(piece, oldest, newest, self._merge_now)

    def drop(self, identifiers: set[str] | None) -> None:
        """Forget the buffered samples of ``identifiers`` (None: all)."""
        for identifier in list(self._chunks) if identifiers is None else identifiers:
            self._chunks.pop(identifier, None)

    def due(self) -> SampleWindow | None:
        """The next window, if the front has advanced far enough since the last one."""
        if self._front is None or self._oldest is None:
            return None
        end = self._front - self._window
        start = self._oldest if self._emitted_until is None else self._emitted_until
        if end - start < self._step:
            return None
        return self._emit(start, end, final=False)

    def flush(self) -> SampleWindow:
        """Everything still buffered, as the session's final window."""
        start = self._emitted_until if self._emitted_until is not None else (self._oldest or 0)
        end = max(start, (self._front + 1) if self._front is not None else start)
        return self._emit(start, end, final=True)

    def _emit(self, start: int, end: int, final: bool) -> SampleWindow:
        columns = {}
        for identifier, chunks in self._chunks.items():
            column = chunks.take_before(None if final else end)
            if column is not None:
                columns[identifier] = column
        self._emitted_until = end
        return SampleWindow(self.data_source, self.session_key, start, end, columns, final)
