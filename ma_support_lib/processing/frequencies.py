"""Frequencies to interval lengths, and the interval grid they define."""

from __future__ import annotations

import math

#: The delivery frequency used when a subscription gives none (never above the subscription's).
DEFAULT_DELIVERY_HZ = 10.0


def period_ns(name: str, frequency_hz: object) -> int:
    """``1e9 / frequency_hz`` rounded to whole ns; ``ValueError`` saying why it is unusable."""
    if isinstance(frequency_hz, bool) or not isinstance(frequency_hz, (int, float)):
        raise ValueError(f"{name} must be a number of Hz, got {frequency_hz!r}")
    if not math.isfinite(frequency_hz) or frequency_hz <= 0:
        raise ValueError(f"{name} must be a positive finite number of Hz, got {frequency_hz!r}")
    period = round(1e9 / frequency_hz)
    if period < 1:
        raise ValueError(f"{name} of {frequency_hz!r} Hz is above 1 GHz, the nanosecond resolution")
    return period


def floor_to(time_ns: int, period: int) -> int:
    """The start of the grid interval (multiples of ``period`` since the epoch) holding ``time_ns``."""
    return time_ns - time_ns % period
