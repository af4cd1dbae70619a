"""The behaviour every :class:`Log` implementation shares, run against each of them."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable

import pytest

from ma_support_lib.log import (
    InvalidTopicError,
    Log,
    LogClosedError,
    ProducerRecord,
    Record,
    Subscription,
    TopicPartition,
    UnknownTopicError,
    open_log,
)

WAIT = 10.0  # upper bound for anything that should happen "at once"


def with_log(url: str, body: Callable[[Log], Awaitable[None]]) -> None:
    """Run ``body`` with a freshly opened log in a new event loop, closing the log after."""

    async def main() -> None:
        log = open_log(url)
        try:
            await body(log)
        finally:
            await log.close()

    asyncio.run(main())


async def parked(task: asyncio.Task) -> None:
    """Let ``task`` run up to its first suspension (an embedded poll waits without I/O)."""
    for _ in range(3):
        await asyncio.sleep(0)
    assert not task.done()


async def drain(sub: Subscription, count: int) -> list[Record]:
    """Poll until ``count`` records came (a poll returns *some* of what is there), then check
    that no more follow."""
    got: list[Record] = []
    deadline = time.monotonic() + WAIT
    while len(got) < count and time.monotonic() < deadline:
        got += await sub.poll(max_records=count - len(got), timeout=WAIT)
    assert len(got) == count, got
    assert await sub.poll(timeout=0.05) == []
    return got


def is_kafka(log: Log) -> bool:
    return log.url.startswith("kafka://")


def records(topic: str, count: int, partition: int | None = None, prefix: bytes = b"v") -> list[ProducerRecord]:
    return [ProducerRecord(topic, prefix + b"%d" % i, partition=partition) for i in range(count)]


# -- topics -----------------------------------------------------------------------------------


def test_create_and_list_topics(log_url: str) -> None:
    async def body(log: Log) -> None:
        assert await log.list_topics() == {}
        assert await log.create_topic("alpha", 3) is True
        assert await log.create_topic("beta.v1_x-y", 1) is True
        assert await log.list_topics() == {"alpha": 3, "beta.v1_x-y": 1}
        # an existing topic is left as it is, whatever the requested count
        assert await log.create_topic("alpha", 5) is False
        assert await log.create_topic("alpha", 3) is False
        assert await log.list_topics() == {"alpha": 3, "beta.v1_x-y": 1}
        assert await log.partition_count("alpha") == 3
        assert await log.partition_count("missing") is None

    with_log(log_url, body)


def test_topic_names_differing_in_case_are_distinct(log_url: str) -> None:
    async def body(log: Log) -> None:
        assert await log.create_topic("Telemetry", 1)
        assert await log.create_topic("telemetry", 2)
        await log.append([ProducerRecord("Telemetry", b"upper"), ProducerRecord("telemetry", b"lower", partition=1)])
        assert await log.list_topics() == {"Telemetry": 1, "telemetry": 2}
        assert await log.watermarks(TopicPartition("Telemetry", 0)) == (0, 1)
        assert await log.watermarks(TopicPartition("telemetry", 0)) == (0, 0)

    with_log(log_url, body)


@pytest.mark.parametrize("name", ["", ".", "..", "a b", "a/b", "caf\u00e9", "x" * 250, "tab\t"])
def test_invalid_topic_names(log_url: str, name: str) -> None:
    async def body(log: Log) -> None:
        with pytest.raises(InvalidTopicError):
            await log.create_topic(name, 1)
        with pytest.raises(InvalidTopicError):
            await log.append([ProducerRecord(name, b"v")])
        assert await log.list_topics() == {}

    with_log(log_url, body)


def test_longest_legal_topic_name(log_url: str) -> None:
    if log_url.startswith("kafka://"):  # a topic prefix leaves fewer characters: use none
        log_url = log_url.split("?", 1)[0]

    async def body(log: Log) -> None:
        name = (uuid.uuid4().hex + "n" * 249)[:249]
        assert await log.create_topic(name, 1)
        meta = await log.append([ProducerRecord(name, b"v")])
        assert meta[0].offset == 0
        topics = await log.list_topics()
        assert topics[name] == 1
        if not is_kafka(log):
            assert topics == {name: 1}

    with_log(log_url, body)


@pytest.mark.parametrize("partitions", [0, -1, 10_001])
def test_invalid_partition_counts(log_url: str, partitions: int) -> None:
    async def body(log: Log) -> None:
        with pytest.raises(InvalidTopicError):
            await log.create_topic("t", partitions)
        assert await log.list_topics() == {}

    with_log(log_url, body)


# -- appending --------------------------------------------------------------------------------


def test_append_returns_consecutive_offsets_per_partition(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 2)
        batch = [
            ProducerRecord("t", b"a", partition=0, timestamp_ms=1_000),
            ProducerRecord("t", b"b", partition=1, timestamp_ms=2_000),
            ProducerRecord("t", b"c", partition=0, timestamp_ms=3_000),
        ]
        meta = await log.append(batch)
        assert [(m.topic, m.partition, m.offset, m.timestamp_ms) for m in meta] == [
            ("t", 0, 0, 1_000),
            ("t", 1, 0, 2_000),
            ("t", 0, 1, 3_000),
        ]
        meta = await log.append(records("t", 3, partition=0))
        assert [m.offset for m in meta] == [2, 3, 4]
        before = time.time() * 1000
        meta = await log.append([ProducerRecord("t", b"now", partition=1)])
        after = time.time() * 1000
        assert meta[0].offset == 1
        assert before - 1 <= meta[0].timestamp_ms <= after + 1
        assert await log.append([]) == []

    with_log(log_url, body)


def test_appends_take_their_place_when_called(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 1)
        pending = [log.append([ProducerRecord("t", b"%d" % i, partition=0)]) for i in range(20)]
        metas = await asyncio.gather(*reversed(pending))
        assert [m[0].offset for m in reversed(metas)] == list(range(20))
        async with log.subscribe({TopicPartition("t", 0): 0}) as sub:
            got = await drain(sub, 20)
        assert [(r.offset, r.value) for r in got] == [(i, b"%d" % i) for i in range(20)]

    with_log(log_url, body)


def test_partitioner_is_crc32_of_the_key(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 7)
        keys = [b"car-%d" % i for i in range(40)] + [b"\x00", b"\xff" * 20]
        meta = await log.append([ProducerRecord("t", b"v", key=key) for key in keys])
        for key, m in zip(keys, meta):
            assert m.partition == zlib.crc32(key) % 7
        again = await log.append([ProducerRecord("t", b"w", key=key) for key in keys])
        assert [m.partition for m in again] == [m.partition for m in meta]
        # a null key goes to some existing partition
        for m in await log.append([ProducerRecord("t", b"x") for _ in range(20)]):
            assert 0 <= m.partition < 7

    with_log(log_url, body)


def test_explicit_partition_wins_over_the_key(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 4)
        key = b"some key"
        target = (zlib.crc32(key) % 4 + 1) % 4
        meta = await log.append([ProducerRecord("t", b"v", key=key, partition=target)])
        assert meta[0].partition == target
        assert await log.watermarks(TopicPartition("t", target)) == (0, 1)

    with_log(log_url, body)


def test_append_creates_missing_topic_with_one_partition(log_url: str) -> None:
    async def body(log: Log) -> None:
        meta = await log.append([ProducerRecord("auto", b"v", key=b"k"), ProducerRecord("auto", b"w")])
        assert [(m.partition, m.offset) for m in meta] == [(0, 0), (0, 1)]
        assert await log.list_topics() == {"auto": 1}

    with_log(log_url, body)


def test_unknown_partitions_and_topics(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 2)
        with pytest.raises(UnknownTopicError):
            await log.append([ProducerRecord("t", b"v", partition=2)])
        with pytest.raises(UnknownTopicError):
            await log.append([ProducerRecord("t", b"v", partition=-1)])
        with pytest.raises(UnknownTopicError):
            await log.watermarks(TopicPartition("t", 2))
        with pytest.raises(UnknownTopicError):
            await log.watermarks(TopicPartition("nope", 0))
        with pytest.raises(UnknownTopicError):
            log.subscribe({TopicPartition("nope", 0): 0})
        with pytest.raises(UnknownTopicError):
            log.subscribe({TopicPartition("t", 5): 0})
        assert await log.watermarks(TopicPartition("t", 0)) == (0, 0)
        assert await log.list_topics() == {"t": 2}

    with_log(log_url, body)


def test_watermarks(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 2)
        tp0, tp1 = TopicPartition("t", 0), TopicPartition("t", 1)
        assert await log.watermarks(tp0) == (0, 0)
        await log.append(records("t", 5, partition=0))
        await log.append(records("t", 2, partition=1))
        assert await log.watermarks(tp0) == (0, 5)
        assert await log.watermarks(tp1) == (0, 2)

    with_log(log_url, body)


def test_keys_values_and_timestamps_round_trip(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 1)
        sent = [
            ProducerRecord("t", b"null key", key=None, partition=0, timestamp_ms=1),
            ProducerRecord("t", b"empty key", key=b"", partition=0, timestamp_ms=2),
            ProducerRecord("t", b"", key=b"empty value", partition=0, timestamp_ms=3),
            ProducerRecord("t", bytes(range(256)) * 50, key=b"\x00\xff", partition=0, timestamp_ms=-5),
            ProducerRecord("t", b"big ts", key=b"k", partition=0, timestamp_ms=2**62),
        ]
        if is_kafka(log):  # Kafka keeps no negative timestamps other than -1 ("none")
            sent = [record for record in sent if record.timestamp_ms >= 0]
        await log.append(sent)
        async with log.subscribe({TopicPartition("t", 0): 0}) as sub:
            got = await drain(sub, len(sent))
        assert [(r.offset, r.key, r.value, r.timestamp_ms) for r in got] == [
            (i, s.key, s.value, s.timestamp_ms) for i, s in enumerate(sent)
        ]
        assert got[0].key is None
        assert got[1].key == b"" and got[1].key is not None
        assert all(r.topic == "t" and r.partition == 0 for r in got)

    with_log(log_url, body)


# -- subscribing ------------------------------------------------------------------------------


def test_subscribe_start_positions(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 1)
        tp = TopicPartition("t", 0)
        await log.append(records("t", 10, partition=0))

        async def offsets_from(start: int, count: int) -> tuple[list[int], int]:
            async with log.subscribe({tp: start}) as sub:
                position = sub.positions()[tp]
                got = await drain(sub, count)
                return [r.offset for r in got], position

        assert await offsets_from(0, 10) == (list(range(10)), 0)
        assert await offsets_from(4, 6) == (list(range(4, 10)), 4)
        assert await offsets_from(-1, 0) == ([], 10)  # only new records
        assert await offsets_from(99, 0) == ([], 10)  # clamped to the end

        async with log.subscribe({tp: -1}) as sub:
            await log.append(records("t", 2, partition=0, prefix=b"new"))
            got = await drain(sub, 2)
            assert [(r.offset, r.value) for r in got] == [(10, b"new0"), (11, b"new1")]
            assert sub.positions() == {tp: 12}

    with_log(log_url, body)


def test_a_consumer_group_resumes_from_its_committed_offsets(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 2)
        tps = [TopicPartition("t", 0), TopicPartition("t", 1)]
        for tp in tps:
            await log.append(records("t", 5, partition=tp.partition))

        async with log.subscribe({tp: 0 for tp in tps}, group="g") as sub:
            await drain(sub, 10)
            await sub.commit()
        await log.append(records("t", 2, partition=1, prefix=b"later"))

        async with log.subscribe({tp: -1 for tp in tps}, group="g") as resumed:
            assert resumed.positions() == {tps[0]: 5, tps[1]: 5}
            assert [r.value for r in await drain(resumed, 2)] == [b"later0", b"later1"]
        async with log.subscribe({tps[1]: 6}, group="g") as absolute:
            assert absolute.positions() == {tps[1]: 6}  # an offset >= 0 stays absolute
        async with log.subscribe({tps[1]: -1}, group="other") as stranger:
            assert stranger.positions() == {tps[1]: 7}  # no committed offset: the end

    with_log(log_url, body)


def test_only_commit_stores_a_groups_offsets(log_url: str) -> None:
    async def body(log: Log) -> None:
        tp = TopicPartition("t", 0)
        await log.create_topic("t", 1)
        await log.append(records("t", 6, partition=0))

        async with log.subscribe({tp: 0}, group="g") as sub:
            await drain(sub, 6)
        async with log.subscribe({tp: 0}) as ungrouped:
            await drain(ungrouped, 6)
            await ungrouped.commit()  # no group: nothing to store
        async with log.subscribe({tp: 2}, group="g") as sub:
            assert [r.offset for r in await sub.poll(max_records=2, timeout=WAIT)] == [2, 3]
            await sub.commit()
        async with log.subscribe({tp: -1}, group="g") as resumed:
            assert resumed.positions() == {tp: 4}

    with_log(log_url, body)


def test_poll_respects_max_records_and_follows_several_partitions(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 3)
        for p in range(3):
            await log.append(records("t", 20, partition=p, prefix=b"p%d-" % p))
        start = {TopicPartition("t", p): 0 for p in range(3)}
        seen: dict[int, list[int]] = {0: [], 1: [], 2: []}
        async with log.subscribe(start) as sub:
            while sum(map(len, seen.values())) < 60:
                batch = await sub.poll(max_records=7, timeout=WAIT)
                assert 0 < len(batch) <= 7
                for r in batch:
                    seen[r.partition].append(r.offset)
                    assert r.value == b"p%d-%d" % (r.partition, r.offset)
            assert await sub.poll(timeout=0.01) == []
        assert seen == {p: list(range(20)) for p in range(3)}

    with_log(log_url, body)


def test_poll_wakes_on_append_from_another_task(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 2)
        async with log.subscribe({TopicPartition("t", 1): -1}) as sub:
            poll = asyncio.create_task(sub.poll(timeout=None))
            await parked(poll)
            await log.append([ProducerRecord("t", b"other partition", partition=0)])
            await parked(poll)  # a record elsewhere does not end the poll
            await log.append([ProducerRecord("t", b"hello", partition=1)])
            got = await asyncio.wait_for(poll, WAIT)
            assert [(r.partition, r.offset, r.value) for r in got] == [(1, 0, b"hello")]

    with_log(log_url, body)


def test_poll_wakes_on_append_from_another_thread(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 1)
        errors: list[BaseException] = []

        async def produce() -> None:
            await log.append([ProducerRecord("t", b"from thread", partition=0)])

        def producer() -> None:
            try:
                asyncio.run(produce())
            except BaseException as exc:  # reported by the test below
                errors.append(exc)

        async with log.subscribe({TopicPartition("t", 0): -1}) as sub:
            poll = asyncio.create_task(sub.poll(timeout=None))
            await parked(poll)
            thread = threading.Thread(target=producer)
            thread.start()
            got = await asyncio.wait_for(poll, WAIT)
            await asyncio.to_thread(thread.join, WAIT)
        assert not errors
        assert [(r.offset, r.value) for r in got] == [(0, b"from thread")]

    with_log(log_url, body)


def test_poll_timeout_returns_empty(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 1)
        async with log.subscribe({TopicPartition("t", 0): 0}) as sub:
            started = time.monotonic()
            assert await sub.poll(timeout=0.05) == []
            assert time.monotonic() - started < WAIT
            assert await sub.poll(timeout=0) == []

    with_log(log_url, body)


def test_closing_a_subscription_wakes_its_poll(log_url: str) -> None:
    async def body(log: Log) -> None:
        await log.create_topic("t", 1)
        sub = log.subscribe({TopicPartition("t", 0): 0})
        poll = asyncio.create_task(sub.poll(timeout=None))
        await parked(poll)
        await sub.close()
        assert await asyncio.wait_for(poll, WAIT) == []
        await sub.close()  # idempotent
        assert await sub.poll(timeout=0) == []

    with_log(log_url, body)


# -- closing ----------------------------------------------------------------------------------


def test_operations_after_close_raise(log_url: str) -> None:
    async def main() -> None:
        log = open_log(log_url)
        await log.create_topic("t", 1)
        sub = log.subscribe({TopicPartition("t", 0): 0})
        poll = asyncio.create_task(sub.poll(timeout=None))
        await parked(poll)
        await log.close()
        with pytest.raises(LogClosedError):
            await asyncio.wait_for(poll, WAIT)
        await log.close()  # idempotent
        with pytest.raises(LogClosedError):
            await log.create_topic("u", 1)
        with pytest.raises(LogClosedError):
            await log.list_topics()
        with pytest.raises(LogClosedError):
            await log.append([ProducerRecord("t", b"v")])
        with pytest.raises(LogClosedError):
            await log.watermarks(TopicPartition("t", 0))
        with pytest.raises(LogClosedError):
            log.subscribe({TopicPartition("t", 0): 0})

    asyncio.run(main())
