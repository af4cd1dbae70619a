"""Reads live or historic sessions and prints the samples of one parameter."""
