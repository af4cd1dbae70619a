"""Contracts: packet writing."""
