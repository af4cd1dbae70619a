"""Errors the server's domain code raises for bad requests (answered ``INVALID_ARGUMENT``)."""

from __future__ import annotations


class InvalidRequestError(ValueError):
    """A request the server cannot serve as sent; the message says what is wrong."""
