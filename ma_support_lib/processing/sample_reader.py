"""The sample reader service: packets of a packet reader in, merged samples out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..contracts.buffering.buffering_configuration import BufferingConfiguration
from ..contracts.buffering.end_sample_data import EndSampleData
from ..contracts.buffering.end_timestamp_data import EndTimestampData
from ..contracts.buffering.i_sample_reader_service import ISampleReaderService
from ..contracts.buffering.merge_strategy import MergeStrategy
from ..contracts.buffering.sample_data import SampleData
from ..contracts.buffering.sample_window import SampleWindow
from ..contracts.buffering.start_sample_data import StartSampleData
from ..contracts.buffering.start_timestamp_data import StartTimestampData
from ..contracts.buffering.timestamp_data import TimestampData
from ..contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ..contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from ..contracts.session_management.session_info import SessionInfo
from ..contracts.shared.api_result import ApiResult
from ..contracts.shared.i_handler import IHandler
from ..contracts.shared.i_service import IService
from ..core.base.logger import ILogger
from ..core.base.service_base import ServiceBase
from ..core.handler_list import HandlerList
from ..protos import open_data_pb2
from .decoding import Includes, configured_parameters, decode_other, decode_samples, is_sample_type
from .formats import FormatResolver
from .handlers import add_typed_handler
from .idle import PeriodicCheck
from .outputs import sample_datas, timestamp_data
from .window_buffer import WindowBuffer

_NS_PER_MS = 1_000_000
_MIN_IDLE_CHECK_S = 0.01  # idle sessions are looked for every quarter of the idle time, at most this often


class _Session:
    def __init__(self, info: SessionInfo, buffer: WindowBuffer, now: float) -> None:
        self.info = info
        self.buffer = buffer
        self.lock = threading.Lock()
        self.closed = False
        self.last_packet = now


class _PacketInput(IHandler[ReceivedPacketDto]):
    """What the sample reader installs on its packet reader."""

    def __init__(self, owner: SampleReaderService) -> None:
        self._owner = owner

    def handle(self, obj: ReceivedPacketDto) -> None:
        self._owner._on_packet(obj)


class SampleReaderService(ServiceBase, ISampleReaderService):
    """Buffers, per session, the packets of the packet reader given to ``set_reader_service``.

    Processing runs on the packet reader's threads (one session at a time per thread), so a
    slow handler slows reading rather than piling up memory. The data front is the newest
    sample timestamp of the session. A session that receives no packet for the configured
    idle time (``BufferingConfiguration.idle_flush_ms``, by default the window length) has
    what it buffered emitted by ``flush_idle``, which a timer thread of this service calls
    (handlers then run on that thread); ``clock`` (seconds, monotonic) measures that time.
    When the packet reader completes a session (or this service stops) the rest is flushed
    and the End sentinels follow. ``owned`` services (its data format service) stop with it.
    """

    def __init__(
        self,
        configuration: BufferingConfiguration,
        resolver: FormatResolver,
        logger: ILogger,
        owned: Iterable[IService] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(logger)
        self.configuration = configuration
        self._clock = clock
        self._idle_s = configuration.idle_flush_seconds
        self._idle_check: PeriodicCheck | None = None
        self._resolver = resolver
        self._owned = list(owned)
        self._window_ns = configuration.buffering_window_length * _NS_PER_MS
        self._step_ns = max(1, self._window_ns * configuration.sliding_window_percentage // 100)
        self._strategy = MergeStrategy(
            MergeStrategy.READING_MERGE if configuration.merge_strategy is None else configuration.merge_strategy
        )
        self._includes = Includes(
            bool(configuration.include_marker_data), bool(configuration.include_event_data),
            bool(configuration.include_error_data), bool(configuration.include_can_data),
        )  # fmt: skip
        self._subscribed: frozenset[str] = frozenset(configuration.subscribed_parameters or ())
        self._all = False
        self._known: set[str] = set()
        self._sessions: dict[tuple[str, str], _Session] = {}
        self._lock = threading.Lock()
        self._reader: IPacketReaderService | None = None
        self._input = _PacketInput(self)
        self._timestamp_handlers: HandlerList[TimestampData] = HandlerList("timestamp data", self._logger)
        self._sample_handlers: HandlerList[SampleData] = HandlerList("sample data", self._logger)
        self._window_handlers: HandlerList[SampleWindow] = HandlerList("sample window", self._logger)

    # -- wiring ------------------------------------------------------------------------------

    def set_reader_service(self, reader: IPacketReaderService) -> None:
        if self._reader is not None and self._reader is not reader:
            raise ValueError("set_reader_service: this sample reader already reads another packet reader")
        self._reader = reader
        if self.is_started:
            self._attach(reader)

    def _attach(self, reader: IPacketReaderService) -> None:
        reader.session_reading_started.subscribe(self._on_session_started)
        reader.session_reading_completed.subscribe(self._on_session_completed)
        reader.add_handler(self._input)

    def _detach(self, reader: IPacketReaderService) -> None:
        reader.remove_handler(self._input)
        reader.session_reading_started.unsubscribe(self._on_session_started)
        reader.session_reading_completed.unsubscribe(self._on_session_completed)

    def _on_start(self) -> None:
        if self._reader is not None:
            self._attach(self._reader)
        if self._idle_s is not None:
            period = max(self._idle_s / 4, _MIN_IDLE_CHECK_S)
            self._idle_check = PeriodicCheck(
                f"sample reader idle flush {self.id}", self.flush_idle, period,
                lambda exc: self._logger.error(f"sample reader: idle flush failed: {exc!r}; trying again later"),
            )  # fmt: skip
            self._idle_check.start()

    def _on_stop(self) -> None:
        if self._idle_check is not None:
            self._idle_check.stop()
        if self._reader is not None:
            self._detach(self._reader)
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            self._close(session)
        for service in self._owned:
            service.stop()

    # -- handlers ----------------------------------------------------------------------------

    def add_handler(self, handler: IHandler[Any]) -> None:
        add_typed_handler(self, handler)

    def add_timestamp_handler(self, handler: IHandler[TimestampData]) -> None:
        self._timestamp_handlers.add(handler)

    def add_sample_handler(self, handler: IHandler[SampleData]) -> None:
        self._sample_handlers.add(handler)

    def add_window_handler(self, handler: IHandler[SampleWindow]) -> None:
        self._window_handlers.add(handler)

    def remove_handler(self, handler: IHandler[Any]) -> None:
        for handlers in (self._timestamp_handlers, self._sample_handlers, self._window_handlers):
            handlers.remove(handler)

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe(self, parameter_identifiers: Iterable[str]) -> ApiResult[bool]:
        identifiers = _identifiers("subscribe", parameter_identifiers)
        if isinstance(identifiers, str):
            return ApiResult.fail(identifiers)
        with self._lock:
            self._subscribed = self._subscribed | identifiers
        return ApiResult.ok(True)

    def subscribe_all(self) -> ApiResult[bool]:
        self._all = True
        return ApiResult.ok(True)

    def unsubscribe(self, parameter_identifiers: Iterable[str]) -> ApiResult[bool]:
        identifiers = _identifiers("unsubscribe", parameter_identifiers)
        if isinstance(identifiers, str):
            return ApiResult.fail(identifiers)
        with self._lock:
            self._subscribed = self._subscribed - identifiers
        self._drop(set(identifiers))
        return ApiResult.ok(True)

    def unsubscribe_all(self) -> ApiResult[bool]:
        with self._lock:
            self._subscribed, self._all = frozenset(), False
        self._drop(None)
        return ApiResult.ok(True)

    def _drop(self, identifiers: set[str] | None) -> None:
        if self._all:
            return
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            with session.lock:
                session.buffer.drop(identifiers)

    def _wanted(self, identifier: str) -> bool:
        return self._all or identifier in self._subscribed

    def known_parameters(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._known)

    def get_last_time_info(self, data_source: str, session_key: str) -> list[tuple[str, int]]:
        with self._lock:
            session = self._sessions.get((data_source, session_key))
        if session is None:
            return []
        with session.lock:
            return sorted(session.buffer.stream_fronts.items())

    # -- sessions ----------------------------------------------------------------------------

    def _on_session_started(self, sender: object, info: SessionInfo) -> None:
        self._session(info.data_source, info.session_key, info)

    def _on_session_completed(self, sender: object, info: SessionInfo) -> None:
        with self._lock:
            session = self._sessions.get((info.data_source, info.session_key))
        if session is not None:
            session.info = info
            self._close(session)

    def _session(self, data_source: str, session_key: str, info: SessionInfo | None = None) -> _Session:
        key = (data_source, session_key)
        with self._lock:
            session = self._sessions.get(key)
            if session is not None:
                return session
            buffer = WindowBuffer(data_source, session_key, self._window_ns, self._step_ns, self._strategy)
            session = self._sessions[key] = _Session(info or SessionInfo(session_key, data_source), buffer, self._clock())
            session.lock.acquire()  # nothing reaches the session before its Start sentinels
        try:
            self.session_data_merging_started.fire(self, session.info)
            self._timestamp_handlers.deliver(StartTimestampData(data_source, session_key))
            self._sample_handlers.deliver(StartSampleData(data_source, session_key))
        finally:
            session.lock.release()
        return session

    def _close(self, session: _Session) -> None:
        with session.lock:
            if session.closed:
                return
            session.closed = True
            self._deliver(session.buffer.flush())
            buffer = session.buffer
            if buffer.late:
                self._logger.warning(
                    f"sample reader: session {buffer.session_key}: {buffer.late} samples arrived after their "
                    "range was emitted and were dropped; a longer buffering_window_length keeps them"
                )
            self._timestamp_handlers.deliver(EndTimestampData(buffer.data_source, buffer.session_key))
            self._sample_handlers.deliver(EndSampleData(buffer.data_source, buffer.session_key))
            self.session_data_merging_completed.fire(self, session.info)
        with self._lock:
            self._sessions.pop((buffer.data_source, buffer.session_key), None)

    # -- packets -----------------------------------------------------------------------------

    def _on_packet(self, dto: ReceivedPacketDto) -> None:
        if not self.is_started:
            return
        try:
            packet = open_data_pb2.Packet.FromString(dto.packet_bytes.data)
        except Exception as exc:
            self._logger.error(f"sample reader: unreadable packet from {dto.stream!r}: {exc!r}; skipped")
            return
        kind = packet.type
        if kind == "Configuration":
            self._learn(configured_parameters(packet.content))
            return
        session = self._session(dto.data_source, dto.session_key)
        session.last_packet = self._clock()
        try:
            if is_sample_type(kind):
                identifiers, pieces = decode_samples(
                    kind, packet.content, dto.data_source, self._resolver, self._wanted  # type: ignore[arg-type]
                )
                self._learn(identifiers)
            else:
                piece = decode_other(kind, packet.content, dto.data_source, self._resolver, self._includes)
                pieces = [] if piece is None else [piece]
        except (ValueError, OverflowError) as exc:
            self._logger.error(f"sample reader: {kind} packet of session {dto.session_key} skipped: {exc}")
            return
        if not pieces:
            return
        with session.lock:
            if session.closed:
                return
            session.buffer.add(dto.stream, pieces)
            while (window := session.buffer.due()) is not None:
                self._deliver(window)

    def flush_idle(self) -> int:
        """Emit what each session has buffered if no packet has reached it for the idle time;
        returns how many windows were emitted. Called by the service's timer; callable directly."""
        if self._idle_s is None or not self.is_started:
            return 0
        now = self._clock()
        with self._lock:
            sessions = list(self._sessions.values())
        emitted = 0
        for session in sessions:
            with session.lock:
                if session.closed or now - session.last_packet < self._idle_s:
                    continue
                window = session.buffer.release()
                if window is not None:
                    self._deliver(window)
                    emitted += 1
        return emitted

    def _learn(self, identifiers: Iterable[str]) -> None:
        new = [identifier for identifier in identifiers if identifier not in self._known]
        if new:
            with self._lock:
                self._known.update(new)

    def _deliver(self, window: SampleWindow) -> None:
        self._window_handlers.deliver(window)
        if self._sample_handlers:
            for data in sample_datas(window):
                self._sample_handlers.deliver(data)
        if self._timestamp_handlers and window.columns:
            self._timestamp_handlers.deliver(timestamp_data(window))


def _identifiers(action: str, parameter_identifiers: Iterable[str]) -> frozenset[str] | str:
    """The identifiers as a set, or what is wrong with them."""
    if isinstance(parameter_identifiers, (str, bytes)):
        return f"{action}: pass a list of parameter identifiers, not a single string"
    try:
        identifiers = list(parameter_identifiers)
    except TypeError:
        return f"{action}: parameter_identifiers must be a list of str, got {type(parameter_identifiers).__name__}"
    bad = [identifier for identifier in identifiers if not isinstance(identifier, str) or not identifier]
    if bad:
        return f"{action}: parameter identifiers must be non-empty str, got {bad!r}"
    return frozenset(identifiers)
