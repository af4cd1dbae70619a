"""Writes a sine-wave session the way the official sample writer does."""
