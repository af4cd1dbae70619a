"""Connections: read settings registered by clients, addressed by an opaque int64 id."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

from ..log import Subscription
from ..protos import api_pb2
from .metrics import Metrics


class ConnectionRegistry:
    """Connection details kept verbatim, per server process."""

    def __init__(self, metrics: Metrics) -> None:
        self._details: dict[int, api_pb2.ConnectionDetails] = {}
        self._readers: dict[int, set[Subscription]] = {}
        self._metrics = metrics

    def _gauge(self, data_source: str) -> None:
        count = sum(1 for details in self._details.values() if details.data_source == data_source)
        self._metrics.connections.labels(data_source).set(count)

    def open(self, details: api_pb2.ConnectionDetails) -> int:
        """Register ``details`` under a new random non-zero id."""
        while True:
            connection_id = random.getrandbits(64) - (1 << 63)
            if connection_id and connection_id not in self._details:
                break
        stored = api_pb2.ConnectionDetails()
        stored.CopyFrom(details)
        self._details[connection_id] = stored
        self._gauge(details.data_source)
        return connection_id

    def get(self, connection_id: int) -> api_pb2.ConnectionDetails | None:
        return self._details.get(connection_id)

    @contextlib.contextmanager
    def on_close(self, connection_id: int, subscription: Subscription) -> Iterator[None]:
        """Close ``subscription`` (ending its read stream) if the connection is closed."""
        readers = self._readers.setdefault(connection_id, set())
        readers.add(subscription)
        try:
            yield
        finally:
            readers.discard(subscription)
            if not readers:
                self._readers.pop(connection_id, None)

    async def close(self, connection_id: int) -> bool:
        """Forget a connection and end its running read streams; ``False`` if unknown."""
        details = self._details.pop(connection_id, None)
        if details is None:
            return False
        self._gauge(details.data_source)
        for subscription in list(self._readers.get(connection_id, ())):
            await subscription.close()
        return True
