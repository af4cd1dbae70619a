"""Packets to ``Read*Response`` messages: how many packets, and how many bytes, go in one.

Batched responses hold up to :data:`BATCH_LIMIT` packets, as the reference's, and also stop
below gRPC's default 4 MiB receive limit, so clients with default channel settings can read
batched streams of large packets (a single packet larger than that still goes alone).
"""

from __future__ import annotations

from collections.abc import Iterable

from . import wire

#: Most packets in one batched response, as in the reference.
BATCH_LIMIT = 15_000
#: Most bytes in one batched response holding more than one packet.
BATCH_BYTES = 4_000_000
#: Records a batched read takes from the log at first, before it knows their size.
FIRST_POLL = 1_000


def poll_size(records: int, total_bytes: int) -> int:
    """How many records to take from the log next so that they fill about one response,
    judging by a poll of ``records`` records of ``total_bytes`` bytes. Taking no more keeps a
    read's memory small and reused, and its responses flowing while the log is read."""
    if not records:
        return FIRST_POLL
    return max(1, min(BATCH_LIMIT, BATCH_BYTES * records // max(total_bytes, 1)))


def frame(packets: Iterable[tuple[bytes, str, int]], max_packets: int, max_bytes: int = BATCH_BYTES) -> list[bytes]:
    """Serialized ``Read*Response`` messages for ``(packet, stream, submit_time_ms)`` items, in
    order, each with at most ``max_packets`` packets and ``max_bytes`` bytes (or one packet)."""
    responses: list[bytes] = []
    parts: list[bytes] = []
    count = size = 0
    for packet, stream, submit_time_ms in packets:
        head, tail = wire.response_entry(packet, stream, submit_time_ms)
        entry = len(head) + len(packet) + len(tail)
        if count and (count >= max_packets or size + entry > max_bytes):
            responses.append(b"".join(parts))
            parts = []
            count = size = 0
        parts += (head, packet, tail)
        count += 1
        size += entry
    if parts:
        responses.append(b"".join(parts))
    return responses
