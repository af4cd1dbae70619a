"""Benchmarks of the Stream API server (run the modules as scripts; see README.md)."""
