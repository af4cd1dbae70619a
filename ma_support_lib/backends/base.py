"""The seam between the public services and what carries their calls."""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
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
