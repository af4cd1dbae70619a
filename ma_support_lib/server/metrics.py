"""Prometheus metrics with the reference server's names and labels.

Each server owns its registry, so several servers can run in one process (tests, the
library's embedded mode) without clashing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server
from prometheus_client.core import REGISTRY

_CONNECTION = ("connection", "data_source")
_STREAM = ("data_source", "stream")


class Metrics:
    """The reference metric families, registered in one registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry

        def counter(name: str, doc: str, labels: tuple[str, ...]) -> Counter:
            return Counter(name, doc, labels, registry=r)

        def gauge(name: str, doc: str, labels: tuple[str, ...]) -> Gauge:
            return Gauge(name, doc, labels, registry=r)

        self.data_packets_published = counter(
            "stream_api_data_packets_published_total", "Data packets accepted by WriteDataPacket(s)", _STREAM
        )
        self.info_packets_published = counter(
            "stream_api_info_packets_published_total", "Info packets accepted by WriteInfoPacket(s)", ("data_source",)
        )
        self.sessions = gauge("stream_api_sessions_total", "Sessions known per data source", ("data_source",))
        self.data_formats = gauge(
            "stream_api_data_formats_total", "Data-format definitions known per data source", ("data_source",)
        )
        self.connections = gauge("stream_api_connections_total", "Open connections per data source", ("data_source",))
        self.data_packets_read = counter(
            "stream_api_data_packets_read_total", "Records handed to ReadPackets/ReadDataPackets", _CONNECTION + ("stream",)
        )
        self.data_packets_delivered = counter(
            "stream_api_data_packets_delivered_total", "Packets delivered in batched responses", _CONNECTION + ("stream",)
        )
        self.essential_packets_read = counter(
            "stream_api_essential_packets_read_total", "Essential records read for ReadEssentials", _CONNECTION
        )
        self.essential_packets_delivered = counter(
            "stream_api_essential_packets_delivered_total", "Essential responses written", _CONNECTION
        )
        self.data_packets_routed = counter(
            "stream_api_data_packets_routed_total", "Data records produced to the log", _STREAM
        )
        self.data_packets_routed_bytes = counter(
            "stream_api_data_packets_routed_bytes_total", "Bytes of data records produced to the log", _STREAM
        )
        self.info_packets_routed = counter(
            "stream_api_info_packets_routed_total", "Info records produced to the log", ("data_source",)
        )
        self.info_packets_routed_bytes = counter(
            "stream_api_info_packets_routed_bytes_total", "Bytes of info records produced to the log", ("data_source",)
        )
        self.router_messages_received = counter(
            "stream_api_router_messages_received_total",
            "Records received by a reader after the session-key filter",
            _CONNECTION + ("stream", "session_key"),
        )
        self.router_messages_received_bytes = counter(
            "stream_api_router_messages_received_bytes_total",
            "Bytes of records received by a reader after the session-key filter",
            _CONNECTION + ("stream", "session_key"),
        )


@dataclass
class MetricsEndpoint:
    """A running ``/metrics`` HTTP endpoint."""

    host: str
    port: int
    _server: Any
    _thread: Any

    @property
    def address(self) -> str:
        """``host:port`` a client on this machine can dial."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"{host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve_metrics(metrics: Metrics, host: str, port: int, *, with_process_metrics: bool = True) -> MetricsEndpoint:
    """Expose ``metrics`` (and, like prometheus-net, process metrics) on ``host:port``."""
    registry = metrics.registry
    if with_process_metrics:
        registry = _MergedRegistry(metrics.registry)
    server, thread = start_http_server(port, addr=host, registry=registry)
    return MetricsEndpoint(host, server.server_port, server, thread)


class _MergedRegistry(CollectorRegistry):
    """The server's registry followed by the default one's process and platform metrics."""

    def __init__(self, own: CollectorRegistry) -> None:
        super().__init__(auto_describe=False)
        self._own = own

    def collect(self):  # type: ignore[no-untyped-def]
        yield from self._own.collect()
        for family in REGISTRY.collect():
            if family.name.startswith(("process_", "python_")):
                yield family
