"""The session choreography of a writer: start, configure, mark, describe, stream data, end."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from ma_support_lib.contracts.data_format_management.i_data_format_management_service import (
    IDataFormatManagementService,
)
from ma_support_lib.contracts.packet_writing.i_packet_writer_service import IPacketWriterService
from ma_support_lib.contracts.packet_writing.info_type import InfoType
from ma_support_lib.contracts.packet_writing.packet_bytes import PacketBytes
from ma_support_lib.contracts.session_management.i_session_management_service import ISessionManagementService
from ma_support_lib.contracts.session_management.session_creation_info import SessionCreationInfo
from ma_support_lib.contracts.session_management.session_info import SessionInfo
from ma_support_lib.core.base.logger import ILogger
from ma_support_lib.protos.open_data_pb2 import (
    ConfigurationPacket,
    DataType,
    EndOfSessionPacket,
    GroupDefinition,
    MarkerPacket,
    NewSessionPacket,
    Packet,
    ParameterDefinition,
    SessionInfoPacket,
)

from .packet_id_generator import PacketIdGenerator
from .periodic_packet_generator import PeriodicPacketGenerator

PARAMETER = "Sin:MyApp"
DATA_STREAM = "Stream1"
FREQUENCY_HZ = 100


class MockDataWriter:
    """Writes one session of ``packets`` PeriodicData packets of the ``Sin:MyApp`` sine wave.

    Like the official sample: NewSession on every stream, a Configuration packet (ATLAS
    needs it), an "Out Lap" marker, a SessionInfo update with a detail, the data on
    ``Stream1``, then EndOfSession on every stream and ``end_session``. ``before_end``, if
    set, is called once the data is written, before the session is ended.
    """

    def __init__(
        self,
        packet_writer_service: IPacketWriterService,
        data_format_management_service: IDataFormatManagementService,
        session_management_service: ISessionManagementService,
        logger: ILogger,
        packets: int = 100,
        real_time: bool = True,
        data_source: str = "Default",
    ) -> None:
        self._writer = packet_writer_service
        self._formats = data_format_management_service
        self._sessions = session_management_service
        self._logger = logger
        self._ids = PacketIdGenerator()
        self._streams = ["", DATA_STREAM]
        self._packets = packets
        self._real_time = real_time
        self._data_source = data_source
        self.before_end: Callable[[], None] | None = None

    def create_start_write_and_end_mock_session(self) -> SessionInfo | None:
        offset = datetime.datetime.now().astimezone().utcoffset()
        created = self._sessions.create_new_session(
            SessionCreationInfo(self._data_source, "SupportLibrarySession", "Session", 1, offset, [], [])
        )
        if not created.success or created.data is None:
            self._logger.error(f"Failed to create a session: {created.message}")
            return None
        session = created.data
        self._logger.info(f"Created session {session.session_key}")
        try:
            self._write_session(session)
            if self.before_end is not None:
                self.before_end()
        finally:
            self._end_session(session)
        return session

    def _write_session(self, session: SessionInfo) -> None:
        self._start_session(session)
        if not self._send(session, "", "Configuration", _configuration(), essential=True):
            self._logger.error("Failed to send the configuration packet")
            return
        format_result = self._formats.get_parameter_data_format_id(session.data_source, [PARAMETER])
        if not format_result.success or format_result.data is None:
            self._logger.error(f"Failed to get a data format id: {format_result.message}")
            return
        first_timestamp = time.time_ns()
        lap = MarkerPacket(
            timestamp=first_timestamp, label="Out Lap", type="Lap Trigger", description="Out Lap Marker", source="0", value=1
        )
        self._send(session, "", "Marker", lap.SerializeToString())
        details = SessionInfoPacket(
            data_source=session.data_source,
            identifier=session.identifier,
            type=session.type,
            version=session.version,
            details={"Test Detail": "Test Value"},
        )
        info_packet = self._packet(session, "SessionInfo", details.SerializeToString())
        self._writer.write_info(PacketBytes(info_packet.SerializeToString()), InfoType.SESSION_INFO)
        generator = PeriodicPacketGenerator(
            FREQUENCY_HZ, format_result.data.data_format_id, first_timestamp, real_time=self._real_time
        )
        for index in range(self._packets):
            periodic = generator.generate_packets()
            if not self._send(session, DATA_STREAM, "PeriodicData", periodic.SerializeToString()):
                return
            self._logger.info(f"Wrote packet {index + 1}/{self._packets}")

    def _start_session(self, session: SessionInfo) -> None:
        start = NewSessionPacket(
            data_source=session.data_source,
            utc_offset=session.utc_offset,
            session_info=SessionInfoPacket(
                identifier=session.identifier,
                type=session.type,
                version=session.version,
                details=session.details,
                associate_session_keys=session.associate_session_keys,
            ),
        )
        for stream in self._streams:
            self._send(session, stream, "NewSession", start.SerializeToString())

    def _end_session(self, session: SessionInfo) -> None:
        end = EndOfSessionPacket(data_source=session.data_source).SerializeToString()
        for stream in self._streams:
            self._send(session, stream, "EndOfSession", end)
        flushed = self._writer.flush(60)
        if not flushed.success:
            self._logger.error(f"Some packets were not stored: {flushed.message}")
        ended = self._sessions.end_session(session.data_source, session.session_key)
        self._logger.info(f"Ended session {session.session_key}: {'ok' if ended.success else ended.message}")

    def _packet(self, session: SessionInfo, packet_type: str, content: bytes, essential: bool = False) -> Packet:
        return Packet(
            type=packet_type,
            session_key=session.session_key,
            is_essential=essential,
            content=content,
            id=self._ids.get_packet_id(),
        )

    def _send(self, session: SessionInfo, stream: str, packet_type: str, content: bytes, essential: bool = False) -> bool:
        packet = self._packet(session, packet_type, content, essential)
        result = self._writer.write_data(
            session.data_source, stream, session.session_key, PacketBytes(packet.SerializeToString())
        )
        if not result.success:
            self._logger.error(f"Failed to write a {packet_type} packet: {result.message}")
        return result.success


def _configuration() -> bytes:
    parameter = ParameterDefinition(
        identifier=PARAMETER,
        name="Sin",
        application_name="MyApp",
        description="Sine Wave",
        units="test unit",
        data_type=DataType.DATA_TYPE_FLOAT64,
        format_string="%5.2f",
        min_value=-1,
        max_value=1,
        warning_min_value=-1,
        warning_max_value=1,
        frequencies=[FREQUENCY_HZ],
    )
    group = GroupDefinition(identifier="MyApp", name="MyApp", application_name="MyApp", description="MyApp")
    return ConfigurationPacket(
        config_id="ConfigPacket", parameter_definitions=[parameter], group_definitions=[group]
    ).SerializeToString()
