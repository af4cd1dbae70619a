"""Which sessions a packet reader follows."""

from __future__ import annotations

import enum


class PacketReadingType(enum.IntEnum):
    """``LIVE``: sessions in progress and new ones; ``HISTORIC``: ended sessions; ``BOTH``."""

    LIVE = 0
    HISTORIC = 1
    BOTH = 2
