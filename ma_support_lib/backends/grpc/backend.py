"""The gRPC backend: a Stream API server by address, or our own in this process."""

from __future__ import annotations

from ...contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
from ...contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ...contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ...contracts.packet_writing.i_packet_writer_service import IPacketWriterService
from ...contracts.session_management.i_session_management_service import ISessionManagementService
from ...contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ...core.base.logger import ILogger
from ...errors import BackendUnavailableError, ConfigurationError
from ...protos import api_pb2
from ...server.config import PartitionMapping, ServerConfig
from ...server.config import StreamCreationStrategy as ServerStrategy
from ..base import Backend
from . import hosting
from .client import StreamApiClient, unary
from .data_format_management import GrpcDataFormatManagementService
from .data_sources import DataSources
from .packet_reading import GrpcPacketReaderService
from .packet_writing import GrpcPacketWriterService
from .session_feed import SessionFeed
from .session_management import GrpcSessionManagementService


def server_config(configuration: StreamingApiConfiguration) -> ServerConfig:
    """Settings of the in-process server for a library configuration."""
    return ServerConfig(
        stream_creation_strategy=ServerStrategy(int(configuration.stream_creation_strategy)),
        broker_url=configuration.broker_list,
        partition_mappings=tuple(PartitionMapping(m.stream, m.partition) for m in configuration.partition_mappings),
        stream_api_port=configuration.stream_api_port or 0,
        integrate_session_management=configuration.integrate_session_management,
        integrate_data_format_management=configuration.integrate_data_format_management,
        use_remote_key_generator=configuration.use_remote_key_generator,
        remote_key_generator_service_address=configuration.remote_key_generator_service_address,
        batching_responses=configuration.batching_responses is not False,
        initialisation_timeout_seconds=int(configuration.timeout_seconds),
        host="127.0.0.1",
        metrics_port=None,
        broker_properties=tuple(sorted(configuration.additional_properties.items())),
        broker_wait_seconds=float(configuration.timeout_seconds),
    )


class GrpcBackend(Backend):
    """Services over one channel to a Stream API server.

    With ``stream_api_address`` set, that server is used. Otherwise the server for
    ``broker_list`` is started in this process (or, for a ``file://`` directory another
    process already serves, that process's server is used). For a Kafka ``broker_list``
    that server uses the cluster, with ``additional_properties`` handed to librdkafka.
    """

    name = "grpc"

    def __init__(self, configuration: StreamingApiConfiguration, logger: ILogger) -> None:
        self.configuration = configuration
        self._logger = logger
        self._lease: hosting.Lease | None = None
        self._client: StreamApiClient | None = None
        self._feed: SessionFeed | None = None
        self._data_sources = DataSources()

    @property
    def address(self) -> str:
        return self._ready()[0].address

    def open(self) -> None:
        config = self.configuration
        if config.stream_api_address:
            address = config.stream_api_address
        else:
            self._lease = hosting.acquire(server_config(config), config.timeout_seconds)
            address = self._lease.address
            where = "in this process" if self._lease.hosted else "in another process"
            self._logger.info(f"Stream API for {config.broker_list} served {where} at {address}")
        client = StreamApiClient(address, self._lease.local if self._lease is not None else None)
        try:
            client.wait_ready(config.timeout_seconds)
            self._check_session_management(client)
        except BaseException:
            client.close()
            self.close()
            raise
        self._client = client
        self._feed = SessionFeed(client, self._logger)

    def _check_session_management(self, client: StreamApiClient) -> None:
        try:
            unary(client.sessions.GetCurrentSessions, api_pb2.GetCurrentSessionsRequest(data_source="Default"))
        except Exception as exc:
            raise BackendUnavailableError(f"the Stream API server at {client.address} does not answer: {exc}") from None

    def close(self) -> None:
        if self._feed is not None:
            self._feed.close()
            self._feed = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._lease is not None:
            self._lease.release()
            self._lease = None

    def _ready(self) -> tuple[StreamApiClient, SessionFeed]:
        if self._client is None or self._feed is None:
            raise ConfigurationError("the backend is not open; call initialise() on the library first")
        return self._client, self._feed

    def create_session_management_service(self) -> ISessionManagementService:
        client, feed = self._ready()
        return GrpcSessionManagementService(client, feed, self._data_sources, self._logger)

    def create_data_format_management_service(self) -> IDataFormatManagementService:
        client, _ = self._ready()
        return GrpcDataFormatManagementService(client, self._data_sources, self._logger)

    def create_packet_reader_service(self, configuration: PacketReadingConfiguration) -> IPacketReaderService:
        client, feed = self._ready()
        if configuration.session_key:
            response = unary(
                client.sessions.GetSessionInfo, api_pb2.GetSessionInfoRequest(session_key=configuration.session_key)
            )
            if not response.success:
                raise ValueError(f"unknown session key {configuration.session_key!r}")
        return GrpcPacketReaderService(client, feed, configuration, self.configuration.partition_mappings, self._logger)

    def create_packet_writer_service(self) -> IPacketWriterService:
        client, _ = self._ready()
        return GrpcPacketWriterService(client, self._data_sources, self._logger)
