"""Data format management over the Stream API, with a per-service cache."""

from __future__ import annotations

import threading

from ...contracts.data_format_management.data_format_info import DataFormatInfo
from ...contracts.data_format_management.data_format_info_type import DataFormatInfoType
from ...contracts.data_format_management.event_data_format_info import EventDataFormatInfo
from ...contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
from ...contracts.data_format_management.parameter_data_format_info import ParameterDataFormatInfo
from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from ...core.base.service_base import ServiceBase
from ...protos import api_pb2, open_data_pb2
from .client import StreamApiClient, service_call, unary
from .data_sources import DataSources

#: How long listing a data source's formats may take.
LISTING_DEADLINE_S = 30.0
_DEFINITION = "DataFormatDefinition"


class GrpcDataFormatManagementService(ServiceBase, IDataFormatManagementService):
    """Formats through ``DataFormatManagerService``.

    Formats never change once created, so answers are cached: repeated look-ups of the
    same parameters or id cost no call. ``data_format_info_updated`` fires the first time
    this service meets a format.
    """

    def __init__(self, client: StreamApiClient, data_sources: DataSources, logger: ILogger) -> None:
        super().__init__(logger)
        self._client = client
        self._data_sources = data_sources
        self._lock = threading.Lock()
        self._parameter_ids: dict[tuple[str, frozenset[str]], int] = {}
        self._parameters: dict[tuple[str, int], list[str]] = {}
        self._event_ids: dict[tuple[str, str], int] = {}
        self._events: dict[tuple[str, int], str] = {}

    def _learn(self, data_source: str, format_id: int, identifiers: list[str], kind: DataFormatInfoType) -> None:
        with self._lock:
            if kind is DataFormatInfoType.PARAMETERS:
                if (data_source, format_id) in self._parameters:
                    return
                self._parameters[(data_source, format_id)] = identifiers
                self._parameter_ids[(data_source, frozenset(identifiers))] = format_id
            else:
                if (data_source, format_id) in self._events:
                    return
                self._events[(data_source, format_id)] = identifiers[0]
                self._event_ids[(data_source, identifiers[0])] = format_id
        self.data_format_info_updated.fire(self, _info(data_source, format_id, identifiers, kind))

    def get_parameter_data_format_id(
        self, data_source: str, parameter_identifiers: list[str]
    ) -> ApiResult[ParameterDataFormatInfo]:
        def call() -> ApiResult[ParameterDataFormatInfo]:
            if isinstance(parameter_identifiers, str) or not parameter_identifiers:
                return ApiResult.fail("get_parameter_data_format_id: give a non-empty list of parameter identifiers")
            names = [str(name) for name in parameter_identifiers]
            cached = self._parameter_ids.get((data_source, frozenset(names)))
            if cached is None:
                response = unary(
                    self._client.data_formats.GetParameterDataFormatId,
                    api_pb2.GetParameterDataFormatIdRequest(data_source=data_source, parameters=names),
                )
                cached = int(response.data_format_identifier)
                self._data_sources.add(data_source)
            return self.get_parameters_list(data_source, cached)

        return service_call(self, "get_parameter_data_format_id", call)

    def get_parameters_list(self, data_source: str, data_format_id: int) -> ApiResult[ParameterDataFormatInfo]:
        def call() -> ApiResult[ParameterDataFormatInfo]:
            format_id = int(data_format_id)
            parameters = self._parameters.get((data_source, format_id))
            if parameters is None:
                response = unary(
                    self._client.data_formats.GetParametersList,
                    api_pb2.GetParametersListRequest(data_source=data_source, data_format_identifier=format_id),
                )
                if not response.parameters:
                    return ApiResult.fail(
                        f"get_parameters_list: no parameter data format {format_id} in data source {data_source!r}"
                    )
                parameters = list(response.parameters)
                self._learn(data_source, format_id, parameters, DataFormatInfoType.PARAMETERS)
            return ApiResult.ok(ParameterDataFormatInfo(format_id, list(parameters), data_source))

        return service_call(self, "get_parameters_list", call)

    def get_event_data_format_id(self, data_source: str, event_name: str) -> ApiResult[EventDataFormatInfo]:
        def call() -> ApiResult[EventDataFormatInfo]:
            if not event_name or not isinstance(event_name, str):
                return ApiResult.fail("get_event_data_format_id: give a non-empty event name")
            format_id = self._event_ids.get((data_source, event_name))
            if format_id is None:
                response = unary(
                    self._client.data_formats.GetEventDataFormatId,
                    api_pb2.GetEventDataFormatIdRequest(data_source=data_source, event=event_name),
                )
                format_id = int(response.data_format_identifier)
                self._data_sources.add(data_source)
                self._learn(data_source, format_id, [event_name], DataFormatInfoType.EVENT)
            return ApiResult.ok(EventDataFormatInfo(data_source, format_id, event_name))

        return service_call(self, "get_event_data_format_id", call)

    def get_event(self, data_source: str, data_format_id: int) -> ApiResult[EventDataFormatInfo]:
        def call() -> ApiResult[EventDataFormatInfo]:
            format_id = int(data_format_id)
            event = self._events.get((data_source, format_id))
            if event is None:
                response = unary(
                    self._client.data_formats.GetEvent,
                    api_pb2.GetEventRequest(data_source=data_source, data_format_identifier=format_id),
                )
                if not response.event:
                    return ApiResult.fail(f"get_event: no event data format {format_id} in data source {data_source!r}")
                event = response.event
                self._learn(data_source, format_id, [event], DataFormatInfoType.EVENT)
            return ApiResult.ok(EventDataFormatInfo(data_source, format_id, event))

        return service_call(self, "get_event", call)

    def get_data_source_data_format_info(self, data_source: str) -> ApiResult[list[DataFormatInfo]]:
        """Every format stored for ``data_source`` (read from its essentials)."""

        def call() -> ApiResult[list[DataFormatInfo]]:
            details = api_pb2.ConnectionDetails(data_source=data_source, main_offset=0, exclude_main_stream=False)
            connection = unary(self._client.connections.NewConnection, api_pb2.NewConnectionRequest(details=details))
            formats: list[DataFormatInfo] = []
            try:
                responses = self._client.reader.ReadEssentials(
                    api_pb2.ReadEssentialsRequest(connection=connection.connection), timeout=LISTING_DEADLINE_S
                )
                for response in responses:
                    for item in response.response:
                        if item.packet.type != _DEFINITION:
                            continue
                        definition = open_data_pb2.DataFormatDefinitionPacket.FromString(item.packet.content)
                        if definition.WhichOneof("format") == "parameter_identifiers":
                            kind = DataFormatInfoType.PARAMETERS
                            names = list(definition.parameter_identifiers.parameter_identifiers)
                        else:
                            kind = DataFormatInfoType.EVENT
                            names = [definition.event_identifier]
                        self._learn(data_source, int(definition.identifier), names, kind)
                        formats.append(_info(data_source, int(definition.identifier), names, kind))
            finally:
                unary(
                    self._client.connections.CloseConnection,
                    api_pb2.CloseConnectionRequest(connection=connection.connection),
                )
            return ApiResult.ok(formats)

        return service_call(self, "get_data_source_data_format_info", call)


def _info(data_source: str, format_id: int, identifiers: list[str], kind: DataFormatInfoType) -> DataFormatInfo:
    return DataFormatInfo(data_source, ",".join(identifiers), [format_id], list(identifiers), kind)
