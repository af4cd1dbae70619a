"""Session keys are GUIDs; data-format ids are strictly increasing .NET tick values."""

from __future__ import annotations

import asyncio
import time
import uuid

from ma_support_lib.server.keys import UNIX_EPOCH_TICKS, LocalKeyGenerator


def test_string_keys_are_lower_case_guids() -> None:
    key = asyncio.run(LocalKeyGenerator().string_key())
    assert str(uuid.UUID(key)) == key and len(key) == 36


def test_ulong_keys_are_increasing_ticks_near_now() -> None:
    keys = LocalKeyGenerator()
    values = [keys.next_ulong() for _ in range(10_000)]
    assert all(b > a for a, b in zip(values, values[1:]))
    now_ticks = time.time_ns() // 100 + UNIX_EPOCH_TICKS
    assert abs(values[0] - now_ticks) < 10 * 10_000_000
