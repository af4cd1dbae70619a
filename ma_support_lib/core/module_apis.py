"""Module APIs: what ``get_..._api()`` returns; each creates services of one kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..contracts.buffering.buffering_configuration import BufferingConfiguration
from ..contracts.buffering.i_sample_reader_service import ISampleReaderService
from ..contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
from ..contracts.interpolation.i_data_reader_service import IDataReaderService
from ..contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ..contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ..contracts.packet_writing.i_packet_writer_service import IPacketWriterService
from ..contracts.session_management.i_session_management_service import ISessionManagementService
from ..contracts.shared.api_result import ApiResult
from ..contracts.shared.i_service import IService
from ..errors import SupportLibraryError

if TYPE_CHECKING:
    from .base.support_library import SupportLibrary

S = TypeVar("S", bound=IService)


class ModuleApi:
    """Creates services through the library's backend; the library stops them on ``stop()``."""

    def __init__(self, library: SupportLibrary) -> None:
        self._library = library

    def _create(self, action: str, factory: Callable[[], S]) -> ApiResult[S]:
        if not self._library.is_initialised or self._library.is_stopped:
            state = "stopped" if self._library.is_stopped else "not initialised"
            return ApiResult.fail(f"{action}: the support library is {state}; call initialise() and start() first")
        try:
            service = factory()
        except (SupportLibraryError, ValueError, TypeError, LookupError) as exc:
            return ApiResult.fail(f"{action}: {exc}")
        except Exception as exc:  # the backend could not reach its server, etc.
            return ApiResult.fail(f"{action} failed: {exc}")
        self._library._track(service)
        return ApiResult.ok(service)


class SessionManagementModuleApi(ModuleApi):
    def create_service(self) -> ApiResult[ISessionManagementService]:
        return self._create("create_service", self._library.backend.create_session_management_service)


class DataFormatManagementModuleApi(ModuleApi):
    def create_service(self) -> ApiResult[IDataFormatManagementService]:
        return self._create("create_service", self._library.backend.create_data_format_management_service)


class PacketWritingModuleApi(ModuleApi):
    def create_service(self) -> ApiResult[IPacketWriterService]:
        return self._create("create_service", self._library.backend.create_packet_writer_service)


class PacketReadingModuleApi(ModuleApi):
    def create_service(self, data_source: str, session_key: str) -> ApiResult[IPacketReaderService]:
        """A reader of one session (live or ended)."""
        if not session_key:
            return ApiResult.fail("create_service: session_key is empty; use create_service_with_config to match sessions")
        configuration = PacketReadingConfiguration(session_key=session_key, data_source=data_source)
        return self.create_service_with_config(configuration)

    def create_service_with_config(
        self, packet_reading_configuration: PacketReadingConfiguration
    ) -> ApiResult[IPacketReaderService]:
        """A reader driven by a :class:`PacketReadingConfiguration`."""
        config = packet_reading_configuration
        if not isinstance(config, PacketReadingConfiguration):
            return ApiResult.fail(f"create_service_with_config takes a PacketReadingConfiguration, got {type(config).__name__}")
        if not isinstance(config.timeout_seconds, (int, float)) or config.timeout_seconds <= 0:
            return ApiResult.fail(f"create_service_with_config: timeout_seconds must be positive, got {config.timeout_seconds!r}")
        return self._create(
            "create_service_with_config", lambda: self._library.backend.create_packet_reader_service(config)
        )


class SampleReaderModuleApi(ModuleApi):
    def create_service(self, buffering_configuration: BufferingConfiguration) -> ApiResult[ISampleReaderService]:
        """A sample reader (buffering) with these settings; pipe a packet reader into it with
        ``set_reader_service``."""
        config = buffering_configuration
        if not isinstance(config, BufferingConfiguration):
            return ApiResult.fail(f"create_service takes a BufferingConfiguration, got {type(config).__name__}")
        problems = config.problems()
        if problems:
            return ApiResult.fail("create_service: " + "; ".join(problems))
        return self._create("create_service", lambda: self._sample_reader(config))

    def _sample_reader(self, config: BufferingConfiguration) -> ISampleReaderService:
        if self._library.processing_engine() == "native":
            return self._library.backend.create_sample_reader_service(config)
        from ..processing.formats import FormatResolver
        from ..processing.sample_reader import SampleReaderService

        formats = self._library.backend.create_data_format_management_service()
        formats.initialise()
        formats.start()
        logger = self._library._logger
        return SampleReaderService(config, FormatResolver(formats, logger), logger, owned=[formats])


class DataReaderModuleApi(ModuleApi):
    def create_service(self) -> ApiResult[IDataReaderService]:
        """A data reader (interpolation); feed it with ``set_sample_reader_service``."""
        return self._create("create_service", self._data_reader)

    def _data_reader(self) -> IDataReaderService:
        if self._library.processing_engine() == "native":
            return self._library.backend.create_data_reader_service()
        from ..processing.data_reader import DataReaderService

        return DataReaderService(self._library._logger)
