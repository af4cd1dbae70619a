"""End-to-end tests of the Stream API server: real gRPC clients against a real server."""
