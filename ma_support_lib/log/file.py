"""``file://DIR``: a durable log of append-only segment files under one data directory.

Layout
======

::

    DIR/
    ├── .lock                         exclusive lock of the owning process; holds its pid
    ├── damaged/                      topics set aside by recovery (only if there were any)
    └── topics/
        └── t_<name>_<hash>/          one directory per topic
            ├── topic.json            {"format": 1, "topic": <name>, "partitions": <n>}
            ├── 0/                    one directory per partition, named by its number
            │   ├── 00000000000000000000.log   segments, named by their 20-digit base offset
            │   ├── 00000000000000052113.log
            │   └── damaged-<time>/   data set aside by recovery (only if there was any)
            └── 1/ ...

A topic directory is ``t_`` + the first 200 characters of the topic name + ``_`` + 12 hex
digits of the SHA-256 of the name. The prefix keeps the name clear of dot files and of
reserved device names; the hash keeps topics that differ only in letter case apart on
case-insensitive file systems. The authoritative name is the one in ``topic.json``. A topic
is created in a ``.new-*`` directory (partitions, first segments, then ``topic.json``) that
is renamed into place when complete; ``.new-*`` leftovers of a crash are removed at open.
``topic.json`` itself is always replaced atomically (temporary file, fsync, rename, fsync of
the directory).

Segment files are a plain concatenation of records, big-endian::

    length        u32   bytes that follow this field (24 + key bytes + value bytes)
    crc           u32   CRC-32 (zlib.crc32) of the record with this field left out:
                        length, offset, timestamp, key length, key and value
    offset        i64   absolute offset of the record in its partition
    timestamp_ms  i64
    key_length    i32   -1 for a null key (0 is an empty key)
    key           key_length bytes
    value         the rest

The first record of a segment has the segment's base offset; offsets then go up by one with
no gaps, across segments too. A new segment is started when the next record would take the
active one past ``segment_bytes`` (default 256 MiB). An empty segment is never rolled, so a
record larger than ``segment_bytes`` gets a segment of its own; records never span segments.
Every segment of an open partition keeps one file descriptor.

At open every segment is scanned once, checking framing, CRC and offsets, and an in-memory
index of record positions is built (one ``array('q')`` per segment), so that locating any
offset costs a bisection over segments and an array lookup. Reads ``pread`` a run of
consecutive records (up to 1 MiB) in one call and cut the records out of it; records are not
checksummed again when read (those already on disk were checked at open, the others were
written by this process). Appends encode every record of one :meth:`~FileLog.append` call
into a buffer per partition and write each buffer with a single ``write`` to the active
segment (opened ``O_APPEND``).

Durability
==========

Whatever the policy, the records of an ``append()`` call are handed to the operating system
with ``write()`` before the call returns (well before they are acknowledged), so an
acknowledged record survives the death of the process (``kill -9``, a crash of the
interpreter). The policies differ in what survives losing the machine (power loss, kernel
panic, a hypervisor reset):

``fsync="always"`` (the default)
    The awaitable that ``append()`` returns resolves only once the records are on stable
    storage: their segments are ``fdatasync``-ed (``F_FULLFSYNC`` on macOS), and so is the
    partition directory when a segment was created. Every
    acknowledged record survives power loss. Concurrent appenders share fsyncs (group
    commit): per partition at most one fsync runs at a time, in a worker thread so the event
    loop keeps serving, and every appender that arrives while it runs is covered by the
    next one.
``fsync="interval"``
    A background thread fsyncs the partitions that have unsynced writes, at most every
    ``fsync_interval_ms`` (default 1000); appends never wait for it. Power loss can lose the
    records acknowledged during roughly the last interval.
``fsync="never"``
    The operating system writes the data back when it likes (typically within about 30 s on
    Linux). Power loss can lose any records not yet written back.

``close()`` fsyncs everything in the ``always`` and ``interval`` modes. Creating a topic
fsyncs its files and directories in those modes too.

If an fsync fails, the data it covered may be lost without any later fsync reporting it, so
the partition is marked failed: the waiting appenders get a :class:`LogError` and later
appends to that partition are refused until the log is reopened (which rescans the files).
A failed ``write()`` (disk full, for example) is undone: the segment is truncated back to
its last complete record and the append raises :class:`LogError`.

Recovery at open
================

* The end of the **last** segment of a partition is where a crash leaves a partial write. A
  tail that does not parse — too short for its header or its length, a bad length, a bad
  CRC, an offset that does not follow the previous one, a bad key length — is cut off with
  ``ftruncate`` and logged as a WARNING naming the file, the byte position and the number of
  bytes removed. The partition then continues from the last good record.
* Damage **before** the last segment cannot come from a crash during an append: it means the
  storage lost or altered data. The partition is cut back to its last good record before
  the damage, and so that nothing is destroyed, the bytes after that point and every later
  segment are moved into ``<partition>/damaged-<time>/`` (the cut bytes as
  ``<segment>.tail``); the ERROR log names the damaged file, that directory, what was moved
  and the offset the partition now ends at. The records set aside are no longer served; an
  operator may inspect them.
* A missing partition directory or first segment is recreated empty (WARNING). A topic whose
  ``topic.json`` is missing or unreadable is rebuilt from its directory when the name can be
  recovered from it (its hash checks out) and moved to ``DIR/damaged/`` otherwise (ERROR).

Damaged data never keeps the log from opening: it opens with every record that passed the
checks and nothing else.

Locking
=======

One process owns a data directory: ``FileLog`` takes an exclusive, non-blocking lock on
``DIR/.lock`` (``flock`` on POSIX, ``msvcrt.locking`` on Windows) and writes its pid into
it. A second ``FileLog`` on the same directory, in this or another process, raises
:class:`LogLockedError`. The lock is released by :meth:`FileLog.close` (and by the operating
system when the process dies).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import hashlib
import json
import logging
import os
import shutil
import struct
import sys
import threading
import time
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Sequence

from .base import (
    LogError,
    LogLockedError,
    ProducerRecord,
    RecordMetadata,
    TopicPartition,
    validate_topic_name,
)
from .embedded import MAX_PARTITIONS, EmbeddedLog, PartitionStore

__all__ = ["FSYNC_POLICIES", "FileLog", "FilePartition"]

log = logging.getLogger(__name__)

FSYNC_POLICIES = ("always", "interval", "never")
DEFAULT_SEGMENT_BYTES = 256 * 1024 * 1024
DEFAULT_FSYNC_INTERVAL_MS = 1000

#: Largest record (header included) the log writes or accepts when scanning.
MAX_RECORD_BYTES = 1 << 30

FORMAT_VERSION = 1
TOPICS_DIR = "topics"
DAMAGED_DIR = "damaged"
META_FILE = "topic.json"
LOCK_FILE = ".lock"
NEW_PREFIX = ".new-"
SEGMENT_SUFFIX = ".log"
SEGMENT_NAME_DIGITS = 20

_HEAD = struct.Struct(">IIqqi")  # length, crc, offset, timestamp_ms, key_length
_CHECKED = struct.Struct(">Iqqi")  # the header fields the CRC covers: all but the CRC
HEADER_BYTES = _HEAD.size  # 28
_MIN_LENGTH = HEADER_BYTES - 4  # 24: a record with empty key and value

#: Bytes fetched per pread when reading records and when scanning at open.
READ_CHUNK_BYTES = 1 << 20
SCAN_CHUNK_BYTES = 8 << 20
#: Upper bound on bytes one ``read`` returns (it returns at least one record).
READ_MAX_BYTES = 8 << 20

_O_BINARY = getattr(os, "O_BINARY", 0)
_WINDOWS = sys.platform == "win32"


# -- low-level file operations ----------------------------------------------------------------


def _datasync(fd: int) -> None:
    """Flush a file's data (and the metadata needed to read it) to stable storage."""
    if sys.platform == "darwin":  # fsync on macOS does not flush the drive's cache
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)  # type: ignore[attr-defined]
            return
        except OSError:
            pass
        os.fsync(fd)
    elif hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:
        os.fsync(fd)


def _fsync_dir(path: str) -> None:
    """Make a directory's entries (created, renamed, removed files) durable."""
    if _WINDOWS:  # directories cannot be opened for fsync; NTFS journals the metadata
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


if hasattr(os, "pread"):
    _pread = os.pread
else:  # Windows: every read happens with the log's lock held, so seek + read is safe

    def _pread(fd: int, n: int, position: int) -> bytes:
        os.lseek(fd, position, os.SEEK_SET)
        return os.read(fd, n)


def _pread_full(fd: int, n: int, position: int) -> bytes:
    """Read ``n`` bytes at ``position``, fewer only at the end of the file."""
    data = _pread(fd, n, position)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = _pread(fd, n - got, position + got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _atomic_write(path: str, data: bytes, durable: bool) -> None:
    """Replace ``path`` by ``data`` so that a crash leaves the old or the new content."""
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_BINARY, 0o644)
    try:
        _write_all(fd, data)
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if durable:
        _fsync_dir(os.path.dirname(path))


def topic_dir_name(topic: str) -> str:
    """The directory name of ``topic`` (see the module docstring)."""
    digest = hashlib.sha256(topic.encode("ascii")).hexdigest()[:12]
    return f"t_{topic[:200]}_{digest}"


def segment_name(base_offset: int) -> str:
    return f"{base_offset:0{SEGMENT_NAME_DIGITS}d}{SEGMENT_SUFFIX}"


def _is_segment_name(name: str) -> bool:
    stem = name[: -len(SEGMENT_SUFFIX)]
    return name.endswith(SEGMENT_SUFFIX) and len(stem) == SEGMENT_NAME_DIGITS and stem.isdigit()


def _record_header(length: int, offset: int, timestamp_ms: int, key: bytes | None, value: bytes) -> bytes:
    """The header of a record (``length`` as stored), its CRC computed over the header
    fields, key and value. Raises ``struct.error`` for a timestamp out of range."""
    key_length = -1 if key is None else len(key)
    crc = zlib.crc32(_CHECKED.pack(length, offset, timestamp_ms, key_length))
    if key:
        crc = zlib.crc32(key, crc)
    return _HEAD.pack(length, zlib.crc32(value, crc), offset, timestamp_ms, key_length)


def encode_record(offset: int, timestamp_ms: int, key: bytes | None, value: bytes) -> bytes:
    """One record in the segment format (used by tests and tools)."""
    length = _MIN_LENGTH + len(key or b"") + len(value)
    return b"".join((_record_header(length, offset, timestamp_ms, key, value), key or b"", value))


# -- the data directory lock ----------------------------------------------------------------

_LOCK_BYTE = 1 << 20  # Windows locks a byte range; keep it clear of the pid text


class _DirLock:
    """An exclusive lock on ``DIR/.lock``, held for the life of a :class:`FileLog`."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, LOCK_FILE)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _O_BINARY, 0o644)
        try:
            self._lock(fd)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
                raise LogError(f"cannot lock data directory {directory}: {exc}") from exc
            holder = self._read_pid()
            by = f"process {holder}" if holder is not None else "another process"
            raise LogLockedError(
                f"data directory {directory} is in use by {by} (lock file {self.path}); only one "
                "server may own a data directory at a time: stop that server, or have the other "
                "processes connect to it instead of opening the directory themselves"
            ) from None
        self._fd: int | None = fd
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            _write_all(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass  # the pid is informative only

    @staticmethod
    def _lock(fd: int) -> None:
        if _WINDOWS:
            import msvcrt

            os.lseek(fd, _LOCK_BYTE, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _read_pid(self) -> int | None:
        try:
            with open(self.path, "rb") as file:
                text = file.read(64)
            return int(text.split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        try:
            if _WINDOWS:
                import msvcrt

                os.lseek(fd, _LOCK_BYTE, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass
        finally:
            os.close(fd)


# -- segments and partitions ----------------------------------------------------------------


class _Segment:
    """One segment file. ``positions[k]`` is where record ``base + k`` starts;
    ``positions[-1]`` is the end of the last record (appended ones included)."""

    __slots__ = ("base", "name", "fd", "positions")

    def __init__(self, base: int, fd: int, positions: "array[int]") -> None:
        self.base = base
        self.name = segment_name(base)
        self.fd = fd
        self.positions = positions

    @property
    def count(self) -> int:
        return len(self.positions) - 1


class _ScanResult:
    __slots__ = ("positions", "next_offset", "good_bytes", "problem")

    def __init__(self, positions: "array[int]", next_offset: int, good_bytes: int, problem: str | None) -> None:
        self.positions = positions
        self.next_offset = next_offset
        self.good_bytes = good_bytes
        self.problem = problem


def scan_segment(fd: int, size: int, base: int) -> _ScanResult:
    """Check every record of a segment; stop at the first one that is not sound."""
    positions = array("q", [0])
    pos = 0
    expected = base
    buf = b""
    buf_pos = 0
    view = memoryview(buf)
    problem = None
    while pos < size:
        if size - pos < HEADER_BYTES:
            problem = f"{size - pos} byte(s) at the end are too short for a record header"
            break
        if pos + HEADER_BYTES > buf_pos + len(buf):
            buf = _pread_full(fd, SCAN_CHUNK_BYTES, pos)
            buf_pos, view = pos, memoryview(buf)
        at = pos - buf_pos
        length, crc, offset, _timestamp, key_length = _HEAD.unpack_from(buf, at)
        if length < _MIN_LENGTH or length + 4 > MAX_RECORD_BYTES:
            problem = f"bad record length {length}"
            break
        end = pos + 4 + length
        if end > size:
            problem = f"record of {length + 4} bytes runs past the end of the file"
            break
        if end > buf_pos + len(buf):
            buf = _pread_full(fd, max(SCAN_CHUNK_BYTES, 4 + length), pos)
            buf_pos, view = pos, memoryview(buf)
            at = 0
            if len(buf) < 4 + length:
                problem = "file shrank while being scanned"
                break
        if zlib.crc32(view[at + 8 : at + 4 + length], zlib.crc32(view[at : at + 4])) != crc:
            problem = "CRC mismatch"
            break
        if offset != expected:
            problem = f"record has offset {offset} where {expected} was expected"
            break
        if not -1 <= key_length <= length - _MIN_LENGTH:
            problem = f"bad key length {key_length}"
            break
        positions.append(end)
        pos = end
        expected += 1
    view.release()
    return _ScanResult(positions, expected, pos, problem)


def _open_segment_fd(path: str, create: bool) -> int:
    flags = os.O_RDWR | os.O_APPEND | _O_BINARY
    if create:
        flags |= os.O_CREAT | os.O_EXCL
    return os.open(path, flags, 0o644)


class FilePartition(PartitionStore):
    """The segments of one partition. Mutated with the owning log's lock held; the fsync
    machinery (``_state``, ``_io``) runs in worker threads and never takes that lock."""

    def __init__(self, owner: FileLog, name: str, directory: str, segments: list[_Segment]) -> None:
        self._owner = owner
        self.name = name  # "topic:partition", for messages
        self.directory = directory
        self._segments = segments
        self._bases = [segment.base for segment in segments]
        self._active = segments[-1]
        self._next_offset = self._active.base + self._active.count
        self._segment_bytes = owner.segment_bytes
        self._tracks_sync = owner.fsync != "never"
        # appended but not yet written: bytes and record count, all in the active segment
        self._pending = bytearray()
        self._pending_count = 0
        # fsync state, guarded by _state
        self._state = threading.Lock()
        self._write_seq = 0  # bumped after every successful write()
        self._synced_seq = 0
        self._sync_running = False
        self._sync_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._unsynced_old: list[_Segment] = []  # rolled-away segments with unsynced writes
        self._dir_dirty = False
        self._failure: LogError | None = None
        # held while fsyncing and while closing the files
        self._io = threading.Lock()
        self._closed = False

    # -- PartitionStore -------------------------------------------------------------------

    @property
    def low_watermark(self) -> int:
        return self._segments[0].base

    @property
    def high_watermark(self) -> int:
        return self._next_offset

    def append(self, key: bytes | None, value: bytes, timestamp_ms: int) -> int:
        if self._failure is not None:
            raise self._failure
        if self._closed:
            raise LogError(f"partition {self.name} is closed")
        key_length = -1 if key is None else len(key)
        length = _MIN_LENGTH + (key_length if key_length > 0 else 0) + len(value)
        if length + 4 > MAX_RECORD_BYTES:
            raise LogError(
                f"record of {length + 4} bytes for {self.name} exceeds the limit of "
                f"{MAX_RECORD_BYTES} bytes"
            )
        segment = self._active
        positions = segment.positions
        end = positions[-1]
        if len(positions) > 1 and end + 4 + length > self._segment_bytes:
            self._roll()
            segment = self._active
            positions = segment.positions
            end = positions[-1]
        offset = self._next_offset
        try:
            header = _record_header(length, offset, timestamp_ms, key, value)
        except struct.error:
            raise ValueError(f"timestamp {timestamp_ms} does not fit in a signed 64-bit integer") from None
        pending = self._pending
        if not pending:
            self._owner._dirty.append(self)
        pending += header
        if key:
            pending += key
        pending += value
        positions.append(end + 4 + length)
        self._pending_count += 1
        self._next_offset = offset + 1
        return offset

    def read(self, offset: int, max_records: int) -> list[tuple[int, int, bytes | None, bytes]]:
        if self._pending:
            self.flush()
        out: list[tuple[int, int, bytes | None, bytes]] = []
        budget = READ_MAX_BYTES
        index = bisect_right(self._bases, offset) - 1
        if index < 0:
            index = 0
            offset = self._segments[0].base
        head = _HEAD
        while len(out) < max_records and budget > 0 and index < len(self._segments):
            segment = self._segments[index]
            positions = segment.positions
            first = offset - segment.base
            count = len(positions) - 1
            if first >= count:
                index += 1
                continue
            last = min(count, first + max_records - len(out))  # exclusive
            start = positions[first]
            # as many whole records as fit in one chunk, at least one
            stop = bisect_right(positions, start + min(READ_CHUNK_BYTES, budget), first + 1, last + 1) - 1
            if stop <= first:
                stop = first + 1
            nbytes = positions[stop] - start
            data = _pread_full(segment.fd, nbytes, start)
            if len(data) != nbytes:
                raise LogError(
                    f"segment {os.path.join(self.directory, segment.name)} is shorter than "
                    f"expected: it was changed by something else while the log was open"
                )
            for k in range(first, stop):
                at = positions[k] - start
                length, _crc, rec_offset, timestamp, key_length = head.unpack_from(data, at)
                body = at + HEADER_BYTES
                if key_length < 0:
                    key = None
                else:
                    key = data[body : body + key_length]
                    body += key_length
                out.append((rec_offset, timestamp, key, data[body : at + 4 + length]))
            budget -= nbytes
            offset = segment.base + stop
        return out

    def close(self) -> None:
        """Write what is pending, fsync (unless ``fsync="never"``) and close the files."""
        error: LogError | None = None
        with self._io:
            if self._closed:
                return
            try:
                if self._pending:
                    self.flush()
            except LogError as exc:
                error = exc
            with self._state:
                segments = list(self._unsynced_old)
                dir_dirty = self._dir_dirty
                dirty = self._write_seq > self._synced_seq or segments or dir_dirty
            if self._tracks_sync and self._failure is None and dirty:
                try:
                    for segment in segments:
                        _datasync(segment.fd)
                    _datasync(self._active.fd)
                    if dir_dirty:
                        _fsync_dir(self.directory)
                except OSError as exc:
                    error = self._fail(f"fsync of {self.name} on close failed: {exc}")
            for segment in self._segments:
                try:
                    os.close(segment.fd)
                except OSError:
                    pass
            self._closed = True
        with self._state:
            waiters, self._sync_waiters = self._sync_waiters, []
            if self._failure is None:
                self._synced_seq = self._write_seq
                self._unsynced_old.clear()
                self._dir_dirty = False
        _settle(waiters, self._failure)
        if error is not None:
            log.error("closing partition %s: %s", self.name, error)

    # -- writing ----------------------------------------------------------------------------

    def flush(self) -> None:
        """Hand the pending records to the OS in one write; undo them if that fails."""
        pending = self._pending
        if not pending:
            return
        segment = self._active
        count = self._pending_count
        written_end = segment.positions[-1 - count]
        try:
            _write_all(segment.fd, pending)
        except OSError as exc:
            del segment.positions[len(segment.positions) - count :]
            self._next_offset -= count
            self._pending = bytearray()
            self._pending_count = 0
            path = os.path.join(self.directory, segment.name)
            try:
                os.ftruncate(segment.fd, written_end)
            except OSError as undo:
                self._fail(
                    f"writing {path} failed ({exc}) and the partial write could not be undone "
                    f"({undo}); the partition accepts no more appends until the log is reopened"
                )
            raise LogError(f"writing {count} record(s) to {path} failed: {exc}") from exc
        self._pending = bytearray()
        self._pending_count = 0
        self._write_seq += 1

    def _roll(self) -> None:
        """Start a new segment at the next offset."""
        self.flush()
        base = self._next_offset
        path = os.path.join(self.directory, segment_name(base))
        try:
            fd = _open_segment_fd(path, create=True)
        except OSError as exc:
            raise LogError(f"cannot create segment {path}: {exc}") from exc
        segment = _Segment(base, fd, array("q", [0]))
        old = self._active
        with self._state:
            if self._tracks_sync:
                self._unsynced_old.append(old)
                self._dir_dirty = True
            self._segments.append(segment)
            self._bases.append(base)
            self._active = segment

    # -- fsync ----------------------------------------------------------------------------

    def _fail(self, message: str) -> LogError:
        error = LogError(message)
        with self._state:
            if self._failure is None:
                self._failure = error
        log.error("%s", message)
        return self._failure or error

    def sync_request(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None] | None:
        """A future that resolves once everything written so far is fsynced (``None`` if
        it already is); starts a sync round in the owner's executor unless one is running."""
        target = self._write_seq
        with self._state:
            if self._failure is not None:
                raise self._failure
            if self._synced_seq >= target:
                return None
            future = loop.create_future()
            self._sync_waiters.append((target, future))
            if self._sync_running:
                return future
            self._sync_running = True
        try:
            self._owner._sync_executor().submit(self._sync_rounds)
        except RuntimeError:  # executor shut down: the log is closing and close() syncs
            self._sync_rounds()
        return future

    def sync_if_dirty(self) -> None:
        """One sync round now, in this thread, if there is anything to sync and no round is
        running (the ``interval`` policy's timer)."""
        with self._state:
            if self._sync_running or self._failure is not None:
                return
            if self._synced_seq >= self._write_seq and not self._unsynced_old and not self._dir_dirty:
                return
            self._sync_running = True
        self._sync_rounds()

    def _sync_rounds(self) -> None:
        """fsync until no waiter is left uncovered. Called with ``_sync_running`` set."""
        while True:
            with self._state:
                covered = self._write_seq
                old = list(self._unsynced_old)
                active = self._active
                dir_dirty = self._dir_dirty
                self._dir_dirty = False
                needed = covered > self._synced_seq or old or dir_dirty
            error: LogError | None = None
            if needed:
                try:
                    with self._io:
                        if not self._closed:  # else close() synced (or recorded a failure)
                            for segment in old:
                                _datasync(segment.fd)
                            _datasync(active.fd)
                            if dir_dirty:
                                _fsync_dir(self.directory)
                except OSError as exc:
                    error = self._fail(
                        f"fsync of partition {self.name} ({self.directory}) failed: {exc}; data "
                        "written since the previous fsync may be lost, so the partition accepts "
                        "no more appends until the log is reopened"
                    )
            with self._state:
                error = error or self._failure
                if error is None:
                    self._synced_seq = max(self._synced_seq, covered)
                    if old:
                        self._unsynced_old = [s for s in self._unsynced_old if s not in old]
                    done = [w for w in self._sync_waiters if w[0] <= self._synced_seq]
                    self._sync_waiters = [w for w in self._sync_waiters if w[0] > self._synced_seq]
                else:
                    done, self._sync_waiters = self._sync_waiters, []
                finished = not self._sync_waiters
                if finished:
                    self._sync_running = False
            _settle(done, error)
            if finished:
                return


def _settle(waiters: list[tuple[int, asyncio.Future[None]]], error: BaseException | None) -> None:
    for _target, future in waiters:
        try:
            future.get_loop().call_soon_threadsafe(_settle_one, future, error)
        except RuntimeError:  # that event loop is closed; nobody is waiting any more
            pass


def _settle_one(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


# -- the log --------------------------------------------------------------------------------


class FileLog(EmbeddedLog):
    """A durable log in the directory ``directory`` (see the module docstring)."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        url: str | None = None,
        fsync: str = "always",
        fsync_interval_ms: int = DEFAULT_FSYNC_INTERVAL_MS,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
    ) -> None:
        directory = os.fspath(directory)
        super().__init__(url if url is not None else f"file://{directory}")
        if fsync not in FSYNC_POLICIES:
            raise ValueError(
                f"unknown fsync policy {fsync!r}: use 'always' (every acknowledged record is on "
                "disk), 'interval' (fsync in the background every fsync_interval_ms) or 'never' "
                "(leave it to the operating system)"
            )
        if isinstance(fsync_interval_ms, bool) or not isinstance(fsync_interval_ms, int) or fsync_interval_ms <= 0:
            raise ValueError(f"fsync_interval_ms must be a positive integer, got {fsync_interval_ms!r}")
        if isinstance(segment_bytes, bool) or not isinstance(segment_bytes, int) or segment_bytes <= 0:
            raise ValueError(f"segment_bytes must be a positive integer, got {segment_bytes!r}")
        self.directory = os.path.abspath(directory)
        self.fsync = fsync
        self.fsync_interval_ms = fsync_interval_ms
        self.segment_bytes = segment_bytes
        self._durable_meta = fsync != "never"
        self._needs_commit = fsync == "always"
        self._topics_dir = os.path.join(self.directory, TOPICS_DIR)
        self._partitions: list[FilePartition] = []  # every partition, for the fsync timer
        self._partitions_lock = threading.Lock()
        self._dirty: list[FilePartition] = []  # partitions with pending (unwritten) records
        self._creating: dict[str, tuple[str, list[FilePartition]]] = {}
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._stop_timer = threading.Event()
        self._timer: threading.Thread | None = None
        self._released = False

        try:
            if not os.path.isdir(self.directory):
                os.makedirs(self.directory, exist_ok=True)
                if self._durable_meta:
                    _fsync_dir(os.path.dirname(self.directory))
        except OSError as exc:
            raise LogError(f"cannot create data directory {self.directory}: {exc}") from exc
        self._dir_lock = _DirLock(self.directory)
        try:
            self._load()
        except BaseException:
            for stores in self._topics.values():
                self._close_fds(stores)  # type: ignore[arg-type]
            self._dir_lock.release()
            raise
        if fsync == "interval":
            self._timer = threading.Thread(
                target=self._interval_sync, name=f"filelog-fsync {self.directory}", daemon=True
            )
            self._timer.start()

    # -- opening ------------------------------------------------------------------------------

    def _load(self) -> None:
        if not os.path.isdir(self._topics_dir):
            os.makedirs(self._topics_dir)
            if self._durable_meta:
                _fsync_dir(self.directory)
        for entry in sorted(os.listdir(self._topics_dir)):
            path = os.path.join(self._topics_dir, entry)
            if entry.startswith(NEW_PREFIX):
                log.warning("removing %s: a topic whose creation was interrupted", path)
                shutil.rmtree(path, ignore_errors=True)
                continue
            if not os.path.isdir(path) or entry.startswith("."):
                continue
            meta = self._read_meta(path)
            if meta is None:
                continue
            topic, partitions = meta
            if topic in self._topics:
                log.error("%s: topic %r is stored twice; ignoring this copy", path, topic)
                continue
            stores: list[FilePartition] = []
            try:
                for index in range(partitions):
                    stores.append(self._open_partition(topic, index, path))
            except BaseException:
                self._close_fds(stores)
                raise
            self._topics[topic] = list(stores)
            with self._partitions_lock:
                self._partitions.extend(stores)

    def _read_meta(self, path: str) -> tuple[str, int] | None:
        """``(topic, partitions)`` of a topic directory; rebuilds or sets aside a bad one."""
        meta_path = os.path.join(path, META_FILE)
        problem = None
        try:
            with open(meta_path, "rb") as file:
                meta = json.loads(file.read().decode("utf-8"))
            topic = meta["topic"]
            partitions = meta["partitions"]
            if meta.get("format") != FORMAT_VERSION:
                problem = f"unsupported format {meta.get('format')!r}"
            elif not isinstance(topic, str) or not isinstance(partitions, int):
                problem = "bad field types"
            elif os.path.basename(path) != topic_dir_name(topic):
                problem = f"it names topic {topic!r}, which does not belong in this directory"
            elif not 1 <= partitions <= MAX_PARTITIONS:
                problem = f"bad partition count {partitions}"
            else:
                validate_topic_name(topic)
                return topic, partitions
        except FileNotFoundError:
            problem = "it is missing"
        except (OSError, ValueError, KeyError, TypeError, LogError) as exc:
            problem = f"it cannot be read ({exc})"
        # rebuild from the directory: name from the directory name, count from the partitions
        entry = os.path.basename(path)
        topic = entry[2:-13] if entry.startswith("t_") and len(entry) > 15 else ""
        present = [int(n) for n in os.listdir(path) if n.isdigit() and os.path.isdir(os.path.join(path, n))]
        if topic and topic_dir_name(topic) == entry and present and max(present) < MAX_PARTITIONS:
            partitions = max(present) + 1
            log.warning(
                "%s: %s; rebuilt it from the directory (topic %r, %d partition(s))",
                meta_path, problem, topic, partitions,
            )
            self._write_meta(path, topic, partitions)
            return topic, partitions
        damaged = os.path.join(self.directory, DAMAGED_DIR)
        os.makedirs(damaged, exist_ok=True)
        target = os.path.join(damaged, f"{entry}-{time.time_ns() // 1_000_000}")
        os.rename(path, target)
        _fsync_dir(self._topics_dir)
        log.error(
            "%s: %s and the topic cannot be identified from its directory; moved it to %s",
            meta_path, problem, target,
        )
        return None

    def _write_meta(self, path: str, topic: str, partitions: int) -> None:
        data = json.dumps({"format": FORMAT_VERSION, "topic": topic, "partitions": partitions}).encode()
        _atomic_write(os.path.join(path, META_FILE), data + b"\n", self._durable_meta)

    def _open_partition(self, topic: str, index: int, topic_path: str) -> FilePartition:
        directory = os.path.join(topic_path, str(index))
        name = f"{topic}:{index}"
        if not os.path.isdir(directory):
            log.warning("partition %s: directory %s is missing; recreating it empty", name, directory)
            os.makedirs(directory)
        names = sorted(n for n in os.listdir(directory) if _is_segment_name(n))
        segments: list[_Segment] = []
        try:
            return self._open_segments(name, directory, names, segments)
        except BaseException:
            for segment in segments:
                os.close(segment.fd)
            raise

    def _open_segments(self, name: str, directory: str, names: list[str], segments: list[_Segment]) -> FilePartition:
        expected = int(names[0][:SEGMENT_NAME_DIGITS]) if names else 0
        changed_dir = False
        for position, entry in enumerate(names):
            base = int(entry[:SEGMENT_NAME_DIGITS])
            path = os.path.join(directory, entry)
            if base != expected:
                self._set_aside(
                    name, directory, names[position:], None, 0, expected,
                    f"segment {path} starts at offset {base} but the partition continues at "
                    f"offset {expected}",
                )
                changed_dir = True
                break
            segment = _Segment(base, _open_segment_fd(path, create=False), array("q", [0]))
            segments.append(segment)
            size = os.fstat(segment.fd).st_size
            scan = scan_segment(segment.fd, size, base)
            segment.positions = scan.positions
            expected = scan.next_offset
            if scan.problem is None:
                continue
            cut = size - scan.good_bytes
            if position == len(names) - 1:
                log.warning(
                    "%s: torn or corrupt record at byte %d (%s); cut off the last %d byte(s), "
                    "partition %s now ends at offset %d",
                    path, scan.good_bytes, scan.problem, cut, name, expected,
                )
            else:
                self._set_aside(
                    name, directory, names[position + 1 :], segment, scan.good_bytes, expected,
                    f"{path}: bad record at byte {scan.good_bytes} ({scan.problem})",
                )
                changed_dir = True
            os.ftruncate(segment.fd, scan.good_bytes)
            _datasync(segment.fd)
            break
        if not segments:
            log.warning("partition %s: no segment in %s; starting an empty one", name, directory)
            path = os.path.join(directory, segment_name(expected))
            segments.append(_Segment(expected, _open_segment_fd(path, create=True), array("q", [0])))
            changed_dir = True
        if changed_dir:
            _fsync_dir(directory)
        return FilePartition(self, name, directory, segments)

    def _set_aside(
        self,
        name: str,
        directory: str,
        later: list[str],
        damaged_segment: _Segment | None,
        good_bytes: int,
        ends_at: int,
        problem: str,
    ) -> None:
        """Move what follows damage in the middle of a partition into a ``damaged-*`` folder."""
        target = os.path.join(directory, f"damaged-{time.time_ns() // 1_000_000}")
        os.makedirs(target, exist_ok=True)
        moved: list[str] = []
        if damaged_segment is not None:
            tail_path = os.path.join(target, damaged_segment.name + ".tail")
            out = os.open(tail_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_BINARY, 0o644)
            try:
                position = good_bytes
                while True:
                    chunk = _pread(damaged_segment.fd, SCAN_CHUNK_BYTES, position)
                    if not chunk:
                        break
                    _write_all(out, chunk)
                    position += len(chunk)
                os.fsync(out)
            finally:
                os.close(out)
            moved.append(f"{position - good_bytes} byte(s) of {damaged_segment.name}")
        for entry in later:
            os.rename(os.path.join(directory, entry), os.path.join(target, entry))
        if later:
            moved.append(f"{len(later)} later segment(s) ({later[0]} to {later[-1]})")
        _fsync_dir(target)
        _fsync_dir(directory)
        log.error(
            "partition %s is damaged before its end: %s. It now ends at offset %d, after the "
            "last good record before the damage; %s were moved to %s and are no longer served",
            name, problem, ends_at, " and ".join(moved) or "nothing", target,
        )

    # -- EmbeddedLog hooks ------------------------------------------------------------------

    def _new_partition(self, topic: str, partition: int) -> PartitionStore:
        # The partitions are laid out in a staging directory that _topic_created renames into
        # place; their files are opened only after that (Windows cannot rename a directory
        # holding open files).
        if partition == 0:
            staging = os.path.join(self._topics_dir, NEW_PREFIX + topic_dir_name(topic))
            shutil.rmtree(staging, ignore_errors=True)
            self._creating[topic] = (staging, [])
        staging, created = self._creating[topic]
        try:
            directory = os.path.join(staging, str(partition))
            os.makedirs(directory)
            os.close(_open_segment_fd(os.path.join(directory, segment_name(0)), create=True))
            if self._durable_meta:
                _fsync_dir(directory)
        except BaseException as exc:
            self._abandon(topic)
            if isinstance(exc, OSError):
                raise LogError(f"cannot create topic {topic!r} in {self.directory}: {exc}") from exc
            raise
        store = FilePartition(self, f"{topic}:{partition}", directory, [_Segment(0, -1, array("q", [0]))])
        created.append(store)
        return store

    def _topic_created(self, topic: str, partitions: int) -> None:
        staging, created = self._creating[topic]
        final = os.path.join(self._topics_dir, topic_dir_name(topic))
        try:
            self._write_meta(staging, topic, partitions)
            os.rename(staging, final)
            del self._creating[topic]
            if self._durable_meta:
                _fsync_dir(self._topics_dir)
            for store in created:
                store.directory = os.path.join(final, os.path.basename(store.directory))
                segment = store._active
                segment.fd = _open_segment_fd(os.path.join(store.directory, segment.name), create=False)
        except BaseException as exc:
            self._topics.pop(topic, None)
            if topic in self._creating:
                self._abandon(topic)
            else:  # on disk already: it will be there when the directory is opened again
                self._close_fds(created)
            if isinstance(exc, OSError):
                raise LogError(f"cannot create topic {topic!r} in {self.directory}: {exc}") from exc
            raise
        with self._partitions_lock:
            self._partitions.extend(created)

    def _abandon(self, topic: str) -> None:
        staging, created = self._creating.pop(topic)
        self._close_fds(created)
        shutil.rmtree(staging, ignore_errors=True)

    @staticmethod
    def _close_fds(stores: list[FilePartition]) -> None:
        for store in stores:
            store._closed = True
            for segment in store._segments:
                if segment.fd >= 0:
                    os.close(segment.fd)
                    segment.fd = -1

    def append_now(
        self, records: Sequence[ProducerRecord]
    ) -> tuple[list[RecordMetadata], set[TopicPartition]]:
        # Stores encode records into per-partition buffers; one write() per partition here.
        with self._lock:
            try:
                return super().append_now(records)
            finally:
                self._write_pending()

    def _write_pending(self) -> None:
        dirty, self._dirty = self._dirty, []
        error: LogError | None = None
        for partition in dirty:
            try:
                partition.flush()
            except LogError as exc:
                error = error or exc
        if error is not None:
            raise error

    async def _commit(self, touched: set[TopicPartition]) -> None:
        loop = asyncio.get_running_loop()
        futures = []
        with self._lock:
            for tp in touched:
                store = self._topics[tp.topic][tp.partition]
                future = store.sync_request(loop)  # type: ignore[attr-defined]
                if future is not None:
                    futures.append(future)
        if len(futures) == 1:
            await futures[0]
        elif futures:
            await asyncio.gather(*futures)

    def _sync_executor(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._executor_lock:
            if self._released:
                raise RuntimeError("closed")
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=min(8, (os.cpu_count() or 2) + 2), thread_name_prefix="filelog-fsync"
                )
            return self._executor

    def _interval_sync(self) -> None:
        interval = self.fsync_interval_ms / 1000
        while not self._stop_timer.wait(interval):
            self._sync_all()

    def _sync_all(self) -> None:
        with self._partitions_lock:
            partitions = list(self._partitions)
        for partition in partitions:
            try:
                partition.sync_if_dirty()
            except Exception:  # noqa: BLE001 - the timer must keep running
                log.exception("background fsync of %s failed", partition.name)

    async def close(self) -> None:
        if self._closed:
            return
        if self._timer is not None:
            self._stop_timer.set()
            await asyncio.to_thread(self._timer.join)
        if self.fsync != "never":
            await asyncio.to_thread(self._sync_all)  # so the final fsyncs under the lock are short
        await super().close()

    def _release(self) -> None:
        with self._executor_lock:
            self._released = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        self._dir_lock.release()

    def __repr__(self) -> str:
        return f"FileLog({self.directory!r}, fsync={self.fsync!r})"
