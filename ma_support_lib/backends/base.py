"""The seam between the public services and what carries their calls."""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..errors import ConfigurationError

from ..contracts.buffering.buffering_configuration import BufferingConfiguration
from ..contracts.buffering.i_sample_reader_service import ISampleReaderService
from ..contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
from ..contracts.interpolation.i_data_reader_service import IDataReaderService
from ..contracts.packet_reading.i_packet_reader_service import IPacketReaderService
from ..contracts.packet_reading.packet_reading_configuration import PacketReadingConfiguration
from ..contracts.packet_writing.i_packet_writer_service import IPacketWriterService
from ..contracts.session_management.i_session_management_service import ISessionManagementService


class Backend(ABC):
    """Opens the connection to the streaming system and creates services over it.

    ``open`` raises ``BackendUnavailableError`` or ``ConfigurationError`` with a message
    that says what to do; ``close`` ends what ``open`` started.
    """

    name: str
    #: The processing engine used when the configuration names none (see :mod:`.processing`).
    default_processing = "python"

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def create_session_management_service(self) -> ISessionManagementService: ...

    @abstractmethod
    def create_data_format_management_service(self) -> IDataFormatManagementService: ...

    @abstractmethod
    def create_packet_reader_service(self, configuration: PacketReadingConfiguration) -> IPacketReaderService: ...

    @abstractmethod
    def create_packet_writer_service(self) -> IPacketWriterService: ...

    def create_sample_reader_service(self, configuration: BufferingConfiguration) -> ISampleReaderService:
        """The backend's own sample reader (``processing="native"``)."""
        raise self._no_native("sample reader")

    def create_data_reader_service(self) -> IDataReaderService:
        """The backend's own data reader (``processing="native"``)."""
        raise self._no_native("data reader")

    def _no_native(self, what: str) -> ConfigurationError:
        return ConfigurationError(
            f"processing='native' asks for the {self.name} backend's own {what}, and it has none; "
            "use processing='python' (the numpy engine) or a backend with native processing (dotnet)"
        )
