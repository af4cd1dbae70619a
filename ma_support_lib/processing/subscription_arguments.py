"""The checks of ``IDataReaderService.subscribe``'s arguments that need no data read."""

from __future__ import annotations

from collections.abc import Sequence

from .frequencies import period_ns


def checked_identifiers(
    key: object,
    identifiers: object,
    frequency_hz: object,
    handler: object,
    delivery_hz: object,
    processor: object,
) -> list[str]:
    """The parameter identifiers as a list; ``ValueError`` naming the first unusable argument."""
    if not isinstance(key, str) or not key:
        raise ValueError("the subscription key must be a non-empty str")
    if isinstance(identifiers, (str, bytes)) or not isinstance(identifiers, Sequence):
        raise ValueError("parameter_identifiers must be a list of str")
    names = list(identifiers)
    if not names or not all(isinstance(i, str) and i for i in names):
        raise ValueError(f"parameter_identifiers must be a non-empty list of non-empty str, got {names!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"parameter_identifiers has duplicates: {names!r}")
    period_ns("subscription_frequency_hz", frequency_hz)
    if delivery_hz is not None:
        period_ns("delivery_frequency_hz", delivery_hz)
    if not callable(getattr(handler, "handle", None)):
        raise ValueError(f"handler needs a handle(batch_result) method, got {handler!r}")
    if processor is not None and not callable(getattr(processor, "process", None)):
        raise ValueError(f"processor needs a process(context) method, got {processor!r}")
    return names
