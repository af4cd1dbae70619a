"""Contracts: packet reading."""
