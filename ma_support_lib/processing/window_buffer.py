"""One session's buffer: samples held for re-ordering, emitted as the data front advances."""

from __future__ import annotations

from dataclasses import dataclass

from ..contracts.buffering.merge_strategy import MergeStrategy
from ..contracts.buffering.sample_window import SampleWindow
from .piece import Piece
from .merge import merged_columns


@dataclass
class _Chunk:
    """What one packet brought (or, merged at writing, everything buffered): pieces and the
    time range they span."""

    oldest: int
    newest: int
    pieces: list[Piece]

    def split(self, end: int) -> tuple[list[Piece], _Chunk | None]:
        """The pieces' samples older than ``end``, and a chunk of the rest."""
        below, above = [], []
        for piece in self.pieces:
            older, rest = piece.split(end)
            if older is not None:
                below.append(older)
            if rest is not None:
                above.append(rest)
        return below, _Chunk(end, self.newest, above) if above else None


class WindowBuffer:
    """Holds ``window_ns`` of data behind the newest timestamp seen (the data front).

    Each time the front has moved ``step_ns`` past the last emission, everything older than
    ``front - window_ns`` is emitted as one :class:`SampleWindow`, merged in time order.
    Samples older than an emitted range arrive too late and are dropped (``late`` counts
    them); ``release`` emits everything buffered (a session gone idle) and ``flush`` the rest
    at the end of the session.
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
        self._chunks: list[_Chunk] = []
        self._front: int | None = None
        self._oldest: int | None = None
        self._emitted_until: int | None = None

    def add(self, stream: str, pieces: list[Piece]) -> None:
        """Buffer one packet's pieces."""
        kept = []
        oldest, newest = None, None
        for piece in pieces:
            times = piece.timestamps
            if not len(times) or not piece.identifiers:
                continue
            low, high = int(times.min()), int(times.max())
            if self._emitted_until is not None and low < self._emitted_until:
                fresh = times >= self._emitted_until
                self.late += int(len(times) - fresh.sum()) * len(piece.identifiers)
                if not fresh.any():
                    continue
                piece = piece.rows(fresh)
                low = int(piece.timestamps.min())
            kept.append(piece)
            oldest = low if oldest is None else min(oldest, low)
            newest = high if newest is None else max(newest, high)
        if oldest is None or newest is None:
            return
        self.stream_fronts[stream] = max(self.stream_fronts.get(stream, newest), newest)
        self._front = newest if self._front is None else max(self._front, newest)
        self._oldest = oldest if self._oldest is None else min(self._oldest, oldest)
        self._chunks.append(_Chunk(oldest, newest, kept))
        if self._merge_now and len(self._chunks) > 1:
            everything = merged_columns([piece for chunk in self._chunks for piece in chunk.pieces])
            pieces = [Piece(c.timestamps, (i,), c.values[None, :], c.statuses[None, :]) for i, c in everything.items()]
            self._chunks = [_Chunk(min(c.oldest for c in self._chunks), self._front, pieces)]

    def drop(self, identifiers: set[str] | None) -> None:
        """Forget the buffered samples of ``identifiers`` (None: all)."""
        for chunk in self._chunks:
            chunk.pieces = [] if identifiers is None else [p.without(identifiers) for p in chunk.pieces]

    def due(self) -> SampleWindow | None:
        """The next window, if the front has advanced far enough since the last one."""
        if self._front is None or self._oldest is None:
            return None
        end = self._front - self._window
        start = self._oldest if self._emitted_until is None else self._emitted_until
        if end - start < self._step:
            return None
        return self._emit(start, end, final=False)

    def release(self) -> SampleWindow | None:
        """Everything buffered up to the front, as a window that does not end the session
        (None when nothing is buffered)."""
        if self._front is None or not any(p.identifiers for c in self._chunks for p in c.pieces):
            return None
        start = self._emitted_until if self._emitted_until is not None else (self._oldest or 0)
        return self._emit(start, max(start, self._front + 1), final=False)

    def flush(self) -> SampleWindow:
        """Everything still buffered, as the session's final window."""
        start = self._emitted_until if self._emitted_until is not None else (self._oldest or 0)
        end = max(start, (self._front + 1) if self._front is not None else start)
        return self._emit(start, end, final=True)

    def _emit(self, start: int, end: int, final: bool) -> SampleWindow:
        taken: list[Piece] = []
        kept = []
        for chunk in self._chunks:
            if final or chunk.newest < end:
                taken.extend(chunk.pieces)
            elif chunk.oldest >= end:
                kept.append(chunk)
            else:
                below, rest = chunk.split(end)
                taken.extend(below)
                if rest is not None:
                    kept.append(rest)
        self._chunks = kept
        self._emitted_until = end
        return SampleWindow(self.data_source, self.session_key, start, end, merged_columns(taken), final)
