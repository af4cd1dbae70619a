"""Contracts: session management."""
