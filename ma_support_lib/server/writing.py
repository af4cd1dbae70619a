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
from .routing import INFO_DATA_SOURCE, SESSION_INFO_TOPIC, Router


class PacketWriter:
    """Builds records with the reference keys, partitions and values, and appends them."""

    def __init__(self, log_: Log, router: Router, metrics: Metrics) -> None:
        self._log = log_
        self._router = router
        self._metrics = metrics

    async def data_records(self, details: Sequence[api_pb2.DataPacketDetails]) -> list[ProducerRecord]:
        """Records for data packets: the essentials copy first, then the main or stream route."""
        records: list[ProducerRecord] = []
        metrics = self._metrics
        for index, detail in enumerate(details):
            if not detail.HasField("message"):
                raise InvalidRequestError(f"details[{index}].message is missing: a data packet needs a Packet")
            data_source = detail.data_source
            route = self._router.data_route(data_source, detail.stream)
            await self._router.ensure_data_topics(data_source, route)
            value = detail.message.SerializeToString()
            key = detail.session_key.encode()
            if detail.message.is_essential:
                essentials = self._router.essentials_route(data_source)
                records.append(ProducerRecord(essentials.topic, value, key, essentials.partition))
            records.append(ProducerRecord(route.topic, value, key, route.partition))
            metrics.data_packets_published.labels(data_source, detail.stream).inc()
            metrics.data_packets_routed.labels(data_source, route.stream).inc()
            metrics.data_packets_routed_bytes.labels(data_source, route.stream).inc(len(value))
        return records

    def info_records(self, packets: Sequence[open_data_pb2.Packet]) -> list[ProducerRecord]:
        """Records for info packets: topic ``SessionInfo``, key = the packet's session key."""
        records = []
        for packet in packets:
            value = packet.SerializeToString()
            records.append(ProducerRecord(SESSION_INFO_TOPIC, value, packet.session_key.encode()))
            self._metrics.info_packets_published.labels(INFO_DATA_SOURCE).inc()
            self._metrics.info_packets_routed.labels(INFO_DATA_SOURCE).inc()
            self._metrics.info_packets_routed_bytes.labels(INFO_DATA_SOURCE).inc(len(value))
        return records

    async def write_data(self, details: Sequence[api_pb2.DataPacketDetails]) -> Awaitable[list[RecordMetadata]]:
        """Append data packets now; the result resolves when they are acknowledged."""
        return self._log.append(await self.data_records(details))

    async def write_info(self, packets: Sequence[open_data_pb2.Packet]) -> Awaitable[list[RecordMetadata]]:
        """Append info packets now; the result resolves when they are acknowledged."""
        await self._router.ensure_topic(SESSION_INFO_TOPIC, 1)
        return self._log.append(self.info_records(packets))
