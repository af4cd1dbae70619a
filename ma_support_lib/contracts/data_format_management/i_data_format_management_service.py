"""Data format ids for parameter lists and events."""

from __future__ import annotations

from abc import abstractmethod

from ..shared.api_result import ApiResult
from ..shared.event import Event
from ..shared.i_service import IService
from .data_format_info import DataFormatInfo
from .event_data_format_info import EventDataFormatInfo
from .parameter_data_format_info import ParameterDataFormatInfo


class IDataFormatManagementService(IService):
    """Get-or-create data format ids and look them up.

    A parameter format id depends on the set of parameters, not their order; the
    ``parameter_list`` returned for an id is the column order packets must use.
    ``data_format_info_updated`` fires for each format this service creates or learns.
    """

    #: Names of the events this interface declares (created by the service base class).
    EVENT_NAMES: tuple[str, ...] = ("data_format_info_updated",)

    data_format_info_updated: Event[DataFormatInfo]

    @abstractmethod
    def get_parameter_data_format_id(
        self, data_source: str, parameter_identifiers: list[str]
    ) -> ApiResult[ParameterDataFormatInfo]: ...

    @abstractmethod
    def get_parameters_list(self, data_source: str, data_format_id: int) -> ApiResult[ParameterDataFormatInfo]: ...

    @abstractmethod
    def get_event_data_format_id(self, data_source: str, event_name: str) -> ApiResult[EventDataFormatInfo]: ...

    @abstractmethod
    def get_event(self, data_source: str, data_format_id: int) -> ApiResult[EventDataFormatInfo]: ...

    @abstractmethod
    def get_data_source_data_format_info(self, data_source: str) -> ApiResult[list[DataFormatInfo]]:
        """Every data format of ``data_source`` this service has seen."""
