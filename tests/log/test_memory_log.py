"""``memory://`` specifics: where the values of records are kept."""

from __future__ import annotations

import asyncio

from ma_support_lib.log import ProducerRecord, TopicPartition
from ma_support_lib.log.memory import FIRST_CHUNK_BYTES, MAX_CHUNK_BYTES, MemoryLog, ValueArena


def test_arena_chunks_grow_and_values_come_back_intact() -> None:
    arena = ValueArena()
    values = [bytes([i % 251]) * (FIRST_CHUNK_BYTES // 5 + i) for i in range(40)]
    stored = [arena.store(value) for value in values]
    assert [bytes(view) for view in stored] == values
    assert len({id(view.obj) for view in stored if isinstance(view, memoryview)}) > 1  # several chunks


def test_a_value_too_big_for_the_arena_keeps_its_own_bytes() -> None:
    arena = ValueArena()
    big = b"x" * (MAX_CHUNK_BYTES + 1)
    assert arena.store(big) is big
    assert bytes(arena.store(b"small")) == b"small"


def test_records_read_back_as_bytes_across_chunks() -> None:
    async def main() -> None:
        log = MemoryLog()
        sent = [b"%d" % i * (FIRST_CHUNK_BYTES // 7) for i in range(30)] + [b"", b"y" * MAX_CHUNK_BYTES]
        await log.append([ProducerRecord("t", value, partition=0) for value in sent])
        async with log.subscribe({TopicPartition("t", 0): 0}) as subscription:
            got = []
            while len(got) < len(sent):
                got += await subscription.poll(timeout=10)
        assert [record.value for record in got] == sent
        assert all(type(record.value) is bytes for record in got)
        await log.close()

    asyncio.run(main())


def test_the_same_value_stored_twice_in_a_row_is_kept_once() -> None:
    arena = ValueArena()
    value = b"essential" * 100
    first = arena.store(value)
    assert arena.store(value) is first
    assert arena.store(b"essential" * 100) is not first  # equal but another object: a copy of its own


def test_full_size_chunks_prepared_in_the_background_hold_the_values() -> None:
    arena = ValueArena()
    values = [bytes([i]) * (1 << 20) for i in range(4 * MAX_CHUNK_BYTES >> 20)]
    stored = [arena.store(value) for value in values]
    assert all(bytes(view) == value for view, value in zip(stored, values))
    assert len({id(view.obj) for view in stored if isinstance(view, memoryview)}) >= 6
