"""``memory://``: a log kept in this process's memory, for tests and throw-away runs."""

from __future__ import annotations

import mmap
import sys

from .embedded import EmbeddedLog, PartitionStore

#: Sizes of the arena's chunks: the first one, and the most a chunk grows to (each new
#: chunk is twice the size of the previous one).
FIRST_CHUNK_BYTES = 1 << 20
MAX_CHUNK_BYTES = 16 << 20


def _new_chunk(size: int) -> mmap.mmap:
    """``size`` bytes of anonymous memory, its pages faulted in by one system call where
    the platform can (``MAP_POPULATE``) instead of one page fault per page on first write."""
    if sys.platform == "win32":
        return mmap.mmap(-1, size)
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_POPULATE", 0)
    return mmap.mmap(-1, size, flags=flags)


class ValueArena:
    """Append-only storage for the values of a log's records.

    Values are copied one after the other into large chunks of anonymous memory, so that
    storing one costs a copy into memory that is already mapped rather than an allocation
    of its own, whose fresh pages each take a page fault. A value bigger than a quarter of
    the next chunk keeps its own ``bytes``.
    """

    def __init__(self) -> None:
        self._chunk = memoryview(b"")
        self._used = 0
        self._next_size = FIRST_CHUNK_BYTES
        # the last value stored and what was kept of it
        self._last: tuple[bytes, memoryview | bytes] = (b"", b"")

    def store(self, value: bytes) -> memoryview | bytes:
        """Keep ``value``; returns an equivalent of it. The same object stored twice in a
        row (a packet that goes to two topics) is kept once."""
        if value is self._last[0]:
            return self._last[1]
        size = len(value)
        start = self._used
        end = start + size
        kept: memoryview | bytes = value
        if end > len(self._chunk) and size <= self._next_size // 4:
            self._chunk = memoryview(_new_chunk(self._next_size))
            self._next_size = min(2 * self._next_size, MAX_CHUNK_BYTES)
            start, end = 0, size
        if end <= len(self._chunk):
            self._chunk[start:end] = value
            self._used = end
            kept = self._chunk[start:end]
        self._last = (value, kept)
        return kept


class MemoryPartition(PartitionStore):
    """Records in three parallel Python lists; offsets are list indexes. The values live in
    the log's :class:`ValueArena`."""

    def __init__(self, arena: ValueArena) -> None:
        self._arena = arena
        self._timestamps: list[int] = []
        self._keys: list[bytes | None] = []
        self._values: list[memoryview | bytes] = []

    @property
    def low_watermark(self) -> int:
        return 0

    @property
    def high_watermark(self) -> int:
        return len(self._values)

    def append(self, key: bytes | None, value: bytes, timestamp_ms: int) -> int:
        self._timestamps.append(timestamp_ms)
        self._keys.append(key)
        self._values.append(self._arena.store(value))
        return len(self._values) - 1

    def read(self, offset: int, max_records: int) -> list[tuple[int, int, bytes | None, bytes]]:
        end = min(offset + max_records, len(self._values))
        return list(
            zip(
                range(offset, end),
                self._timestamps[offset:end],
                self._keys[offset:end],
                map(bytes, self._values[offset:end]),
            )
        )


class MemoryLog(EmbeddedLog):
    """A log that lives as long as the process; acknowledged means stored in memory."""

    def __init__(self, url: str = "memory://") -> None:
        super().__init__(url)
        self._arena = ValueArena()

    def _new_partition(self, topic: str, partition: int) -> PartitionStore:
        return MemoryPartition(self._arena)
