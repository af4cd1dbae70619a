"""Kafka broker URLs and the librdkafka settings derived from them.

Accepted forms::

    host:port[,host:port...]                       a bootstrap list (as ``BrokerUrl``)
    kafka://host:port[,host:port...][?name=value&...]

Query options are librdkafka properties (``security.protocol=SASL_SSL`` ...), except
``topic_prefix``, which puts every topic this client uses under a prefix (several independent
deployments, or tests, on one cluster). Without it the topic names are exactly the layout's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..base import InvalidTopicError, UnsupportedBrokerError, validate_topic_name

SCHEME = "kafka"
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$")

#: Producer settings: acknowledged means written to every in-sync replica (``acks=all``, implied
#: by idempotence), retried in order without duplicates while the broker is away, partitioned
#: as librdkafka's default (``consistent_random``: CRC32 of the key, random for an empty key)
#: as the reference server's producer does, and compressed with zstd at its default level as the
#: reference's are (``compression.type`` in the broker URL or properties overrides it; consumers
#: read any codec). Queue limits as the reference's main router.
PRODUCER_DEFAULTS: dict[str, str | int | bool] = {
    "enable.idempotence": True,
    "partitioner": "consistent_random",
    "compression.type": "zstd",
    "linger.ms": 5,
    "queue.buffering.max.messages": 1_000_000,
    "queue.buffering.max.kbytes": 1_048_576,
}

#: Consumer settings: manual assignment from explicit offsets, nothing committed. A consumer
#: prefetches up to ``queued.max.messages.kbytes``; once a reader has taken that much,
#: librdkafka's default waits ``fetch.queue.backoff.ms`` = 1 s before it fetches again, which
#: stalls a reader that keeps up, so the backoff is short.
CONSUMER_DEFAULTS: dict[str, str | int | bool] = {
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    "auto.offset.reset": "earliest",
    "enable.partition.eof": False,
    "fetch.wait.max.ms": 100,
    "queued.max.messages.kbytes": 16_384,
    "fetch.queue.backoff.ms": 10,
}


class KafkaSettingsError(UnsupportedBrokerError):
    """A Kafka broker URL or property that cannot be used."""


def is_kafka_url(url: str) -> bool:
    """True for ``kafka://...`` and for ``host:port[,host:port]`` bootstrap lists."""
    if "://" in url:
        return url.split("://", 1)[0].lower() == SCHEME
    return bool(url) and all(_HOST_PORT.match(part.strip()) for part in url.split(","))


@dataclass(frozen=True)
class KafkaSettings:
    """Where the cluster is, librdkafka properties for every client, and the topic prefix."""

    bootstrap: str
    properties: Mapping[str, str] = field(default_factory=dict)
    topic_prefix: str = ""

    @classmethod
    def from_url(cls, url: str, properties: Mapping[str, str] | None = None) -> KafkaSettings:
        """Parse a broker URL; ``properties`` (the library's ``additional_properties``) are
        merged under the URL's own options."""
        merged = dict(properties or {})
        prefix = merged.pop("topic_prefix", "")
        if "://" in url:
            parts = urlsplit(url)
            if parts.scheme.lower() != SCHEME:
                raise KafkaSettingsError(f"not a kafka:// URL: {url!r}")
            hosts = parts.netloc
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                if name == "topic_prefix":
                    prefix = value
                else:
                    merged[name] = value
        else:
            hosts = url
        servers = [part.strip() for part in hosts.split(",") if part.strip()]
        bad = [server for server in servers if not _HOST_PORT.match(server) or not 0 < int(server.rsplit(":", 1)[1]) < 65536]
        if not servers or bad:
            raise KafkaSettingsError(
                f"Kafka bootstrap list {hosts!r} is not host:port[,host:port...]"
                + (f" (bad: {', '.join(bad)})" if bad else "")
            )
        if "bootstrap.servers" in merged:
            raise KafkaSettingsError("give the bootstrap servers in the broker URL, not as bootstrap.servers")
        if prefix:
            try:
                validate_topic_name(prefix)
            except InvalidTopicError:
                raise KafkaSettingsError(f"topic_prefix {prefix!r} must be made of ASCII letters, digits, '.', '_' and '-'") from None
        return cls(",".join(servers), merged, prefix)

    @property
    def url(self) -> str:
        """The ``kafka://`` URL naming these settings (without properties, which may hold secrets)."""
        return f"{SCHEME}://{self.bootstrap}" + (f"?topic_prefix={self.topic_prefix}" if self.topic_prefix else "")

    def client_config(self, defaults: Mapping[str, str | int | bool] = {}, **extra: object) -> dict[str, Any]:
        """A librdkafka configuration: ``defaults``, then the user's properties, then ``extra``."""
        config: dict[str, Any] = {**defaults, **self.properties, **extra}
        config["bootstrap.servers"] = self.bootstrap
        return config

    def producer_config(self) -> dict[str, Any]:
        return self.client_config(PRODUCER_DEFAULTS)

    def consumer_config(self, group_id: str | None = None) -> dict[str, Any]:
        return self.client_config(CONSUMER_DEFAULTS, **{"group.id": group_id or f"ma-stream-api-{uuid.uuid4()}"})

    def group_id(self, group: str) -> str:
        """The cluster's ``group.id`` for a consumer group (under the topic prefix, which
        separates deployments on one cluster)."""
        return self.topic_prefix + group

    # -- topic names -------------------------------------------------------------------------

    def physical(self, topic: str) -> str:
        """The cluster's name for ``topic``; raises :class:`InvalidTopicError` for a bad name."""
        validate_topic_name(topic)
        if not self.topic_prefix:
            return topic
        name = self.topic_prefix + topic
        if len(name) > 249:
            raise InvalidTopicError(f"topic {topic!r} with prefix {self.topic_prefix!r} is longer than Kafka's 249 characters")
        return name

    def logical(self, physical: str) -> str | None:
        """The name this client uses for a cluster topic, or ``None`` if it is not under the prefix."""
        if not physical.startswith(self.topic_prefix):
            return None
        return physical[len(self.topic_prefix):]
