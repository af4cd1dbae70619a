"""The Stream API server: wiring the log, the domain objects and the gRPC services together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc

from ..log import Log, LogError, open_log
from ..protos import api_pb2, key_generator_pb2
from .config import ServerConfig
from .connections import ConnectionRegistry
from .data_formats import DataFormatStore
from .health import Health
from .keys import KeyGenerator, LocalKeyGenerator, RemoteKeyGenerator
from .metrics import Metrics, MetricsEndpoint, serve_metrics
from .routing import Router
from .local_calls import LocalCalls
from .rpc import guarded, service_handler
from .services import (
    ConnectionManagerService,
    DataFormatManagerService,
    PacketReaderService,
    PacketWriterService,
    SessionManagementService,
    UniqueKeyGeneratorService,
)
from .sessions import SessionManager, SessionRegistry, SessionReplay
from .writing import PacketWriter

log = logging.getLogger(__name__)

#: Largest request the server accepts; larger ones fail with RESOURCE_EXHAUSTED.
MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024
#: Seconds in-flight calls get to finish when the server stops.
SHUTDOWN_GRACE_S = 5.0
#: Seconds between availability checks of the broker (at start-up, as the reference, and
#: while serving), and how long one check may take.
BROKER_RETRY_SECONDS = 5.0
BROKER_CHECK_SECONDS = 2.0


class BrokerUnavailableError(LogError):
    """The broker did not answer within the server's ``broker_wait_seconds``."""


class StreamApiServer:
    """One Stream API server over one log.

    ``await start()`` opens the gRPC port (``config.stream_api_port``; 0 picks a free one),
    waits for the broker, replays sessions and data formats from the log, then serves and,
    unless ``metrics_port`` is ``None``, opens the Prometheus endpoint. Until then only the
    health service (``grpc.health.v1.Health``) answers: ``NOT_SERVING``. ``await stop()`` ends every call, waits for
    in-flight writes and closes the log (if the server opened it).
    """

    def __init__(self, config: ServerConfig, log_: Log | None = None) -> None:
        self.config = config
        self._own_log = log_ is None
        self.log = log_ if log_ is not None else open_log(config.broker_url, dict(config.broker_properties))
        self.metrics = Metrics()
        self.port: int | None = None
        self.metrics_endpoint: MetricsEndpoint | None = None
        self._server: grpc.aio.Server | None = None
        self._keys: KeyGenerator = (
            RemoteKeyGenerator(config.remote_key_generator_service_address)
            if config.use_remote_key_generator
            else LocalKeyGenerator()
        )
        self._replay: SessionReplay | None = None
        self._formats: DataFormatStore | None = None
        self._monitor: asyncio.Task[None] | None = None
        self.health = Health(())
        #: The streaming hot paths for callers in this process (set by :meth:`open`).
        self.local_calls: LocalCalls | None = None

    @property
    def address(self) -> str:
        """``host:port`` clients on this machine can dial."""
        host = self.config.host if self.config.host not in ("0.0.0.0", "::", "[::]") else "127.0.0.1"
        return f"{host}:{self.port}"

    async def open(self) -> None:
        """Build the services and open the gRPC port. Until :meth:`start` has finished, the
        health service answers ``NOT_SERVING`` and the Stream API services ``UNAVAILABLE``."""
        if self._server is not None:
            return
        config = self.config
        router = Router(self.log, config)
        formats = DataFormatStore(
            self.log, router, self._keys, self.metrics, integrated=config.integrate_data_format_management
        )
        self._formats = formats
        sessions: SessionManager | None = None
        if config.integrate_session_management:
            registry = SessionRegistry(self.metrics)
            self._replay = SessionReplay(self.log, registry, formats.track)
            sessions = SessionManager(self.log, router, self._keys, registry, formats.track)
        connections = ConnectionRegistry(self.metrics)
        writer = PacketWriter(self.log, router, self.metrics)
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", MAX_RECEIVE_MESSAGE_BYTES),
                ("grpc.max_send_message_length", -1),
                ("grpc.so_reuseport", 0),
            ]
        )
        services: list[tuple[Any, object]] = [
            (api_pb2.DESCRIPTOR.services_by_name["PacketWriterService"], PacketWriterService(writer)),
            (
                api_pb2.DESCRIPTOR.services_by_name["PacketReaderService"],
                PacketReaderService(self.log, config, router, connections, formats, self.metrics),
            ),
            (api_pb2.DESCRIPTOR.services_by_name["ConnectionManagerService"], ConnectionManagerService(connections)),
            (api_pb2.DESCRIPTOR.services_by_name["DataFormatManagerService"], DataFormatManagerService(formats)),
            (api_pb2.DESCRIPTOR.services_by_name["SessionManagementService"], SessionManagementService(sessions)),
            (
                key_generator_pb2.DESCRIPTOR.services_by_name["UniqueKeyGeneratorService"],
                UniqueKeyGeneratorService(self._keys),
            ),
        ]
        self.health = Health(descriptor.full_name for descriptor, _ in services)
        (writer_service, writer_servicer), (reader_service, reader_servicer) = services[:2]
        self.local_calls = LocalCalls(
            asyncio.get_running_loop(),
            guarded(writer_service, writer_servicer, "WriteDataPackets", self.health),
            guarded(reader_service, reader_servicer, "ReadPackets", self.health),
        )
        server.add_generic_rpc_handlers(
            [service_handler(descriptor, servicer, self.health) for descriptor, servicer in services]
            + [self.health.handler()]
        )
        bind = f"[::]:{config.stream_api_port}" if config.host in ("0.0.0.0", "::") else f"{config.host}:{config.stream_api_port}"
        self.port = server.add_insecure_port(bind)
        if not self.port:
            raise OSError(f"cannot listen on {config.host}:{config.stream_api_port} (port in use?)")
        await server.start()
        self._server = server

    async def start(self) -> None:
        """Open the port (if :meth:`open` was not called), wait for the broker, replay data
        formats and sessions, then serve."""
        await self.open()
        await self._await_broker()
        assert self._formats is not None
        await self._formats.start()
        if self._replay is not None:
            await self._replay.start()
        await self.health.mark_started()
        self._monitor = asyncio.create_task(self._monitor_broker(), name="broker-health")
        config = self.config
        if config.metrics_port is not None:
            metrics_host = config.host if config.host not in ("::", "[::]") else "0.0.0.0"
            self.metrics_endpoint = serve_metrics(self.metrics, metrics_host, config.metrics_port)

    async def _await_broker(self) -> None:
        """Return once the broker answers; until then retry, saying so in the log and the health service."""
        loop = asyncio.get_running_loop()
        limit = self.config.broker_wait_seconds
        deadline = None if limit is None else loop.time() + limit
        while True:
            check = BROKER_CHECK_SECONDS if deadline is None else max(min(BROKER_CHECK_SECONDS, deadline - loop.time()), 0.1)
            reason = await self.log.availability(check)
            if reason is None:
                return
            await self.health.set(reason)
            if deadline is not None and loop.time() + BROKER_RETRY_SECONDS > deadline:
                raise BrokerUnavailableError(f"{reason}; gave up after {limit:g} s")
            log.warning(
                "%s; will retry in %g seconds (health service on %s answers NOT_SERVING meanwhile)",
                reason, BROKER_RETRY_SECONDS, self.address,
            )
            await asyncio.sleep(BROKER_RETRY_SECONDS)

    async def _monitor_broker(self) -> None:
        """While serving, keep the health status in step with the broker's availability."""
        while True:
            await asyncio.sleep(BROKER_RETRY_SECONDS)
            try:
                reason = await self.log.availability(BROKER_CHECK_SECONDS)
            except LogError as exc:
                reason = str(exc)
            if reason != self.health.reason:
                if reason is None:
                    log.info("the broker answers again")
                else:
                    log.warning("%s; writes wait and retry meanwhile", reason)
            await self.health.set(reason)

    async def stop(self, grace: float = SHUTDOWN_GRACE_S) -> None:
        """Stop serving; in-flight writes finish (within ``grace``) before the log closes."""
        if self.local_calls is not None:
            self.local_calls.close()
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None
        if self._replay is not None:
            await self._replay.stop()
        if self._formats is not None:
            await self._formats.stop()
        if self.metrics_endpoint is not None:
            self.metrics_endpoint.close()
            self.metrics_endpoint = None
        await self._keys.close()
        if self._own_log:
            await self.log.close()

    async def wait_for_termination(self) -> None:
        if self._server is not None:
            await self._server.wait_for_termination()


class ServerThread:
    """A :class:`StreamApiServer` running on its own event loop in a background thread.

    For embedding the server in a synchronous program (the library's embedded mode, tests)::

        with ServerThread(config) as server:
            channel = grpc.insecure_channel(server.address)
    """

    def __init__(self, config: ServerConfig, log_: Log | None = None) -> None:
        self._config = config
        self._log = log_
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="stream-api-server", daemon=True)
        self.server: StreamApiServer | None = None

    @property
    def address(self) -> str:
        assert self.server is not None, "server not started"
        return self.server.address

    def start(self) -> StreamApiServer:
        self._thread.start()

        async def start() -> StreamApiServer:
            server = StreamApiServer(self._config, self._log)
            try:
                await server.start()
            except BaseException:
                await server.stop(0)
                raise
            return server

        try:
            self.server = asyncio.run_coroutine_threadsafe(start(), self._loop).result()
        except BaseException:
            self._shutdown_loop()
            raise
        return self.server

    def stop(self, grace: float = SHUTDOWN_GRACE_S) -> None:
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.stop(grace), self._loop).result()
            self.server = None
        self._shutdown_loop()

    def _shutdown_loop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self._loop.close()

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def running_server(config: ServerConfig, log_: Log | None = None) -> Iterator[StreamApiServer]:
    """Run a server in a background thread for the duration of a ``with`` block."""
    with ServerThread(config, log_) as thread:
        assert thread.server is not None
        yield thread.server
