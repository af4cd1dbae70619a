"""Contracts: buffering (the sample reader)."""
