"""Which partition a stream uses under the partition-based strategy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartitionMapping:
    """Stream ``stream`` is written to partition ``partition`` of its data source's topic."""

    stream: str
    partition: int
