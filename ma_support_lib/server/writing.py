"""Packet writing: from ``DataPacketDetails`` and info packets to records in the log.

A write is acknowledged (its RPC answers) only once the log has acknowledged its records,
so a client never gets a success for a packet that was not stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from ..log import Log, ProducerRecord, RecordMetadata
from ..protos import api_pb2, open_data_pb2
from .errors import InvalidRequestError
from .metrics import Metrics
from .routing import INFO_DATA_SOURCE, SESSION_INFO_TOPIC, Route, Router


class PacketWriter:
    """Builds records with the reference keys, partitions and values, and appends them."""

    def __init__(self, log_: Log, router: Router, metrics: Metrics) -> None:
        self._log = log_
        self._router = router
        self._metrics = metrics

    async def data_records(self, details: Sequence[api_pb2.DataPacketDetails]) -> list[ProducerRecord]:
        """Records for data packets: the essentials copy first, then the main or stream route.

        The whole request is checked before anything is counted, and metrics are updated once
        per (data source, stream) rather than once per packet.
        """
        records: list[ProducerRecord] = []
        append = records.append
        # per (data source, stream): its route and [packets, bytes]
        routes: dict[tuple[str, str], tuple[Route, Route, list[int]]] = {}
        for index, detail in enumerate(details):
            if not detail.HasField("message"):
                raise InvalidRequestError(f"details[{index}].message is missing: a data packet needs a Packet")
            labels = (detail.data_source, detail.stream)
            known = routes.get(labels)
            if known is None:
                route = self._router.data_route(*labels)
                await self._router.ensure_data_topics(labels[0], route)
                known = routes[labels] = (route, self._router.essentials_route(labels[0]), [0, 0])
            route, essentials, counts = known
            message = detail.message
            value = message.SerializeToString()
            key = detail.session_key.encode()
            if message.is_essential:
                append(ProducerRecord(essentials.topic, value, key, essentials.partition))
            append(ProducerRecord(route.topic, value, key, route.partition))
            counts[0] += 1
            counts[1] += len(value)
        metrics = self._metrics
        for (data_source, stream), (route, _, (packets, size)) in routes.items():
            metrics.data_packets_published.labels(data_source, stream).inc(packets)
            metrics.data_packets_routed.labels(data_source, route.stream).inc(packets)
            metrics.data_packets_routed_bytes.labels(data_source, route.stream).inc(size)
        return records

    def info_records(self, packets: Sequence[open_data_pb2.Packet]) -> list[ProducerRecord]:
        """Records for info packets: topic ``SessionInfo``, key = the packet's session key."""
        records = [
            ProducerRecord(SESSION_INFO_TOPIC, packet.SerializeToString(), packet.session_key.encode())
            for packet in packets
        ]
        metrics = self._metrics
        metrics.info_packets_published.labels(INFO_DATA_SOURCE).inc(len(records))
        metrics.info_packets_routed.labels(INFO_DATA_SOURCE).inc(len(records))
        metrics.info_packets_routed_bytes.labels(INFO_DATA_SOURCE).inc(sum(len(r.value) for r in records))
        return records

    async def write_data(self, details: Sequence[api_pb2.DataPacketDetails]) -> Awaitable[list[RecordMetadata]]:
        """Append data packets now; the result resolves when they are acknowledged."""
        return self._log.append(await self.data_records(details))

    async def write_info(self, packets: Sequence[open_data_pb2.Packet]) -> Awaitable[list[RecordMetadata]]:
        """Append info packets now; the result resolves when they are acknowledged."""
        await self._router.ensure_topic(SESSION_INFO_TOPIC, 1)
        return self._log.append(self.info_records(packets))
