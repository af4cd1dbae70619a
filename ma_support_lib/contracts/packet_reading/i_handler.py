"""Alias of :mod:`ma_support_lib.contracts.shared.i_handler` (both paths appear in the official docs)."""

from ..shared.i_handler import IHandler

__all__ = ["IHandler"]
