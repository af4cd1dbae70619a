"""``memory://``: a log kept in this process's memory, for tests and throw-away runs."""

from __future__ import annotations

from .embedded import EmbeddedLog, PartitionStore


class MemoryPartition(PartitionStore):
    """Records in three parallel Python lists; offsets are list indexes."""

    def __init__(self) -> None:
        self._timestamps: list[int] = []
        self._keys: list[bytes | None] = []
        self._values: list[bytes] = []

    @property
    def low_watermark(self) -> int:
        return 0

    @property
    def high_watermark(self) -> int:
        return len(self._values)

    def append(self, key: bytes | None, value: bytes, timestamp_ms: int) -> int:
        self._timestamps.append(timestamp_ms)
        self._keys.append(key)
        self._values.append(value)
        return len(self._values) - 1

    def read(self, offset: int, max_records: int) -> list[tuple[int, int, bytes | None, bytes]]:
        end = min(offset + max_records, len(self._values))
        return list(
            zip(
                range(offset, end),
                self._timestamps[offset:end],
                self._keys[offset:end],
                self._values[offset:end],
            )
        )


class MemoryLog(EmbeddedLog):
    """A log that lives as long as the process; acknowledged means stored in memory."""

    def __init__(self, url: str = "memory://") -> None:
        super().__init__(url)

    def _new_partition(self, topic: str, partition: int) -> PartitionStore:
        return MemoryPartition()
