"""``file://DIR``: what the durable log adds to the contract (files, recovery, locking, fsync)."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import selectors
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from ma_support_lib.log import LogError, LogLockedError, ProducerRecord, TopicPartition, open_log
from ma_support_lib.log import file as file_module
from ma_support_lib.log.file import FileLog, encode_record, segment_name, topic_dir_name

REPO_ROOT = Path(__file__).resolve().parents[2]
LOGGER = "ma_support_lib.log.file"
WAIT = 10.0


def with_file_log(directory: Path, body: Callable[[FileLog], Awaitable[object]], **options: object) -> object:
    async def main() -> object:
        log = FileLog(directory, **options)  # type: ignore[arg-type]
        try:
            return await body(log)
        finally:
            await log.close()

    return asyncio.run(main())


async def read_all(log: FileLog, topic: str, partition: int = 0, start: int = 0) -> list[tuple]:
    """Every record of a partition from ``start`` as ``(offset, timestamp, key, value)``."""
    tp = TopicPartition(topic, partition)
    _, high = await log.watermarks(tp)
    out: list[tuple] = []
    async with log.subscribe({tp: start}) as sub:
        while sub.positions()[tp] < high:
            batch = await sub.poll(timeout=WAIT)
            assert batch, "poll timed out before the high watermark"
            out.extend((r.offset, r.timestamp_ms, r.key, r.value) for r in batch)
    return out


def partition_dir(directory: Path, topic: str, partition: int = 0) -> Path:
    return directory / "topics" / topic_dir_name(topic) / str(partition)


def segment_files(directory: Path, topic: str, partition: int = 0) -> list[Path]:
    return sorted(partition_dir(directory, topic, partition).glob("*.log"))


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# -- persistence ------------------------------------------------------------------------------


def test_reopen_keeps_topics_records_keys_and_timestamps(tmp_path: Path) -> None:
    sent = {
        ("a", 0): [(None, b"null key", 1_000), (b"", b"empty key", 1_001), (b"k", b"", -7)],
        ("a", 2): [(b"\x00\x01", bytes(range(256)) * 40, 2**40)],
        ("b.events", 0): [(b"key-%d" % i, b"value-%d" % i, 5_000 + i) for i in range(50)],
    }

    async def write(log: FileLog) -> None:
        assert await log.create_topic("a", 3)
        assert await log.create_topic("empty", 4)
        for (topic, partition), rows in sent.items():
            await log.append(
                [ProducerRecord(topic, v, key=k, partition=partition, timestamp_ms=t) for k, v, t in rows]
            )

    with_file_log(tmp_path, write)

    async def check(log: FileLog) -> None:
        assert await log.list_topics() == {"a": 3, "empty": 4, "b.events": 1}
        for (topic, partition), rows in sent.items():
            got = await read_all(log, topic, partition)
            assert got == [(i, t, k, v) for i, (k, v, t) in enumerate(rows)]
        assert (await read_all(log, "a", 0))[0][2] is None
        assert (await read_all(log, "a", 0))[1][2] == b""
        assert await log.watermarks(TopicPartition("a", 1)) == (0, 0)
        assert await log.watermarks(TopicPartition("empty", 3)) == (0, 0)
        # and the log goes on from where it was
        meta = await log.append([ProducerRecord("a", b"more", partition=0)])
        assert meta[0].offset == 3

    with_file_log(tmp_path, check)
    with_file_log(tmp_path, _expect_offsets(("a", 0), 4))


def _expect_offsets(tp: tuple[str, int], high: int) -> Callable[[FileLog], Awaitable[None]]:
    async def body(log: FileLog) -> None:
        assert await log.watermarks(TopicPartition(*tp)) == (0, high)

    return body


def documented_record(offset: int, timestamp_ms: int, key: bytes | None, value: bytes) -> bytes:
    """A record as the module docstring describes it, written out independently of the log."""
    body = struct.pack(">qqi", offset, timestamp_ms, -1 if key is None else len(key)) + (key or b"") + value
    length = struct.pack(">I", 4 + len(body))  # the CRC field and the body
    return length + struct.pack(">I", zlib.crc32(length + body)) + body


def test_segment_files_hold_the_documented_format(tmp_path: Path) -> None:
    rows = [(None, b"v0", 10), (b"", b"v1", 11), (b"key", b"", 12), (b"k" * 300, b"x" * 5000, -1)]

    async def write(log: FileLog) -> None:
        await log.append([ProducerRecord("fmt", v, key=k, timestamp_ms=t) for k, v, t in rows])

    with_file_log(tmp_path, write)
    [segment] = segment_files(tmp_path, "fmt")
    assert segment.name == "00000000000000000000.log"
    expected = b"".join(documented_record(i, t, k, v) for i, (k, v, t) in enumerate(rows))
    assert segment.read_bytes() == expected
    assert expected == b"".join(encode_record(i, t, k, v) for i, (k, v, t) in enumerate(rows))
    meta = (tmp_path / "topics" / topic_dir_name("fmt") / "topic.json").read_text()
    assert '"partitions": 1' in meta and '"topic": "fmt"' in meta


def test_segments_roll_and_reads_cross_them(tmp_path: Path) -> None:
    value = b"v" * 200  # about 240 bytes a record: 4 records per 1000-byte segment

    async def write(log: FileLog) -> None:
        for start in range(0, 30, 7):
            await log.append(
                [ProducerRecord("t", value + b"%d" % i, key=b"%d" % i, timestamp_ms=i) for i in range(start, min(start + 7, 30))]
            )
        await check(log)

    async def check(log: FileLog) -> None:
        assert await log.watermarks(TopicPartition("t", 0)) == (0, 30)
        everything = await read_all(log, "t")
        assert everything == [(i, i, b"%d" % i, value + b"%d" % i) for i in range(30)]
        for start in (0, 3, 4, 5, 17, 29):
            assert await read_all(log, "t", start=start) == everything[start:]

    with_file_log(tmp_path, write, segment_bytes=1000)
    files = segment_files(tmp_path, "t")
    assert len(files) == 8
    assert [f.name for f in files] == [segment_name(base) for base in range(0, 30, 4)]
    assert all(f.stat().st_size <= 1000 for f in files)
    with_file_log(tmp_path, check, segment_bytes=1000)
    # a different segment size later is fine: it only decides when to roll
    with_file_log(tmp_path, check, segment_bytes=10_000_000)


def test_a_record_larger_than_a_segment_gets_its_own(tmp_path: Path) -> None:
    async def body(log: FileLog) -> None:
        meta = await log.append([ProducerRecord("t", b"a" * 50), ProducerRecord("t", b"b" * 500), ProducerRecord("t", b"c")])
        assert [m.offset for m in meta] == [0, 1, 2]
        assert [r[3] for r in await read_all(log, "t")] == [b"a" * 50, b"b" * 500, b"c"]

    with_file_log(tmp_path, body, segment_bytes=100)
    assert [f.name for f in segment_files(tmp_path, "t")] == [segment_name(0), segment_name(1), segment_name(2)]


# -- recovery ---------------------------------------------------------------------------------


def _write_five(directory: Path, **options: object) -> list[bytes]:
    rows = [(b"k%d" % i, b"value-%d" % i * 10, 100 + i) for i in range(5)]

    async def write(log: FileLog) -> None:
        await log.append([ProducerRecord("t", v, key=k, timestamp_ms=ts) for k, v, ts in rows])

    with_file_log(directory, write, **options)
    return [encode_record(i, ts, k, v) for i, (k, v, ts) in enumerate(rows)]


def _continue_after_cut(directory: Path, caplog: pytest.LogCaptureFixture, kept: int) -> None:
    async def reopen(log: FileLog) -> None:
        assert await log.watermarks(TopicPartition("t", 0)) == (0, kept)
        meta = await log.append([ProducerRecord("t", b"after", key=b"new", timestamp_ms=1)])
        assert meta[0].offset == kept
        got = await read_all(log, "t")
        assert [r[0] for r in got] == list(range(kept + 1))
        assert got[-1] == (kept, 1, b"new", b"after")

    with_file_log(directory, reopen)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(directory, _expect_offsets(("t", 0), kept + 1))
    assert not caplog.records  # the repaired file is clean


@pytest.mark.parametrize("cut", [1, 3, 20, 40])
def test_torn_tail_is_cut_off(tmp_path: Path, caplog: pytest.LogCaptureFixture, cut: int) -> None:
    encoded = _write_five(tmp_path)
    [segment] = segment_files(tmp_path, "t")
    size = segment.stat().st_size
    assert size == sum(map(len, encoded))
    os.truncate(segment, size - cut)
    last_start = size - len(encoded[-1])
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 4))
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert str(segment) in message
    assert f"at byte {last_start}" in message
    assert f"last {len(encoded[-1]) - cut} byte(s)" in message
    assert segment.stat().st_size == last_start
    _continue_after_cut(tmp_path, caplog, kept=4)


@pytest.mark.parametrize("where", ["value", "crc", "length", "offset"])
def test_corrupt_last_record_is_cut_off(tmp_path: Path, caplog: pytest.LogCaptureFixture, where: str) -> None:
    encoded = _write_five(tmp_path)
    [segment] = segment_files(tmp_path, "t")
    data = bytearray(segment.read_bytes())
    last_start = len(data) - len(encoded[-1])
    position = {"value": len(data) - 2, "crc": last_start + 5, "length": last_start + 3, "offset": last_start + 15}[where]
    data[position] ^= 0x40
    segment.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 4))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(segment) in warnings[0] and f"at byte {last_start}" in warnings[0]
    assert f"last {len(encoded[-1])} byte(s)" in warnings[0]
    _continue_after_cut(tmp_path, caplog, kept=4)


def test_a_record_out_of_sequence_is_cut_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    encoded = _write_five(tmp_path)
    [segment] = segment_files(tmp_path, "t")
    with open(segment, "ab") as file:
        file.write(encode_record(3, 0, None, b"sound, but offset 3 again"))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 5))
    [warning] = [r.getMessage() for r in caplog.records]
    assert "offset 3 where 5 was expected" in warning
    assert f"at byte {sum(map(len, encoded))}" in warning
    _continue_after_cut(tmp_path, caplog, kept=5)


def test_zeros_after_the_last_record_are_cut_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    encoded = _write_five(tmp_path)
    [segment] = segment_files(tmp_path, "t")
    with open(segment, "ab") as file:
        file.write(bytes(4096))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 5))
    assert any("last 4096 byte(s)" in r.getMessage() for r in caplog.records)
    assert segment.stat().st_size == sum(map(len, encoded))
    _continue_after_cut(tmp_path, caplog, kept=5)


def test_a_first_record_torn_leaves_an_empty_partition(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def write(log: FileLog) -> None:
        await log.append([ProducerRecord("t", b"only")])

    with_file_log(tmp_path, write)
    [segment] = segment_files(tmp_path, "t")
    os.truncate(segment, 10)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 0))
    assert any(str(segment) in r.getMessage() for r in caplog.records)
    _continue_after_cut(tmp_path, caplog, kept=0)


def _write_segments(directory: Path) -> None:
    """10 records of about 240 bytes, 2 per segment: segments 0, 2, 4, 6, 8."""

    async def write(log: FileLog) -> None:
        for i in range(10):
            await log.append([ProducerRecord("t", b"v" * 200 + b"%d" % i, key=b"%d" % i, timestamp_ms=i)])

    with_file_log(directory, write, segment_bytes=500)
    assert [f.name for f in segment_files(directory, "t")] == [segment_name(b) for b in range(0, 10, 2)]


def test_damage_before_the_last_segment_sets_the_rest_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _write_segments(tmp_path)
    files = segment_files(tmp_path, "t")
    second = files[1]  # offsets 2 and 3
    data = bytearray(second.read_bytes())
    data[-1] ^= 0xFF  # the value of offset 3
    second.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 3), segment_bytes=500)
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert str(second) in error and "CRC" in error and "ends at offset 3" in error
    [damaged] = list(partition_dir(tmp_path, "t").glob("damaged-*"))
    assert str(damaged) in error
    assert sorted(p.name for p in damaged.iterdir()) == [
        second.name + ".tail",
        segment_name(4),
        segment_name(6),
        segment_name(8),
    ]
    assert [f.name for f in segment_files(tmp_path, "t")] == [segment_name(0), segment_name(2)]
    _continue_after_cut(tmp_path, caplog, kept=3)


def test_a_missing_middle_segment_sets_the_rest_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _write_segments(tmp_path)
    segment_files(tmp_path, "t")[2].unlink()  # offsets 4 and 5
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 4), segment_bytes=500)
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "starts at offset 6" in error and "continues at offset 4" in error
    [damaged] = list(partition_dir(tmp_path, "t").glob("damaged-*"))
    assert sorted(p.name for p in damaged.iterdir()) == [segment_name(6), segment_name(8)]
    _continue_after_cut(tmp_path, caplog, kept=4)


def test_interrupted_topic_creation_is_discarded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with_file_log(tmp_path, _expect_nothing)
    leftover = tmp_path / "topics" / (".new-" + topic_dir_name("half"))
    (leftover / "0").mkdir(parents=True)
    (leftover / "0" / segment_name(0)).write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_nothing)
    assert not leftover.exists()
    assert any(str(leftover) in r.getMessage() for r in caplog.records)


def test_a_failed_topic_creation_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(self: FileLog, path: str, topic: str, partitions: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    async def body(log: FileLog) -> None:
        monkeypatch.setattr(FileLog, "_write_meta", no_space)
        with pytest.raises(LogError, match="No space"):
            await log.create_topic("t", 3)
        with pytest.raises(LogError, match="No space"):
            await log.append([ProducerRecord("t", b"v")])
        monkeypatch.undo()
        assert await log.list_topics() == {}
        assert list((tmp_path / "topics").iterdir()) == []
        assert await log.create_topic("t", 3)
        assert (await log.append([ProducerRecord("t", b"v", partition=2)]))[0].offset == 0

    with_file_log(tmp_path, body)
    with_file_log(tmp_path, _expect_offsets(("t", 2), 1))


async def _expect_nothing(log: FileLog) -> None:
    assert await log.list_topics() == {}


def test_missing_topic_metadata_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def write(log: FileLog) -> None:
        await log.create_topic("Laps", 3)
        await log.append([ProducerRecord("Laps", b"x", partition=2)])

    with_file_log(tmp_path, write)
    meta = tmp_path / "topics" / topic_dir_name("Laps") / "topic.json"
    meta.write_bytes(b"{not json")

    async def check(log: FileLog) -> None:
        assert await log.list_topics() == {"Laps": 3}
        assert await log.watermarks(TopicPartition("Laps", 2)) == (0, 1)

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, check)
    assert any(str(meta) in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, check)
    assert not caplog.records


# -- locking ----------------------------------------------------------------------------------


def test_a_second_log_on_the_same_directory_is_refused(tmp_path: Path) -> None:
    async def body(log: FileLog) -> None:
        with pytest.raises(LogLockedError) as refused:
            FileLog(tmp_path)
        message = str(refused.value)
        assert str(tmp_path) in message
        assert str(os.getpid()) in message
        assert "only one server" in message
        with pytest.raises(LogLockedError):
            open_log(f"file://{tmp_path}?fsync=never")
        # the refused attempt did not disturb the owner
        await log.append([ProducerRecord("t", b"still mine")])

    with_file_log(tmp_path, body)
    # released on close
    with_file_log(tmp_path, _expect_offsets(("t", 0), 1))


HOLD_LOCK = textwrap.dedent(
    """
    import asyncio, sys
    from ma_support_lib.log.file import FileLog

    async def main():
        log = FileLog(sys.argv[1])
        print("locked", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        await log.close()
        print("released", flush=True)

    asyncio.run(main())
    """
)

TRY_LOCK = textwrap.dedent(
    """
    import sys
    from ma_support_lib.log import LogLockedError
    from ma_support_lib.log.file import FileLog

    try:
        FileLog(sys.argv[1])
    except LogLockedError as exc:
        print("refused:", exc)
        sys.exit(3)
    print("opened")
    """
)


def test_lock_between_processes(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=child_env(),
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LogLockedError) as refused:
            FileLog(tmp_path)
        message = str(refused.value)
        assert str(tmp_path) in message and str(holder.pid) in message
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        assert holder.wait(WAIT) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    # now free; and while this process holds it, a child is refused
    async def body(log: FileLog) -> None:
        child = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", TRY_LOCK, str(tmp_path)],
            capture_output=True,
            env=child_env(),
            text=True,
            timeout=60,
        )
        assert child.returncode == 3, child.stderr
        assert str(tmp_path) in child.stdout and str(os.getpid()) in child.stdout

    with_file_log(tmp_path, body)


# -- durability -------------------------------------------------------------------------------

PRODUCER = textwrap.dedent(
    """
    import asyncio, sys
    from ma_support_lib.log import ProducerRecord
    from ma_support_lib.log.file import FileLog

    def record(i):
        key = None if i % 3 == 0 else (b"" if i % 3 == 1 else b"key-%d" % i)
        return ProducerRecord("t", (b"value-%d-" % i) * (1 + i % 50), key=key, timestamp_ms=i)

    async def main():
        log = FileLog(sys.argv[1], fsync=sys.argv[2], segment_bytes=int(sys.argv[3]))
        i = 0
        while True:
            batch = [record(j) for j in range(i, i + 1 + i % 7)]
            i += len(batch)
            metas = await log.append(batch)
            sys.stdout.write("".join("%d %d\\n" % (m.offset, m.timestamp_ms) for m in metas))
            sys.stdout.flush()

    asyncio.run(main())
    """
)


def _expected_record(i: int) -> tuple:
    key = None if i % 3 == 0 else (b"" if i % 3 == 1 else b"key-%d" % i)
    return (i, i, key, (b"value-%d-" % i) * (1 + i % 50))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("fsync", ["always", "never", "interval"])
def test_acknowledged_records_survive_kill_9(tmp_path: Path, fsync: str) -> None:
    wanted = 2_000
    child = subprocess.Popen(
        [sys.executable, "-c", PRODUCER, str(tmp_path), fsync, "65536"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    acked: list[int] = []
    try:
        assert child.stdout is not None
        os.set_blocking(child.stdout.fileno(), False)
        selector = selectors.DefaultSelector()
        selector.register(child.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        pending = b""
        while len(acked) < wanted:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"only {len(acked)} acknowledgements before the deadline"
            if not selector.select(remaining):
                continue
            chunk = child.stdout.read()
            if not chunk:
                assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
                continue
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                offset, timestamp = map(int, line.split())
                assert offset == timestamp == len(acked)
                acked.append(offset)
        child.send_signal(signal.SIGKILL)
        child.wait(WAIT)
        selector.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    async def check(log: FileLog) -> None:
        _, high = await log.watermarks(TopicPartition("t", 0))
        assert high >= len(acked)
        got = await read_all(log, "t")
        assert got == [_expected_record(i) for i in range(high)]

    with_file_log(tmp_path, check)
    assert len(segment_files(tmp_path, "t")) > 1  # the run crossed segments


# -- fsync ------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["sometimes", "ALWAYS", "", "fsync"])
def test_fsync_policy_names_are_checked(tmp_path: Path, policy: str) -> None:
    with pytest.raises(ValueError, match="'always'.*'interval'.*'never'"):
        FileLog(tmp_path, fsync=policy)
    with pytest.raises(ValueError):
        open_log(f"file://{tmp_path}?fsync={policy}")
    # nothing was left locked
    with_file_log(tmp_path, _expect_nothing)


@pytest.mark.parametrize("options", [{"fsync_interval_ms": 0}, {"segment_bytes": 0}, {"segment_bytes": -5}])
def test_numeric_options_are_checked(tmp_path: Path, options: dict) -> None:
    with pytest.raises(ValueError):
        FileLog(tmp_path, **options)


def test_open_log_with_options(tmp_path: Path) -> None:
    async def main() -> None:
        log = open_log(f"file://{tmp_path}?fsync=never&segment_bytes=4096&fsync_interval_ms=50")
        assert isinstance(log, FileLog)
        assert (log.fsync, log.segment_bytes, log.fsync_interval_ms) == ("never", 4096, 50)
        assert log.url.startswith("file://")
        await log.append([ProducerRecord("t", b"x" * 100) for _ in range(100)])
        await log.close()
        log = open_log(f"file://{tmp_path}")
        assert isinstance(log, FileLog) and log.fsync == "always"
        assert await log.watermarks(TopicPartition("t", 0)) == (0, 100)
        await log.close()

    asyncio.run(main())
    assert len(segment_files(tmp_path, "t")) > 1


class _Gate:
    """Stands in for the fsync call: counts calls and can hold them until released."""

    def __init__(self, hold: bool = False) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self._lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        with self._lock:
            self.calls += 1
        self.entered.set()
        assert self.release.wait(WAIT)
        os.fsync(fd)


def test_always_shares_one_fsync_among_waiting_appenders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = _Gate(hold=True)

    async def body(log: FileLog) -> None:
        await log.create_topic("t", 1)
        monkeypatch.setattr(file_module, "_datasync", gate)
        first = asyncio.ensure_future(log.append([ProducerRecord("t", b"first")]))
        assert await asyncio.to_thread(gate.entered.wait, WAIT)  # its fsync has started ...
        assert gate.calls == 1
        later = [asyncio.ensure_future(log.append([ProducerRecord("t", b"%d" % i)])) for i in range(20)]
        await asyncio.sleep(0)
        # ... and holds every appender, while the event loop keeps serving
        assert not first.done() and not any(task.done() for task in later)
        assert await log.watermarks(TopicPartition("t", 0)) == (0, 21)
        gate.release.set()
        assert (await first)[0].offset == 0
        assert [(await task)[0].offset for task in later] == list(range(1, 21))
        assert gate.calls == 2  # one fsync for the first appender, one for the twenty others

    with_file_log(tmp_path, body)


def test_always_syncs_every_touched_partition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = _Gate()

    async def body(log: FileLog) -> None:
        await log.create_topic("t", 3)
        monkeypatch.setattr(file_module, "_datasync", gate)
        await log.append([ProducerRecord("t", b"x", partition=p) for p in (0, 2, 2)])
        assert gate.calls == 2
        await log.append([])
        assert gate.calls == 2

    with_file_log(tmp_path, body)


@pytest.mark.parametrize("policy", ["interval", "never"])
def test_interval_and_never_do_not_wait_for_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str) -> None:
    gate = _Gate(hold=True)
    monkeypatch.setattr(file_module, "_datasync", gate)

    async def body(log: FileLog) -> None:
        for i in range(5):
            meta = await asyncio.wait_for(log.append([ProducerRecord("t", b"%d" % i)]), WAIT)
            assert meta[0].offset == i
        if policy == "interval":
            # the background fsync comes by itself (and is stuck in the gate meanwhile)
            assert await asyncio.to_thread(gate.entered.wait, WAIT)
        else:
            assert gate.calls == 0
        gate.release.set()

    with_file_log(tmp_path, body, fsync=policy, fsync_interval_ms=10)
    with_file_log(tmp_path, _expect_offsets(("t", 0), 5))


def test_a_failed_fsync_fails_the_append_and_the_partition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    async def body(log: FileLog) -> None:
        await log.create_topic("t", 2)
        monkeypatch.setattr(file_module, "_datasync", broken)
        with pytest.raises(LogError, match="fsync"):
            await log.append([ProducerRecord("t", b"lost?", partition=0)])
        monkeypatch.undo()
        with pytest.raises(LogError, match="reopened"):
            await log.append([ProducerRecord("t", b"refused", partition=0)])
        # other partitions carry on
        assert (await log.append([ProducerRecord("t", b"fine", partition=1)]))[0].offset == 0

    with_file_log(tmp_path, body)

    async def check(log: FileLog) -> None:  # reopening rescans and accepts appends again
        assert await log.watermarks(TopicPartition("t", 0)) == (0, 1)
        assert (await log.append([ProducerRecord("t", b"again", partition=0)]))[0].offset == 1

    with_file_log(tmp_path, check)


def test_a_failed_write_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    real_write_all = file_module._write_all

    def disk_full(fd: int, data: bytes) -> None:
        os.write(fd, bytes(data[:10]))  # a partial write, then no space
        raise OSError(errno.ENOSPC, "No space left on device")

    async def body(log: FileLog) -> None:
        await log.append([ProducerRecord("t", b"before")])
        size = segment_files(tmp_path, "t")[0].stat().st_size
        monkeypatch.setattr(file_module, "_write_all", disk_full)
        with pytest.raises(LogError, match="No space"):
            await log.append([ProducerRecord("t", b"one"), ProducerRecord("t", b"two")])
        monkeypatch.setattr(file_module, "_write_all", real_write_all)
        assert segment_files(tmp_path, "t")[0].stat().st_size == size
        assert await log.watermarks(TopicPartition("t", 0)) == (0, 1)
        assert (await log.append([ProducerRecord("t", b"after")]))[0].offset == 1
        assert [r[3] for r in await read_all(log, "t")] == [b"before", b"after"]

    with_file_log(tmp_path, body)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        with_file_log(tmp_path, _expect_offsets(("t", 0), 2))
    assert not caplog.records


def test_appenders_on_several_threads_and_loops(tmp_path: Path) -> None:
    async def body(log: FileLog) -> None:
        await log.create_topic("t", 2)

        async def produce(worker: int) -> list[tuple[int, int]]:
            out = []
            for i in range(40):
                batch = [ProducerRecord("t", b"%d-%d-%d" % (worker, i, j), partition=j % 2) for j in range(3)]
                out.extend((m.partition, m.offset) for m in await log.append(batch))
            return out

        results = await asyncio.gather(
            *(asyncio.to_thread(asyncio.run, produce(w)) for w in range(4)), produce(4)
        )
        placed = sorted(p for result in results for p in result)
        assert placed == sorted([(0, o) for o in range(400)] + [(1, o) for o in range(200)])

    with_file_log(tmp_path, body)

    async def check(log: FileLog) -> None:
        for partition, count in ((0, 400), (1, 200)):
            got = await read_all(log, "t", partition)
            assert [r[0] for r in got] == list(range(count))

    with_file_log(tmp_path, check)
