"""An Error packet as a buffered value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorData:
    """``type`` and ``status`` are the Open Data ``ErrorType`` / ``ErrorStatus`` numbers."""

    identifier: str
    timestamp: int
    application_name: str
    group: str
    name: str
    description: str
    type: int
    status: int
