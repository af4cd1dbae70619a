"""Our Stream API server: the official gRPC services over a pluggable Kafka-shaped log."""

from __future__ import annotations

from .app import ServerThread, StreamApiServer, running_server
from .config import ConfigError, PartitionMapping, ServerConfig, StreamCreationStrategy

__all__ = [
    "ConfigError",
    "PartitionMapping",
    "ServerConfig",
    "ServerThread",
    "StreamApiServer",
    "StreamCreationStrategy",
    "running_server",
]
