"""Numpy sample packet builders and decoders against the protobuf API."""
