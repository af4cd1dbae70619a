"""How streams map onto Kafka topics and partitions."""

from __future__ import annotations

import enum


class StreamCreationStrategy(enum.IntEnum):
    """``PARTITION_BASE``: one topic per data source, a partition per stream.
    ``TOPIC_BASE``: a topic per stream (``<data source>.<stream>``).
    ``STREAM_BASE`` is another name for ``PARTITION_BASE``."""

    PARTITION_BASE = 1
    TOPIC_BASE = 2
    STREAM_BASE = 1
