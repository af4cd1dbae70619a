"""Sequential packet ids."""

from __future__ import annotations

import itertools


class PacketIdGenerator:
    """Hands out 0, 1, 2, ... (one generator per writer)."""

    def __init__(self) -> None:
        self._ids = itertools.count()

    def get_packet_id(self) -> int:
        return next(self._ids)
