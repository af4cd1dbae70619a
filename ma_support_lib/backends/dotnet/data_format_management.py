"""Data format management over the .NET ``IDataFormatManagementService``."""

from __future__ import annotations

from typing import Any

from ...contracts.data_format_management.data_format_info import DataFormatInfo
from ...contracts.data_format_management.event_data_format_info import EventDataFormatInfo
from ...contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
from ...contracts.data_format_management.parameter_data_format_info import ParameterDataFormatInfo
from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from . import frames
from .runtime import DotnetRuntime
from .service import DotnetService, encoded


def _parameters(info: Any) -> ParameterDataFormatInfo:
    return ParameterDataFormatInfo(int(info.DataFormatId), [str(name) for name in info.ParameterList], str(info.DataSource))


def _event(info: Any) -> EventDataFormatInfo:
    return EventDataFormatInfo(str(info.DataSource), int(info.DataFormatId), str(info.EventName))


class DotnetDataFormatManagementService(DotnetService, IDataFormatManagementService):
    """Calls go straight to the .NET service; ``DataFormatInfoUpdated`` arrives through the
    facade's recorder (before the call that raised it returns)."""

    EVENTS = {"DataFormatInfoUpdated": "data_format_info_updated"}

    def __init__(self, runtime: DotnetRuntime, service: Any, logger: ILogger) -> None:
        super().__init__(runtime, service, logger, runtime.bridge.DataFormatEventRecorder)

    def get_parameter_data_format_id(
        self, data_source: str, parameter_identifiers: list[str]
    ) -> ApiResult[ParameterDataFormatInfo]:
        def call() -> Any:
            if isinstance(parameter_identifiers, str) or not parameter_identifiers:
                raise ValueError("give a non-empty list of parameter identifiers")
            names = self._runtime.bridge.Construction.Strings([str(name) for name in parameter_identifiers])
            return self._net.GetParameterDataFormatId(data_source, names)

        return self._call("get_parameter_data_format_id", call, _parameters)

    def get_parameters_list(self, data_source: str, data_format_id: int) -> ApiResult[ParameterDataFormatInfo]:
        return self._call(
            "get_parameters_list", lambda: self._net.GetParametersList(data_source, int(data_format_id)), _parameters
        )

    def get_event_data_format_id(self, data_source: str, event_name: str) -> ApiResult[EventDataFormatInfo]:
        def call() -> Any:
            if not event_name or not isinstance(event_name, str):
                raise ValueError("give a non-empty event name")
            return self._net.GetEventDataFormatId(data_source, event_name)

        return self._call("get_event_data_format_id", call, _event)

    def get_event(self, data_source: str, data_format_id: int) -> ApiResult[EventDataFormatInfo]:
        return self._call("get_event", lambda: self._net.GetEvent(data_source, int(data_format_id)), _event)

    def get_data_source_data_format_info(self, data_source: str) -> ApiResult[list[DataFormatInfo]]:
        codec = self._runtime.bridge.Codec
        return self._call(
            "get_data_source_data_format_info",
            lambda: self._net.GetDataSourceDataFormatInfo(data_source),
            lambda infos: frames.data_format_infos(encoded(codec.DataFormatInfos(infos))),
        )
