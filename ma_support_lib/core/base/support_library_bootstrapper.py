"""The entry point: ``SupportLibraryBootstrapper.bootstrap(configuration, logger).create()``."""

from __future__ import annotations

from ...contracts.shared.stream_api_configuration import StreamingApiConfiguration
from .logger import ILogger, Logger
from .support_library import SupportLibrary


class SupportLibApiFactory:
    """Creates library objects with the bootstrapped configuration and logger."""

    def __init__(self, configuration: StreamingApiConfiguration, logger: ILogger) -> None:
        self.configuration = configuration
        self.logger = logger

    def create(
        self, logger: ILogger | None = None, configuration: StreamingApiConfiguration | None = None
    ) -> SupportLibrary:
        """A new library object (``initialise()`` and ``start()`` it before use)."""
        return SupportLibrary(configuration or self.configuration, logger or self.logger)


class SupportLibraryBootstrapper:
    """Captures the configuration and logger every library object of the process uses."""

    @staticmethod
    def bootstrap(
        streaming_api_configuration: StreamingApiConfiguration | None = None, logger: ILogger | None = None
    ) -> SupportLibApiFactory:
        configuration = streaming_api_configuration or StreamingApiConfiguration()
        if not isinstance(configuration, StreamingApiConfiguration):
            raise TypeError(f"bootstrap takes a StreamingApiConfiguration, got {type(configuration).__name__}")
        return SupportLibApiFactory(configuration, logger or Logger())
