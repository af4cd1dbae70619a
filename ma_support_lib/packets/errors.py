"""Errors raised by the sample packet builders and decoders."""

from __future__ import annotations


class PacketBuildError(ValueError):
    """Builder input that cannot make a valid packet: shapes, dtypes or values out of range."""


class PacketDecodeError(ValueError):
    """Bytes that are not a valid sample packet, or samples that numpy cannot hold exactly."""
