"""One data reader subscription: the intervals of each session processed and batched."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional, Union

import numpy as np
from numpy.typing import NDArray

from ..contracts.buffering.sample_window import SampleWindow
from ..contracts.interpolation.batch_result import BatchResult
from ..contracts.interpolation.data_point import DataPoint
from ..contracts.interpolation.i_batch_result_handler import IBatchResultHandler
from ..contracts.interpolation.i_process_result import IProcessResult
from ..contracts.interpolation.i_subscription_processor import ISubscriptionProcessor
from ..contracts.interpolation.process_context import ProcessContext
from ..contracts.interpolation.result_table import ResultTable
from ..core.base.logger import ILogger
from .frequencies import floor_to
from .processors.base import _NO_TIME, Block, VectorProcessor
from .samples import NumericColumns, Samples

#: Processed results awaiting delivery: a built-in processor's table, or a custom one's
#: ``(interval start, results)`` per interval.
Processed = Union[ResultTable, list[tuple[int, list[IProcessResult]]]]


@dataclass
class _SessionState:
    """A subscription's progress through one session: samples not yet processed (parts in
    time order), each parameter's last processed sample, and results awaiting delivery."""

    data_source: str
    session_key: str
    pending: list[Samples]
    carry_times: NDArray[np.int64]
    carry_values: NDArray[np.float64]
    seen: NDArray[np.bool_]
    next_start: Optional[int] = None
    newest: Optional[int] = None
    undelivered: list[Processed] = field(default_factory=list)
    failures: int = 0


class Subscription:
    """Turns the windows of each session into results and delivers them in batches.

    Only VALID and UNSPECIFIED samples count (MISSING and ERROR ones are skipped); int32 and
    bool values count as float. Intervals are ``[k * period, (k + 1) * period)`` ns since the
    epoch, from the one holding the session's first sample to the one holding its last. An
    interval is processed once the sample reader has emitted everything up to its end (plus
    the processor's lookahead); results go out when their delivery period
    (``[m * delivery, (m + 1) * delivery)``, by interval start) is complete, and the rest at
    the session's end.
    """

    def __init__(
        self,
        key: str,
        identifiers: Sequence[str],
        period: int,
        delivery: int,
        handler: IBatchResultHandler,
        processor: ISubscriptionProcessor,
        logger: ILogger,
    ) -> None:
        self.key = key
        self.identifiers = tuple(identifiers)
        self.period = period
        self.delivery = delivery
        self.handler = handler
        self.processor = processor
        self._vector = processor if isinstance(processor, VectorProcessor) else None
        self._lookahead = self._vector.lookahead_ns if self._vector is not None else 0
        self._logger = logger
        self._sessions: dict[tuple[str, str], _SessionState] = {}
        self._lock = threading.Lock()

    def on_window(self, window: SampleWindow, numeric: NumericColumns) -> set[str]:
        """Take one window (``numeric``: its usable samples); returns, for a session's final
        window, the identifiers that had no samples in the session."""
        with self._lock:
            state = self._state(window)
            self._take(state, numeric)
            if state.next_start is None and state.newest is not None:
                state.next_start = floor_to(window.start_time, self.period)
            if window.is_final:
                end = state.newest + 1 if state.newest is not None else None
            else:
                end = window.end_time - self._lookahead
            if end is not None and state.next_start is not None:
                ready = floor_to(end - 1, self.period) + self.period if window.is_final else floor_to(end, self.period)
                if ready > state.next_start:
                    self._process(state, ready)
            self._deliver(state, final=window.is_final)
            if not window.is_final:
                return set()
            del self._sessions[(window.data_source, window.session_key)]
            if state.failures > 1:
                self._logger.error(f"data reader {self.key!r}: the processor raised {state.failures} times in session {state.session_key}")
            return {identifier for identifier, seen in zip(self.identifiers, state.seen.tolist()) if not seen}

    def _state(self, window: SampleWindow) -> _SessionState:
        key = (window.data_source, window.session_key)
        state = self._sessions.get(key)
        if state is None:
            count = len(self.identifiers)
            state = self._sessions[key] = _SessionState(
                window.data_source, window.session_key, [], np.full(count, _NO_TIME, dtype=np.int64),
                np.full(count, np.nan), np.zeros(count, dtype=bool),
            )  # fmt: skip
        return state

    def _take(self, state: _SessionState, numeric: NumericColumns) -> None:
        samples, present = numeric.get(self.identifiers)
        if not len(samples):
            return
        state.pending.append(samples)
        state.seen |= present
        newest = int(samples.times.max())
        state.newest = newest if state.newest is None else max(state.newest, newest)

    def _process(self, state: _SessionState, ready: int) -> None:
        start = state.next_start
        assert start is not None
        starts = np.arange(start, ready, self.period, dtype=np.int64)
        samples = Samples.joined(state.pending)
        block = Block(self.identifiers, starts, self.period, samples, state.carry_times, state.carry_values)
        if self._vector is not None:
            state.undelivered.append(self._vector.process_block(block))
        else:
            state.undelivered.append(self._custom(state, block))
        done = samples.times < ready
        last = samples.last_chosen(done)
        if len(last):
            owners = samples.owner[last]
            state.carry_times[owners], state.carry_values[owners] = samples.times[last], samples.values[last]
            samples = samples.where(~done)
        state.pending = [samples] if len(samples) else []
        state.next_start = ready

    def _custom(self, state: _SessionState, block: Block) -> list[tuple[int, list[IProcessResult]]]:
        """A custom processor, called once per interval and parameter."""
        out = []
        series = [block.series(p) for p in range(len(self.identifiers))]
        for start in block.interval_starts.tolist():
            end = start + self.period
            results = []
            for identifier, (times, values) in zip(self.identifiers, series):
                low, high = np.searchsorted(times, [start, end])
                points = [DataPoint(identifier, t, v) for t, v in zip(times[low:high].tolist(), values[low:high].tolist())]
                try:
                    results.append(self.processor.process(ProcessContext(identifier, start, end, points)))
                except Exception as exc:
                    state.failures += 1
                    if state.failures == 1:
                        self._logger.error(
                            f"data reader {self.key!r}: processor raised {exc!r} for {identifier} at {start}; "
                            "that result is left out (further failures in this session are counted)"
                        )
            out.append((start, results))
        return out

    def _deliver(self, state: _SessionState, final: bool) -> None:
        if not state.undelivered or state.next_start is None:
            return
        complete = None if final else floor_to(state.next_start, self.delivery)
        groups: dict[int, list[Processed]] = {}
        for part in state.undelivered:
            for begin, piece in self._by_period(part):
                groups.setdefault(begin, []).append(piece)
        state.undelivered = []
        for begin, parts in groups.items():
            if complete is not None and begin >= complete:
                state.undelivered.extend(parts)
            else:
                self._send(state, begin, self._batch(state, begin, parts))

    def _by_period(self, part: Processed) -> list[tuple[int, Processed]]:
        """``part`` cut at delivery periods, with the start of each period."""
        if isinstance(part, ResultTable):
            periods = part.interval_starts // self.delivery
            bounds = [0, *(np.flatnonzero(np.diff(periods)) + 1).tolist(), len(part)]
            return [(int(periods[low]) * self.delivery, part.rows(low, high)) for low, high in zip(bounds[:-1], bounds[1:])]
        groups: dict[int, list[tuple[int, list[IProcessResult]]]] = {}
        for start, results in part:
            groups.setdefault(floor_to(start, self.delivery), []).append((start, results))
        return list(groups.items())

    def _batch(self, state: _SessionState, begin: int, parts: list[Processed]) -> BatchResult:
        fields = (state.data_source, state.session_key, self.key, begin, begin + self.delivery)
        if isinstance(parts[0], ResultTable):
            return BatchResult(*fields, table=ResultTable.concatenate(parts))  # type: ignore[arg-type]
        return BatchResult(*fields, [result for part in parts for _, results in part for result in results])  # type: ignore[union-attr]

    def _send(self, state: _SessionState, begin: int, batch: BatchResult) -> None:
        try:
            self.handler.handle(batch)
        except Exception as exc:
            self._logger.error(f"data reader {self.key!r}: handler {self.handler!r} raised {exc!r}; continuing")
