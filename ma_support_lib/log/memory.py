"""``memory://``: a log kept in this process's memory, for tests and throw-away runs."""

from __future__ import annotations

import concurrent.futures
import ctypes
import mmap
import sys
import threading
from collections.abc import Callable

from .embedded import EmbeddedLog, PartitionStore

#: Sizes of the arena's chunks: the first one, and the most a chunk grows to (each new
#: chunk is twice the size of the previous one).
FIRST_CHUNK_BYTES = 1 << 20
MAX_CHUNK_BYTES = 16 << 20

_MADV_POPULATE_WRITE = 23  # Linux 5.14


def _new_chunk(size: int, populate: bool = True) -> mmap.mmap:
    """``size`` bytes of anonymous memory. With ``populate``, its pages are faulted in by one
    system call where the platform can (``MAP_POPULATE``) instead of one page fault per page
    on first write."""
    if sys.platform == "win32":
        return mmap.mmap(-1, size)
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | (getattr(mmap, "MAP_POPULATE", 0) if populate else 0)
    return mmap.mmap(-1, size, flags=flags)


class _Prefaulter:
    """Prepares full-size chunks on a worker thread: maps one and faults its pages in with
    ``madvise(MADV_POPULATE_WRITE)`` (Linux 5.14 and later), called through ctypes, which
    releases the GIL, so the event loop keeps running meanwhile. One for the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._madvise: Callable[..., int] | None = None
        if sys.platform.startswith("linux"):
            try:
                self._madvise = ctypes.CDLL(None).madvise
            except (OSError, AttributeError):
                pass

    def submit(self) -> concurrent.futures.Future[mmap.mmap] | None:
        """A full-size chunk being prepared, or ``None`` where that cannot be done."""
        with self._lock:
            if self._madvise is None:
                return None
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="memory-log-prefault")
            try:
                return self._executor.submit(self._prepare)
            except RuntimeError:  # the interpreter is shutting down
                return None

    def _prepare(self) -> mmap.mmap:
        chunk = _new_chunk(MAX_CHUNK_BYTES, populate=False)
        buffer = ctypes.c_char.from_buffer(chunk)
        address = ctypes.addressof(buffer)
        del buffer  # ends the export; ``chunk`` keeps the mapping alive
        madvise = self._madvise
        if madvise is not None and madvise(ctypes.c_void_p(address), ctypes.c_size_t(MAX_CHUNK_BYTES), _MADV_POPULATE_WRITE):
            self._madvise = None  # an older kernel: the pages of this chunk fault in as written
        return chunk


_prefaulter = _Prefaulter()


class ValueArena:
    """Append-only storage for the values of a log's records.

    Values are copied one after the other into large chunks of anonymous memory, so that
    storing one costs a copy into memory that is already mapped rather than an allocation
    of its own, whose fresh pages each take a page fault. Once the chunks have grown to full
    size, the next one is prepared in the background while the current one fills. A value
    bigger than a quarter of a full-size chunk keeps its own ``bytes``.
    """

    def __init__(self) -> None:
        self._chunk = memoryview(b"")
        self._used = 0
        self._next_size = FIRST_CHUNK_BYTES
        self._spare: concurrent.futures.Future[mmap.mmap] | None = None
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
        if end > len(self._chunk) and size <= MAX_CHUNK_BYTES // 4:
            self._chunk = memoryview(self._take_chunk(size))
            start, end = 0, size
        if end <= len(self._chunk):
            self._chunk[start:end] = value
            self._used = end
            kept = self._chunk[start:end]
        self._last = (value, kept)
        return kept

    def _take_chunk(self, at_least: int) -> mmap.mmap:
        size = self._next_size
        while size < at_least:
            size *= 2
        self._next_size = min(2 * size, MAX_CHUNK_BYTES)
        if size < MAX_CHUNK_BYTES:
            return _new_chunk(size)
        spare, self._spare = self._spare, _prefaulter.submit()
        return spare.result() if spare is not None else _new_chunk(size)


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
