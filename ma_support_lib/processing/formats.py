"""Data format ids of sample and event packets resolved through a data format service."""

from __future__ import annotations

import threading

from ..contracts.data_format_management.i_data_format_management_service import IDataFormatManagementService
from ..core.base.logger import ILogger
from ..packets.data_format import DataFormat


class FormatResolver:
    """Parameter lists and event identifiers by ``(data_source, id)``, asked once each.

    A lookup that fails is logged once and asked again next time (the format may be
    defined later); without a service only inline formats resolve.
    """

    def __init__(self, service: IDataFormatManagementService | None, logger: ILogger) -> None:
        self._service = service
        self._logger = logger
        self._parameters: dict[tuple[str, int], tuple[str, ...]] = {}
        self._events: dict[tuple[str, int], str] = {}
        self._reported: set[tuple[str, str, int]] = set()
        self._lock = threading.Lock()

    def parameters(self, data_source: str, data_format: DataFormat) -> tuple[str, ...] | None:
        if isinstance(data_format, tuple):
            return data_format
        if data_format is None:
            self._report("parameters", data_source, -1, "the packet has no data format")
            return None
        key = (data_source, data_format)
        found = self._parameters.get(key)
        if found is None and self._service is not None:
            result = self._service.get_parameters_list(data_source, data_format)
            if result.success and result.data is not None:
                found = self._parameters[key] = tuple(result.data.parameter_list)
            else:
                self._report("parameters", data_source, data_format, result.message)
        elif found is None:
            self._report("parameters", data_source, data_format, "no data format service to look it up")
        return found

    def event(self, data_source: str, format_id: int) -> str | None:
        key = (data_source, format_id)
        found = self._events.get(key)
        if found is None and self._service is not None:
            result = self._service.get_event(data_source, format_id)
            if result.success and result.data is not None:
                found = self._events[key] = result.data.event_name
            else:
                self._report("event", data_source, format_id, result.message)
        return found

    def _report(self, kind: str, data_source: str, format_id: int, why: str) -> None:
        with self._lock:
            if (kind, data_source, format_id) in self._reported:
                return
            self._reported.add((kind, data_source, format_id))
        self._logger.error(f"sample reader: {kind} of data format {format_id} in {data_source!r} unknown ({why}); its packets are skipped")
