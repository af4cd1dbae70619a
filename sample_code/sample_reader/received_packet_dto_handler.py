"""A packet handler that prints the samples of one parameter."""

from __future__ import annotations

from ma_support_lib.contracts.data_format_management.i_data_format_management_service import (
    IDataFormatManagementService,
)
from ma_support_lib.contracts.packet_reading.received_packet_dto import ReceivedPacketDto
from ma_support_lib.contracts.shared.i_handler import IHandler
from ma_support_lib.core.base.logger import ILogger
from ma_support_lib.protos.open_data_pb2 import Packet, PeriodicDataPacket


class ReceivedPacketDtoHandler(IHandler[ReceivedPacketDto]):
    """Decodes PeriodicData packets and logs every sample of ``parameter``.

    Columns map to parameters through the packet's inline identifiers or, for a data format
    id, through the data format service's parameter list (the canonical column order).
    """

    def __init__(
        self, data_format_management_service: IDataFormatManagementService, logger: ILogger, parameter: str = "Sin:MyApp"
    ) -> None:
        self._formats = data_format_management_service
        self._logger = logger
        self._parameter = parameter
        self.samples_seen = 0

    def handle(self, obj: ReceivedPacketDto) -> None:
        packet = Packet.FromString(obj.packet_bytes.data)
        if packet.type != "PeriodicData":
            return
        periodic = PeriodicDataPacket.FromString(packet.content)
        if periodic.data_format.WhichOneof("format") == "parameter_identifiers":
            parameters = list(periodic.data_format.parameter_identifiers.parameter_identifiers)
        else:
            result = self._formats.get_parameters_list(obj.data_source, periodic.data_format.data_format_identifier)
            if not result.success or result.data is None:
                self._logger.error(f"Failed to get the parameters of a packet: {result.message}")
                return
            parameters = result.data.parameter_list
        if len(parameters) != len(periodic.columns):
            self._logger.error(f"{len(periodic.columns)} columns for {len(parameters)} parameters; packet skipped")
            return
        for parameter, column in zip(parameters, periodic.columns):
            if parameter != self._parameter or column.WhichOneof("list") != "double_samples":
                continue
            for index, sample in enumerate(column.double_samples.samples):
                timestamp = periodic.start_time + index * periodic.interval
                self.samples_seen += 1
                self._logger.info(f"Sample {parameter}: Timestamp {timestamp} -> {sample.value:+.4f} Status: {sample.status}")
