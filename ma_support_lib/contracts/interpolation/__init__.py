"""Contracts: interpolation (the data reader)."""
