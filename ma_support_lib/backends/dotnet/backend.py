"""The .NET backend: the Support Library's C# API in this process, through pythonnet."""

from __future__ import annotations

import atexit
import fnmatch
import math
import weakref
from collections.abc import Callable
from typing import Any

from ...contracts.buffering.buffering_configuration import BufferingConfiguration
from ...contracts.buffering.i_sample_reader_service import ISampleReaderService
from ...contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
from ...contracts.interpolation.i_data_reader_service import IDataReaderService
from ...contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ...contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ...contracts.packet_reading.packet_reading_type import PacketReadingType
from ...contracts.packet_writing.i_packet_writer_service import IPacketWriterService
from ...contracts.session_management.i_session_management_service import ISessionManagementService
from ...contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ...core.base.logger import ILogger
from ...errors import BackendUnavailableError, ConfigurationError, SupportLibraryError
from ..base import Backend
from . import errors, frames, runtime
from .data_reading import DotnetDataReaderService
from .data_format_management import DotnetDataFormatManagementService
from .packet_reading import DotnetPacketReaderService
from .packet_writing import DotnetPacketWriterService
from .pump import EventPump
from .sample_reading import DotnetSampleReaderService
from .service import encoded
from .session_management import DotnetSessionManagementService

#: Retries while the broker is unavailable (the C# RetryPolicy).
RETRIES = 3
RETRY_DELAY_S = 1.0
_LOG_LEVELS = ("debug", "info", "warning", "error")
#: Backends still open: closed at interpreter exit, before pythonnet shuts the runtime down
#: (a Python thread still waiting inside .NET would otherwise keep the process from exiting).
_open: weakref.WeakSet[DotnetBackend] = weakref.WeakSet()


def _close_all() -> None:
    for backend in list(_open):
        backend.close()


def _close_at_exit() -> None:
    """Register :func:`_close_all` after pythonnet's own exit hook, so it runs first."""
    atexit.unregister(_close_all)
    atexit.register(_close_all)


class DotnetBackend(Backend):
    """Services over one C# ``ISupportLibApi`` (``SupportLibApiFactory.Create``).

    ``broker_list`` is the Kafka bootstrap address the C# library connects to (the test
    stand-in keeps one in-memory broker per address); ``stream_api_address`` belongs to the
    gRPC backend and is refused. The C# library's log lines go to the library's logger.
    """

    name = "dotnet"
    default_processing = "native"

    def __init__(self, configuration: StreamingApiConfiguration, logger: ILogger) -> None:
        if configuration.stream_api_address:
            raise ConfigurationError(
                "stream_api_address is for the grpc backend; the dotnet backend runs the C# Support Library in "
                "this process and connects to broker_list"
            )
        self.configuration = configuration
        self._logger = logger
        self._runtime: runtime.DotnetRuntime | None = None
        self._api: Any = None
        self._log_pump: EventPump | None = None
        self._sessions: Any = None  # a .NET session service for the readers' look-ups

    @property
    def standin(self) -> bool:
        """Whether the C# library behind this backend is the test stand-in."""
        return self._ready()[0].standin

    def open(self) -> None:
        loaded = runtime.load()
        _close_at_exit()
        if loaded.standin:
            self._logger.warning(
                "the dotnet backend is running on the TEST STAND-IN of the Support Library (in-memory, for tests), "
                f"loaded from {loaded.directory}; put the vendor DLLs there to use the real library"
            )
        bridge = loaded.bridge
        queue = bridge.EventQueue()
        self._log_pump = EventPump(queue, self._log, "dotnet-log", self._logger)
        self._log_pump.start()
        config = self.configuration
        try:
            streaming = bridge.Construction.Streaming(
                int(config.stream_creation_strategy),
                config.broker_list,
                [m.stream for m in config.partition_mappings],
                [int(m.partition) for m in config.partition_mappings],
                int(config.stream_api_port or 13579),
                config.integrate_session_management,
                config.integrate_data_format_management,
                config.use_remote_key_generator,
                config.remote_key_generator_service_address,
                bool(config.batching_responses),
                max(1, math.ceil(config.timeout_seconds)),
            )
            api = bridge.Construction.Library(bridge.QueueLogger(queue), streaming, RETRIES, RETRY_DELAY_S)
            errors.lifecycle("initialise()", api.Initialise)
            errors.lifecycle("start()", api.Start)
            self._runtime, self._api = loaded, api
            _open.add(self)
            self._sessions = self._service("session manager", api.GetSessionManagerApi)
            errors.lifecycle("initialise()", self._sessions.Initialise)
            errors.lifecycle("start()", self._sessions.Start)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        _open.discard(self)
        for service in (self._sessions, self._api):
            if service is not None:
                try:
                    errors.lifecycle("stop()", service.Stop)
                except SupportLibraryError as exc:
                    self._logger.error(f"stopping the C# support library: {exc}")
        self._sessions = self._api = self._runtime = None
        if self._log_pump is not None:
            self._log_pump.drain()
            self._log_pump.stop()
            self._log_pump = None

    def _log(self, records: list[frames.Record]) -> None:
        for record in records:
            if isinstance(record, frames.LogRecord):
                getattr(self._logger, _LOG_LEVELS[min(record.level, 3)])(f"[C#] {record.message}")

    def _ready(self) -> tuple[runtime.DotnetRuntime, Any]:
        if self._runtime is None or self._api is None:
            raise ConfigurationError("the backend is not open; call initialise() on the library first")
        return self._runtime, self._api

    @staticmethod
    def _service(what: str, module_api: Callable[[], Any], *arguments: Any) -> Any:
        """``CreateService`` of a module API; its refusal is raised with the C# message."""
        module = module_api()
        if module is None:
            raise BackendUnavailableError(f"the C# support library offers no {what} module")
        try:
            created = module.CreateService(*arguments)
        except Exception as exc:
            raise errors.mapped(exc) from None
        if not created.Success or created.Data is None:
            raise SupportLibraryError(str(created.Message) or f"the C# {what} module refused to create a service")
        return created.Data

    def create_session_management_service(self) -> ISessionManagementService:
        loaded, api = self._ready()
        net = self._service("session manager", api.GetSessionManagerApi)
        return DotnetSessionManagementService(loaded, net, self._logger)

    def create_data_format_management_service(self) -> IDataFormatManagementService:
        loaded, api = self._ready()
        net = self._service("data format manager", api.GetDataFormatManagerApi)
        return DotnetDataFormatManagementService(loaded, net, self._logger)

    def create_packet_writer_service(self) -> IPacketWriterService:
        loaded, api = self._ready()
        return DotnetPacketWriterService(loaded, self._service("packet writing", api.GetWritingPacketApi), self._logger)

    def create_packet_reader_service(self, configuration: PacketReadingConfiguration) -> IPacketReaderService:
        loaded, api = self._ready()
        c = configuration
        reading = loaded.bridge.Construction.Reading(
            c.data_source,
            c.session_identifier_pattern,
            int(c.reading_type),
            [str(stream) for stream in c.streams],
            c.exclude_main_stream,
            max(1, math.ceil(c.timeout_seconds)),
            c.session_key or "",
        )
        net = self._service("packet reading", api.GetReadingPacketApi, reading)
        return DotnetPacketReaderService(loaded, net, c, self._expected_sessions(c), self._logger)

    def create_sample_reader_service(self, configuration: BufferingConfiguration) -> ISampleReaderService:
        loaded, api = self._ready()
        c = configuration
        merge = -1 if c.merge_strategy is None else int(c.merge_strategy)
        net_config = loaded.bridge.Construction.Buffering(
            None if c.subscribed_parameters is None else list(c.subscribed_parameters),
            c.buffering_window_length, c.sliding_window_percentage, merge, bool(c.include_marker_data),
            bool(c.include_event_data), bool(c.include_error_data), bool(c.include_can_data),
        )  # fmt: skip
        net = self._service("sample reader", _module(api, "GetSampleReaderApi"), net_config)
        return DotnetSampleReaderService(loaded, net, self._logger)

    def create_data_reader_service(self) -> IDataReaderService:
        loaded, api = self._ready()
        return DotnetDataReaderService(loaded, self._service("data reader", _module(api, "GetDataReaderApi")), self._logger)

    def _expected_sessions(self, configuration: PacketReadingConfiguration) -> Callable[[], list[str]] | None:
        """What completes a reader: its session key, or the ended sessions a HISTORIC reader
        finds when it starts; ``None`` for readers that follow live sessions."""
        if configuration.session_key:
            return lambda: [configuration.session_key]
        if configuration.reading_type is not PacketReadingType.HISTORIC:
            return None

        def ended() -> list[str]:
            loaded, _ = self._ready()
            listed = self._sessions.GetAllSessions()
            if not listed.Success:
                raise SupportLibraryError(f"listing sessions for a historic reader: {listed.Message}")
            return [
                info.session_key
                for info in frames.session_infos(encoded(loaded.bridge.Codec.SessionInfos(listed.Data)))
                if info.historical
                and info.data_source == configuration.data_source
                and fnmatch.fnmatchcase(info.identifier, configuration.session_identifier_pattern)
            ]

        return ended


def _module(api: Any, getter: str) -> Callable[[], Any]:
    """The module getter ``getter`` of the C# root object; a C# library without it (an older
    build) gives None, which ``_service`` reports as a missing module."""
    method = getattr(api, getter, None)
    return method if method is not None else (lambda: None)
