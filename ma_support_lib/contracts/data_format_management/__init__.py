"""Contracts: data format management."""
