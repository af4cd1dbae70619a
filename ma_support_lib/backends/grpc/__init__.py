"""The gRPC backend: the public services over a Stream API server."""
