"""Catching up with a topic's records, then following it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from ..log import Log, Record, Subscription, TopicPartition


async def catch_up(log_: Log, tps: Sequence[TopicPartition], apply: Callable[[Record], Awaitable[None] | None]) -> Subscription:
    """Apply every record present now in ``tps`` (from offset 0) and return the subscription,
    positioned after them, for following the records that come later.

    If reading fails or is cancelled (a server stopping during start-up), the subscription is
    closed before the exception propagates.
    """
    ends = {tp: (await log_.watermarks(tp))[1] for tp in tps}
    subscription = log_.subscribe({tp: 0 for tp in tps})
    try:
        positions = subscription.positions()
        while any(positions[tp] < ends[tp] for tp in tps):
            for record in await subscription.poll():
                applied = apply(record)
                if applied is not None:
                    await applied
            positions = subscription.positions()
    except BaseException:
        await subscription.close()
        raise
    return subscription
