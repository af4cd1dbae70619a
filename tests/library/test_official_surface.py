"""The official package's module paths and names exist under ``ma_support_lib``."""

from __future__ import annotations

import datetime
import importlib

import pytest

from ma_support_lib.contracts.packet_reading.packet_reading_type import PacketReadingType
from ma_support_lib.contracts.packet_writing.info_type import InfoType
from ma_support_lib.contracts.shared.api_result import ApiResult
from ma_support_lib.contracts.shared.stream_creation_strategy import StreamCreationStrategy
from ma_support_lib.protos import open_data_pb2

OFFICIAL_NAMES = {
    "core.base.support_library_bootstrapper": ["SupportLibraryBootstrapper"],
    "core.base.logger": ["Logger", "ILogger"],
    "contracts.shared.stream_api_configuration": ["StreamingApiConfiguration"],
    "contracts.shared.stream_creation_strategy": ["StreamCreationStrategy"],
    "contracts.shared.api_result": ["ApiResult"],
    "contracts.shared.i_handler": ["IHandler"],
    "contracts.session_management.i_session_management_service": ["ISessionManagementService"],
    "contracts.session_management.session_creation_info": ["SessionCreationInfo"],
    "contracts.session_management.session_info": ["SessionInfo"],
    "contracts.session_management.session_association_info": ["SessionAssociationInfo"],
    "contracts.data_format_management.i_data_format_management_service": ["IDataFormatManagementService"],
    "contracts.data_format_management.parameter_data_format_info": ["ParameterDataFormatInfo"],
    "contracts.data_format_management.event_data_format_info": ["EventDataFormatInfo"],
    "contracts.data_format_management.data_format_info": ["DataFormatInfo"],
    "contracts.data_format_management.data_format_info_type": ["DataFormatInfoType"],
    "contracts.packet_reading.packet_reading_configuration": ["PacketReadingConfiguration"],
    "contracts.packet_reading.packet_reading_type": ["PacketReadingType"],
    "contracts.packet_reading.received_packet_dto": ["ReceivedPacketDto"],
    "contracts.packet_reading.i_packet_reader_service": ["IPacketReaderService"],
    "contracts.packet_reading.stream_info": ["StreamInfo"],
    "contracts.packet_reading.coverage_cursor_info": ["CoverageCursorInfo"],
    "contracts.packet_reading.i_handler": ["IHandler"],
    "contracts.packet_writing.i_packet_writer_service": ["IPacketWriterService"],
    "contracts.packet_writing.packet_bytes": ["PacketBytes"],
    "contracts.packet_writing.info_type": ["InfoType"],
    "protos.open_data_pb2": [
        "Packet", "PeriodicDataPacket", "MarkerPacket", "SessionInfoPacket", "ParameterDefinition", "DataType",
        "GroupDefinition", "ConfigurationPacket", "NewSessionPacket", "EndOfSessionPacket", "DoubleSample",
        "DataStatus", "SampleDataFormat", "SampleColumn", "DoubleSampleList", "EventPacket",
    ],
}


@pytest.mark.parametrize("module", sorted(OFFICIAL_NAMES))
def test_official_module_paths_export_their_names(module: str) -> None:
    imported = importlib.import_module(f"ma_support_lib.{module}")
    for name in OFFICIAL_NAMES[module]:
        assert hasattr(imported, name), f"{module} lacks {name}"


def test_enum_members_and_values() -> None:
    assert (StreamCreationStrategy.PARTITION_BASE, StreamCreationStrategy.TOPIC_BASE) == (1, 2)
    assert StreamCreationStrategy.STREAM_BASE is StreamCreationStrategy.PARTITION_BASE
    assert (PacketReadingType.LIVE, PacketReadingType.HISTORIC, PacketReadingType.BOTH) == (0, 1, 2)
    assert (InfoType.UNSPECIFIED, InfoType.SESSION_INFO, InfoType.SYSTEM_STATUS) == (0, 1, 2)


def test_generics_are_subscriptable_as_the_samples_use_them() -> None:
    from ma_support_lib.contracts.packet_reading.received_packet_dto import ReceivedPacketDto
    from ma_support_lib.contracts.session_management.session_info import SessionInfo
    from ma_support_lib.contracts.shared.i_handler import IHandler

    class Handler(IHandler[ReceivedPacketDto]):
        def handle(self, obj: ReceivedPacketDto) -> None:
            pass

    Handler().handle(None)  # type: ignore[arg-type]
    assert ApiResult[SessionInfo | None] is not None


def test_the_samples_protobuf_idioms_work() -> None:
    """A timedelta in a Duration field, a dict in a map field, ``None`` for unset messages."""
    offset = datetime.timedelta(hours=1)
    packet = open_data_pb2.NewSessionPacket(
        data_source="Default",
        utc_offset=offset,
        session_info=open_data_pb2.SessionInfoPacket(details={"a": "b"}, associate_session_keys=[]),
    )
    assert packet.utc_offset.ToTimedelta() == offset
    open_data_pb2.ParameterDefinition(identifier="Sin:MyApp", conversion=None, formula=None)
