"""Kafka-shaped record logs the Stream API server runs on, chosen by URL.

=============================  ==========================================================
``memory://``                  in this process's memory; gone when the process exits
``file://DIR``                 durable segment files under ``DIR`` (relative or absolute);
                               options as a query string: ``?fsync=always|interval|never``,
                               ``fsync_interval_ms=N``, ``segment_bytes=N``
``host:port[,host:port]``      an Apache Kafka cluster (its bootstrap list, as
``kafka://host:port[,...]``    ``BrokerUrl``); options as a query string: librdkafka
                               properties, and ``topic_prefix=P`` to keep every topic under
                               a prefix (see :mod:`.kafka.settings`)
=============================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from .base import (
    InvalidTopicError,
    Log,
    LogClosedError,
    LogError,
    LogLockedError,
    ProducerRecord,
    Record,
    RecordMetadata,
    RecordTooLargeError,
    Subscription,
    TopicPartition,
    UnknownTopicError,
    UnsupportedBrokerError,
)

__all__ = [
    "InvalidTopicError",
    "Log",
    "LogClosedError",
    "LogError",
    "LogLockedError",
    "ProducerRecord",
    "Record",
    "RecordMetadata",
    "RecordTooLargeError",
    "Subscription",
    "TopicPartition",
    "UnknownTopicError",
    "UnsupportedBrokerError",
    "is_embedded_url",
    "is_kafka_url",
    "open_log",
]

EMBEDDED_SCHEMES = ("memory", "file")


def is_embedded_url(url: str) -> bool:
    """True for ``memory://`` and ``file://...`` URLs."""
    return url.split("://", 1)[0].lower() in EMBEDDED_SCHEMES if "://" in url else False


def _file_options(query: str) -> dict[str, object]:
    options: dict[str, object] = {}
    for name, values in parse_qs(query, keep_blank_values=True).items():
        value = values[-1]
        if name == "fsync":
            options["fsync"] = value
        elif name in ("fsync_interval_ms", "segment_bytes"):
            try:
                options[name] = int(value)
            except ValueError:
                raise UnsupportedBrokerError(f"file:// option {name} must be an integer, got {value!r}") from None
        else:
            raise UnsupportedBrokerError(
                f"unknown file:// option {name!r}; known: fsync, fsync_interval_ms, segment_bytes"
            )
    return options


def is_kafka_url(url: str) -> bool:
    """True for ``kafka://...`` URLs and ``host:port[,host:port]`` bootstrap lists."""
    from .kafka.settings import is_kafka_url as kafka_url

    return kafka_url(url)


def open_log(url: str, properties: Mapping[str, str] | None = None) -> Log:
    """Open the log that ``url`` names (see the module docstring for the schemes).

    ``properties`` are broker client properties (librdkafka's, for Kafka); the embedded logs
    take none.
    """
    if is_kafka_url(url):
        from .kafka import KafkaLog

        return KafkaLog.open(url, properties)
    if properties:
        raise UnsupportedBrokerError(
            f"broker client properties ({', '.join(sorted(properties))}) only apply to Kafka, not to {url!r}"
        )
    if "://" not in url:
        raise UnsupportedBrokerError(
            f"unsupported broker {url!r}: use a Kafka bootstrap list (host:port[,host:port]), "
            "kafka://host:port, 'memory://' or 'file://DIR'"
        )
    scheme = url.split("://", 1)[0].lower()
    if scheme == "memory":
        from .memory import MemoryLog

        return MemoryLog(url)
    if scheme == "file":
        from .file import FileLog

        parts = urlsplit(url)
        directory = unquote(parts.netloc + parts.path)
        if not directory:
            raise UnsupportedBrokerError("file:// needs a directory, for example file://./data or file:///var/lib/stream-api")
        return FileLog(directory, url=url, **_file_options(parts.query))  # type: ignore[arg-type]
    raise UnsupportedBrokerError(
        f"unsupported broker URL {url!r}: use a Kafka bootstrap list (host:port[,host:port]), "
        "kafka://host:port, 'memory://' or 'file://DIR'"
    )
