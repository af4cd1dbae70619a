"""The log abstraction: Kafka's data model, so any Kafka-like store can sit under the server.

A log holds *topics*; a topic has a fixed number of *partitions*; a partition is an append-only
sequence of records addressed by consecutive *offsets* starting at 0. A record has a key
(``bytes`` or ``None``), a value and a timestamp in milliseconds since the Unix epoch.

The server only ever talks to :class:`Log` and :class:`Subscription`; the embedded
implementations (``memory://``, ``file://DIR``) and the Kafka one all satisfy them.

Errors (all derive from :class:`LogError`)::

    LogError
    ├── InvalidTopicError      illegal topic name or partition count
    ├── UnknownTopicError      topic or partition does not exist
    ├── LogLockedError         a data directory is in use by another process
    ├── UnsupportedBrokerError a broker URL or client setting that cannot be used
    ├── RecordTooLargeError    a record over the log's size limit
    └── LogClosedError         the log was closed
"""

from __future__ import annotations

import abc
import re
from collections.abc import Awaitable, Sequence
from typing import NamedTuple


class LogError(Exception):
    """Base class of every error raised by a log implementation."""


class InvalidTopicError(LogError, ValueError):
    """A topic name or partition count that Kafka would refuse."""


class UnknownTopicError(LogError, LookupError):
    """The topic (or the partition of it) does not exist."""


class LogLockedError(LogError):
    """Another process holds the data directory."""


class UnsupportedBrokerError(LogError, ValueError):
    """A broker URL (or broker client setting) that names no log this installation can open."""


class RecordTooLargeError(LogError):
    """A record larger than the log (a Kafka broker's ``message.max.bytes``) accepts."""


class LogClosedError(LogError):
    """The log has been closed."""


_LEGAL_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


def validate_topic_name(topic: str) -> None:
    """Raise :class:`InvalidTopicError` unless Kafka would accept ``topic`` as a name."""
    if topic in (".", "..") or not _LEGAL_TOPIC.match(topic):
        raise InvalidTopicError(
            f"invalid topic name {topic!r}: Kafka topic names are 1-249 characters of "
            "ASCII letters, digits, '.', '_' and '-' (and not '.' or '..')"
        )


class TopicPartition(NamedTuple):
    """One partition of one topic."""

    topic: str
    partition: int

    def __str__(self) -> str:
        return f"{self.topic}:{self.partition}"


class ProducerRecord(NamedTuple):
    """A record to append. ``partition=None`` lets the log's partitioner choose."""

    topic: str
    value: bytes
    key: bytes | None = None
    partition: int | None = None
    timestamp_ms: int | None = None


class RecordMetadata(NamedTuple):
    """Where an appended record landed."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int


class Record(NamedTuple):
    """A record read back from a partition."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes


class Subscription(abc.ABC):
    """Follows a set of partitions from given start offsets, forever (until closed).

    Obtain one from :meth:`Log.subscribe`. Records of one partition come in offset order;
    there is no order between partitions.
    """

    @abc.abstractmethod
    async def poll(self, max_records: int = 10_000, timeout: float | None = None) -> list[Record]:
        """Return the next records, waiting up to ``timeout`` seconds (forever if ``None``)
        for at least one. Returns an empty list on timeout."""

    @abc.abstractmethod
    def positions(self) -> dict[TopicPartition, int]:
        """The next offset this subscription will return, per partition."""

    @abc.abstractmethod
    async def commit(self) -> None:
        """Store :meth:`positions` as the committed offsets of the subscription's consumer
        group (see :meth:`Log.subscribe`); does nothing for a subscription without a group."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop following; idempotent. A pending :meth:`poll` returns ``[]`` at once."""

    @property
    @abc.abstractmethod
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class Log(abc.ABC):
    """A Kafka-shaped record log. All methods are safe to call from one event loop."""

    #: The URL this log was opened from, for messages (``memory://``, ``file:///data`` ...).
    url: str

    @abc.abstractmethod
    async def create_topic(self, topic: str, partitions: int) -> bool:
        """Create ``topic`` with ``partitions`` partitions.

        Returns ``True`` if it was created, ``False`` if it already existed (whatever its
        partition count; as with Kafka, an existing topic is never changed).
        """

    @abc.abstractmethod
    async def list_topics(self) -> dict[str, int]:
        """Every topic with its partition count."""

    @abc.abstractmethod
    def append(self, records: Sequence[ProducerRecord]) -> Awaitable[list[RecordMetadata]]:
        """Append ``records`` in order, creating missing topics with one partition
        (as a broker with ``auto.create.topics.enable`` and ``num.partitions=1`` would).

        The records take their place in the log's order when this is *called* (so a caller
        may issue several appends before awaiting any, like a Kafka producer's ``produce``);
        the returned awaitable resolves once every record is acknowledged, that is durable
        according to the log's policy. Records for the same partition keep their order.
        Must be called from a running event loop.
        """

    @abc.abstractmethod
    async def watermarks(self, tp: TopicPartition) -> tuple[int, int]:
        """``(low, high)``: the first retained offset and the offset the next record will get."""

    @abc.abstractmethod
    def subscribe(self, start: dict[TopicPartition, int], group: str | None = None) -> Subscription:
        """Follow the given partitions from the given offsets.

        An offset ``>= 0`` is absolute (clamped to the retained range, as with
        ``auto.offset.reset``); a negative offset means the end of the partition, that is
        only records appended from now on. With a consumer ``group``, a negative offset
        means the group's committed offset for the partition instead, where it has one
        (Kafka's stored offset); :meth:`Subscription.commit` stores the group's offsets.
        """

    @abc.abstractmethod
    async def close(self) -> None:
        """Flush and release everything; idempotent."""

    async def availability(self, timeout: float) -> str | None:
        """``None`` if the log can be used now, else why not (waiting at most ``timeout``
        seconds to find out). An embedded log is always available."""
        return None

    async def partition_count(self, topic: str) -> int | None:
        """The topic's partition count, or ``None`` if it does not exist."""
        return (await self.list_topics()).get(topic)

    async def __aenter__(self) -> Log:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
