"""Sessions: the in-memory registry, its replay from the ``SessionInfo`` topic, and the RPC logic.

Every session change is applied to memory first (so the RPC's caller sees it at once) and
then written to ``SessionInfo``; every server sharing the log replays that topic, so
sessions created or changed by one server appear on the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp

from ..log import Log, ProducerRecord, Record, Subscription, TopicPartition
from ..protos import api_pb2, open_data_pb2
from . import wire
from .keys import KeyGenerator
from .metrics import Metrics
from .notifications import NotificationHub
from .replay import catch_up
from .routing import SESSION_INFO_TOPIC, Router, essentials_topic, offset_key, parse_offset_key

log = logging.getLogger(__name__)

#: Called with a data source name whenever a session makes it known to the server.
DataSourceHook = Callable[[str], None]

NEW_SESSION = "NewSession"
SESSION_INFO = "SessionInfo"
END_OF_SESSION = "EndOfSession"
DEFAULT_SESSION_TYPE = "Session"
#: ``GetCurrentSessions`` data source that lists the sessions of every data source.
ALL_DATA_SOURCES = "*"
#: ``topic_partition_offsets`` of NewSessionPacket and EndOfSessionPacket.
_OFFSETS_FIELD = open_data_pb2.NewSessionPacket.DESCRIPTOR.fields_by_name["topic_partition_offsets"].number


@dataclass
class SessionRecord:
    """What the server knows about one session."""

    key: str
    data_source: str
    offsets: dict[str, int]
    utc_offset: Duration
    info: open_data_pb2.SessionInfoPacket
    completed: bool = False
    creation_time: Timestamp | None = None
    termination_time: Timestamp | None = None
    ending_offsets: dict[str, int] = field(default_factory=dict)

    def offset_of(self, topic: str) -> int:
        return self.offsets.get(offset_key(topic, 0), 0)

    @property
    def main_offset(self) -> int:
        return self.offset_of(self.data_source)

    @property
    def essentials_offset(self) -> int:
        return self.offset_of(essentials_topic(self.data_source))


def merge_session_info(old: open_data_pb2.SessionInfoPacket, new: open_data_pb2.SessionInfoPacket) -> bool:
    """The reference merge rule; returns whether ``old`` changed.

    Type, identifier replaced only by non-empty values, version only by a positive one,
    associate keys only by a non-empty list; details are updated, never removed.
    """
    before = old.SerializeToString(deterministic=True)
    if new.type:
        old.type = new.type
    if new.version > 0:
        old.version = new.version
    if new.identifier:
        old.identifier = new.identifier
    if new.associate_session_keys:
        del old.associate_session_keys[:]
        old.associate_session_keys.extend(new.associate_session_keys)
    for name, value in new.details.items():
        old.details[name] = value
    return old.SerializeToString(deterministic=True) != before


def _session_packet(packet_type: str, session_key: str, content: bytes) -> bytes:
    return open_data_pb2.Packet(type=packet_type, session_key=session_key, content=content).SerializeToString()


def _copy(info: open_data_pb2.SessionInfoPacket) -> open_data_pb2.SessionInfoPacket:
    copy = open_data_pb2.SessionInfoPacket()
    copy.CopyFrom(info)
    return copy


class SessionRegistry:
    """Sessions in creation order, with start/stop notifications."""

    def __init__(self, metrics: Metrics) -> None:
        self.sessions: dict[str, SessionRecord] = {}
        self.started: NotificationHub[api_pb2.GetSessionStartNotificationResponse] = NotificationHub()
        self.stopped: NotificationHub[api_pb2.GetSessionStopNotificationResponse] = NotificationHub()
        self._metrics = metrics

    def get(self, key: str) -> SessionRecord | None:
        return self.sessions.get(key)

    def of_data_source(self, data_source: str) -> list[str]:
        return [key for key, record in self.sessions.items() if record.data_source == data_source]

    async def add(self, record: SessionRecord, notify: bool) -> bool:
        """Register a new session; ``False`` if the key is already known."""
        if record.key in self.sessions:
            return False
        self.sessions[record.key] = record
        self._metrics.sessions.labels(record.data_source).set(len(self.of_data_source(record.data_source)))
        if notify:
            message = api_pb2.GetSessionStartNotificationResponse(
                session_key=record.key, data_source=record.data_source
            )
            await self.started.publish(record.data_source, message)
        return True

    async def complete(self, record: SessionRecord, notify: bool) -> None:
        """Mark a session completed; the stop notification goes out only the first time."""
        if record.completed:
            return
        record.completed = True
        if notify:
            message = api_pb2.GetSessionStopNotificationResponse(
                session_key=record.key, data_source=record.data_source
            )
            await self.stopped.publish(record.data_source, message)


class SessionReplay:
    """Follows ``SessionInfo`` from its first record and applies what other writers did."""

    def __init__(self, log_: Log, registry: SessionRegistry, on_data_source: DataSourceHook) -> None:
        self._log = log_
        self._registry = registry
        self._on_data_source = on_data_source
        self._task: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        """Catch up with the records present now (without notifications), then follow."""
        await self._log.create_topic(SESSION_INFO_TOPIC, 1)
        partitions = await self._log.partition_count(SESSION_INFO_TOPIC) or 1
        tps = [TopicPartition(SESSION_INFO_TOPIC, p) for p in range(partitions)]
        subscription = await catch_up(self._log, tps, lambda record: self.apply(record, notify=False))
        self._subscription = subscription
        self._task = asyncio.create_task(self._follow(subscription), name="session-replay")

    async def _follow(self, subscription: Subscription) -> None:
        try:
            while True:
                for record in await subscription.poll():
                    await self.apply(record, notify=True)
        finally:
            await subscription.close()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._subscription is not None:  # the follower may have been cancelled before it ran
            await self._subscription.close()

    async def apply(self, record: Record, notify: bool) -> None:
        """Apply one ``SessionInfo`` record; anything malformed is logged and skipped."""
        if record.key is None:
            return
        try:
            packet = open_data_pb2.Packet.FromString(record.value)
            if packet.type == NEW_SESSION:
                await self._new_session(packet, notify)
            elif packet.type == SESSION_INFO:
                self._session_info(packet)
            elif packet.type == END_OF_SESSION:
                await self._end_of_session(packet, notify)
            else:
                log.debug("SessionInfo record %s:%s has type %r; ignored", record.topic, record.offset, packet.type)
        except (DecodeError, ValueError) as exc:
            log.warning("SessionInfo record at offset %d does not parse (%s); ignored", record.offset, exc)

    async def _new_session(self, packet: open_data_pb2.Packet, notify: bool) -> None:
        if self._registry.get(packet.session_key) is not None:
            return
        content = open_data_pb2.NewSessionPacket.FromString(packet.content)
        info = open_data_pb2.SessionInfoPacket()
        if content.HasField("session_info") and content.session_info.data_source:
            info.CopyFrom(content.session_info)
        offsets: dict[str, int] = {}
        # keep the writer's order of the map (the parsed map does not)
        for key in wire.map_keys(packet.content, _OFFSETS_FIELD):
            offsets[offset_key(*parse_offset_key(key))] = content.topic_partition_offsets[key]
        record = SessionRecord(
            key=packet.session_key,
            data_source=content.data_source,
            offsets=offsets,
            utc_offset=content.utc_offset,
            info=info,
            creation_time=content.creation_time if content.HasField("creation_time") else None,
        )
        if await self._registry.add(record, notify):
            self._on_data_source(content.data_source)

    def _session_info(self, packet: open_data_pb2.Packet) -> None:
        record = self._registry.get(packet.session_key)
        if record is None:
            log.info("SessionInfo packet for unknown session %r ignored", packet.session_key)
            return
        merge_session_info(record.info, open_data_pb2.SessionInfoPacket.FromString(packet.content))

    async def _end_of_session(self, packet: open_data_pb2.Packet, notify: bool) -> None:
        record = self._registry.get(packet.session_key)
        if record is None:
            return
        content = open_data_pb2.EndOfSessionPacket.FromString(packet.content)
        if content.HasField("termination_time") and record.termination_time is None:
            record.termination_time = content.termination_time
        record.ending_offsets = dict(content.topic_partition_offsets)
        await self._registry.complete(record, notify)


class SessionManager:
    """The SessionManagementService logic over a registry and the log."""

    def __init__(
        self,
        log_: Log,
        router: Router,
        keys: KeyGenerator,
        registry: SessionRegistry,
        on_data_source: DataSourceHook,
    ) -> None:
        self._log = log_
        self._router = router
        self._keys = keys
        self.registry = registry
        self._on_data_source = on_data_source

    async def _write(self, packet_type: str, session_key: str, content: bytes) -> None:
        await self._router.ensure_topic(SESSION_INFO_TOPIC, 1)
        value = _session_packet(packet_type, session_key, content)
        await self._log.append([ProducerRecord(SESSION_INFO_TOPIC, value, session_key.encode())])

    async def create(self, request: api_pb2.CreateSessionRequest) -> bytes:
        """Create a session; returns the serialized ``CreateSessionResponse``."""
        data_source = request.data_source
        await self._router.ensure_data_topics(data_source, self._router.data_route(data_source, ""))
        info = open_data_pb2.SessionInfoPacket(
            data_source=data_source,
            type=request.type or DEFAULT_SESSION_TYPE,
            version=request.version,
            identifier=request.identifier,
            associate_session_keys=list(request.associate_session_key),
            details=dict(request.details),
        )
        if request.HasField("utc_offset"):
            info.utc_offset.CopyFrom(request.utc_offset)
        creation = Timestamp()
        if request.HasField("creation_time"):
            creation.CopyFrom(request.creation_time)
        else:
            creation.GetCurrentTime()
        info.creation_time.CopyFrom(creation)
        offsets = await self._router.offsets_snapshot(data_source)
        new_session = open_data_pb2.NewSessionPacket(
            data_source=data_source, topic_partition_offsets=offsets, session_info=info, creation_time=creation
        )
        if request.HasField("utc_offset"):
            new_session.utc_offset.CopyFrom(request.utc_offset)
        session_key = await self._keys.string_key()
        record = SessionRecord(
            key=session_key,
            data_source=data_source,
            offsets=offsets,
            utc_offset=request.utc_offset,
            info=_copy(info),
            creation_time=creation,
        )
        await self.registry.add(record, notify=True)
        self._on_data_source(data_source)
        content = wire.with_ordered_offsets(new_session, "topic_partition_offsets", offsets.items())
        await self._write(NEW_SESSION, session_key, content)
        response = api_pb2.CreateSessionResponse(session_key=session_key, success=True)
        return wire.with_embedded(response, "new_session", content)

    async def end(self, request: api_pb2.EndSessionRequest) -> bytes:
        """End a session; returns the serialized ``EndSessionResponse``."""
        record = self.registry.get(request.session_key)
        if record is None:
            return api_pb2.EndSessionResponse(success=False).SerializeToString()
        offsets = await self._router.offsets_snapshot(record.data_source)
        termination = Timestamp()
        if request.HasField("termination_time"):
            termination.CopyFrom(request.termination_time)
        else:
            termination.GetCurrentTime()
        if record.termination_time is None:
            record.termination_time = termination
        record.ending_offsets = offsets
        end_packet = open_data_pb2.EndOfSessionPacket(
            data_source=record.data_source, topic_partition_offsets=offsets, termination_time=termination
        )
        await self.registry.complete(record, notify=True)
        content = wire.with_ordered_offsets(end_packet, "topic_partition_offsets", offsets.items())
        await self._write(END_OF_SESSION, record.key, content)
        return wire.with_embedded(api_pb2.EndSessionResponse(success=True), "end_session", content)

    async def update(self, session_key: str, change: Callable[[open_data_pb2.SessionInfoPacket], None]) -> bool:
        """Apply ``change`` to a full copy of the stored info, merge it and write it."""
        record = self.registry.get(session_key)
        if record is None:
            return False
        packet = _copy(record.info)
        packet.data_source = record.data_source
        change(packet)
        merge_session_info(record.info, packet)
        await self._write(SESSION_INFO, session_key, packet.SerializeToString())
        return True

    def current(self, data_source: str) -> list[str]:
        """Keys of the data source's sessions in creation order; ``*`` (which no data source
        can be named) lists every session, an extension of the reference server."""
        if data_source == ALL_DATA_SOURCES:
            return list(self.registry.sessions)
        return self.registry.of_data_source(data_source)

    async def info(self, session_key: str) -> bytes:
        """The serialized ``GetSessionInfoResponse`` of a session."""
        record = self.registry.get(session_key)
        if record is None:
            return api_pb2.GetSessionInfoResponse(success=False).SerializeToString()
        info = record.info
        response = api_pb2.GetSessionInfoResponse(
            data_source=record.data_source,
            identifier=info.identifier,
            type=info.type,
            version=info.version,
            associate_session_keys=list(info.associate_session_keys),
            is_complete=record.completed,
            streams=await self._router.session_streams(record.data_source),
            topic_partition_offsets=record.offsets,
            main_offset=record.main_offset,
            essentials_offset=record.essentials_offset,
            details=dict(info.details),
            utc_offset=record.utc_offset,
            success=True,
        )
        if record.creation_time is not None:
            response.creation_time.CopyFrom(record.creation_time)
        if record.termination_time is not None:
            response.termination_time.CopyFrom(record.termination_time)
        return wire.with_ordered_offsets(response, "topic_partition_offsets", record.offsets.items())
