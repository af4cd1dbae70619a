"""Where records go: the reference Kafka layout of topics, partitions and keys.

=====================================  ========================  ========================
what                                   PartitionBased (1)        TopicBased (2)
=====================================  ========================  ========================
main stream of data source ``D``       ``D`` partition 0         ``D`` partition 0
stream ``S`` with a partition mapping  ``D`` partition ``p(S)``  ``D.S`` partition 0
stream ``S`` without a mapping         ``D`` partition 0         ``D.S`` partition 0
essentials of ``D``                    ``D_essential``, key      ``D_essential``
                                       hash partitioner          partition 0
session lifecycle and info packets     ``SessionInfo``           ``SessionInfo``
=====================================  ========================  ========================

Unlike the reference, every data source gets its own route (the reference's PartitionBased
router serves only the first data source it sees and dead-letters the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..log import InvalidTopicError, Log, TopicPartition
from ..log.base import validate_topic_name
from .config import ServerConfig
from .errors import InvalidRequestError

SESSION_INFO_TOPIC = "SessionInfo"
SYSTEM_STATUS_TOPIC = "SystemStatus"
DEAD_LETTER_TOPIC = "dead-Letter"
ESSENTIAL_SUFFIX = "_essential"
#: The pseudo data source of info packets (metrics label).
INFO_DATA_SOURCE = "Info"


def essentials_topic(data_source: str) -> str:
    return data_source + ESSENTIAL_SUFFIX


def validate_data_source(data_source: str) -> None:
    """Refuse a data source name that cannot name its topics (``D`` and ``D_essential``),
    before anything is created or stored for it."""
    try:
        validate_topic_name(data_source)
        validate_topic_name(essentials_topic(data_source))
    except InvalidTopicError:
        longest = 249 - len(ESSENTIAL_SUFFIX)
        raise InvalidRequestError(
            f"invalid data source name {data_source!r}: it names Kafka topics, so it must be 1-{longest} "
            "ASCII letters, digits, '.', '_' and '-' (and not '.' or '..')"
        ) from None


def stream_topic(data_source: str, stream: str) -> str:
    """The topic of a stream in TopicBased mode."""
    return f"{data_source}.{stream}"


def offset_key(topic: str, partition: int) -> str:
    """The ``topic:partition`` key of offset maps."""
    return f"{topic}:{partition}"


def parse_offset_key(key: str) -> TopicPartition:
    """Inverse of :func:`offset_key`; a key without a colon means partition 0."""
    topic, sep, partition = key.rpartition(":")
    if not sep:
        return TopicPartition(key, 0)
    try:
        return TopicPartition(topic, int(partition))
    except ValueError:
        return TopicPartition(key, 0)


@dataclass(frozen=True)
class Route:
    """A destination for a record: ``partition=None`` lets the key partitioner choose."""

    topic: str
    partition: int | None
    stream: str


class Router:
    """Applies the layout for one server configuration and creates topics on first use."""

    def __init__(self, log: Log, config: ServerConfig) -> None:
        self._log = log
        self._config = config
        self._checked: set[str] = set()

    # -- routes ----------------------------------------------------------------------------

    def data_route(self, data_source: str, stream: str) -> Route:
        """Route of a data packet; ``stream`` is the label readers will see."""
        if not stream:
            return Route(data_source, 0, "")
        if self._config.partition_based:
            partition = self._config.stream_partition(stream)
            if partition is None:
                return Route(data_source, 0, "")
            return Route(data_source, partition, stream)
        return Route(stream_topic(data_source, stream), 0, stream)

    def essentials_route(self, data_source: str) -> Route:
        partition = None if self._config.partition_based else 0
        return Route(essentials_topic(data_source), partition, "")

    # -- topic creation ----------------------------------------------------------------------

    async def ensure_topic(self, topic: str, partitions: int = 1) -> None:
        """Create ``topic`` unless it exists; checked once per process, like the reference."""
        if topic in self._checked:
            return
        await self._log.create_topic(topic, partitions)
        self._checked.add(topic)

    def writer_main_partitions(self) -> int:
        return self._config.main_topic_partitions if self._config.partition_based else 1

    async def ensure_data_topics(self, data_source: str, route: Route) -> None:
        """Topics a write to ``route`` of ``data_source`` needs, with the writer's counts."""
        if data_source + "\0main" not in self._checked:
            validate_data_source(data_source)
            await self.ensure_topic(data_source, self.writer_main_partitions())
            await self.ensure_topic(essentials_topic(data_source))
            self._checked.add(data_source + "\0main")
        if route.topic != data_source:
            await self.ensure_topic(route.topic)

    # -- offset snapshots ------------------------------------------------------------------

    async def _high_watermark(self, topics: dict[str, int], tp: TopicPartition) -> int:
        count = topics.get(tp.topic)
        if count is None or tp.partition >= count:
            return 0
        return (await self._log.watermarks(tp))[1]

    async def offsets_snapshot(self, data_source: str) -> dict[str, int]:
        """The ``topic:partition -> high watermark`` map stored with a session start or end.

        Order: main, essentials, then the streams (mapped partitions in PartitionBased mode,
        existing ``D.S`` topics in TopicBased mode). Missing topics give offset 0.
        """
        topics = await self._log.list_topics()
        wanted = [TopicPartition(data_source, 0), TopicPartition(essentials_topic(data_source), 0)]
        if self._config.partition_based:
            wanted += [TopicPartition(data_source, m.partition) for m in self._config.partition_mappings]
        else:
            wanted += [TopicPartition(topic, 0) for topic in self.stream_topics(data_source, topics)]
        snapshot: dict[str, int] = {}
        for tp in wanted:
            key = offset_key(*tp)
            if key not in snapshot:
                snapshot[key] = await self._high_watermark(topics, tp)
        return snapshot

    def stream_topics(self, data_source: str, topics: dict[str, int]) -> list[str]:
        """Existing TopicBased stream topics ``D.S`` of a data source (``S`` without dots)."""
        pattern = re.compile(re.escape(data_source) + r"\.[^.]+")
        return sorted(topic for topic in topics if pattern.fullmatch(topic))

    async def session_streams(self, data_source: str) -> list[str]:
        """``GetSessionInfo.streams``: mapped stream names, or existing stream topics."""
        if self._config.partition_based:
            return [mapping.stream for mapping in self._config.partition_mappings]
        topics = await self._log.list_topics()
        prefix = len(data_source) + 1
        return [topic[prefix:] for topic in self.stream_topics(data_source, topics)]
