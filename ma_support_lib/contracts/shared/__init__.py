"""Contracts: shared."""
