"""The root library object: lifecycle, module APIs and the backend behind them."""

from __future__ import annotations

import threading

from ...backends import Backend, create_backend
from ...backends.processing import chosen_engine
from ...contracts.shared.i_service import IService
from ...contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ..module_apis import (
    DataFormatManagementModuleApi,
    DataReaderModuleApi,
    PacketReadingModuleApi,
    PacketWritingModuleApi,
    SampleReaderModuleApi,
    SessionManagementModuleApi,
)
from .logger import ILogger
from .service_base import ServiceBase


class SupportLibrary(ServiceBase):
    """What ``factory.create()`` returns.

    ``initialise()`` opens the backend (connects to the Stream API, or starts one in this
    process) and raises ``BackendUnavailableError``/``ConfigurationError`` saying what to
    fix; ``stop()`` stops every service created through it, then closes the backend.
    """

    def __init__(self, configuration: StreamingApiConfiguration, logger: ILogger) -> None:
        super().__init__(logger)
        self.configuration = configuration
        self.backend: Backend = create_backend(configuration, self._logger)
        self._services: list[IService] = []
        self._services_lock = threading.Lock()
        self._session_manager_api = SessionManagementModuleApi(self)
        self._data_format_manager_api = DataFormatManagementModuleApi(self)
        self._reading_packet_api = PacketReadingModuleApi(self)
        self._writing_packet_api = PacketWritingModuleApi(self)
        self._sample_reader_api = SampleReaderModuleApi(self)
        self._data_reader_api = DataReaderModuleApi(self)

    def _on_initialise(self) -> None:
        self.backend.open()

    def _on_stop(self) -> None:
        with self._services_lock:
            services, self._services = self._services, []
        for service in reversed(services):
            try:
                service.stop()
            except Exception as exc:
                self._logger.error(f"stopping {type(service).__name__} raised {exc!r}")
        self.backend.close()

    def processing_engine(self) -> str:
        """``"native"`` or ``"python"``: what the sample and data readers run on."""
        return chosen_engine(self.configuration, self.backend.default_processing)

    def _track(self, service: IService) -> None:
        with self._services_lock:
            self._services.append(service)

    def get_session_manager_api(self) -> SessionManagementModuleApi:
        return self._session_manager_api

    def get_data_format_manager_api(self) -> DataFormatManagementModuleApi:
        return self._data_format_manager_api

    def get_reading_packet_api(self) -> PacketReadingModuleApi:
        return self._reading_packet_api

    def get_writing_packet_api(self) -> PacketWritingModuleApi:
        return self._writing_packet_api

    def get_sample_reader_api(self) -> SampleReaderModuleApi:
        return self._sample_reader_api

    def get_data_reader_api(self) -> DataReaderModuleApi:
        return self._data_reader_api

    def __enter__(self) -> SupportLibrary:
        self.initialise()
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
