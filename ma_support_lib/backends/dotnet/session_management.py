"""Session management over the .NET ``ISessionManagementService``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ...contracts.session_management.i_session_management_service import ISessionManagementService
from ...contracts.session_management.session_creation_info import SessionCreationInfo, details_dict
from ...contracts.session_management.session_detail import SessionDetail
from ...contracts.session_management.session_info import SessionInfo
from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from ..checks import check_data_source
from ..grpc.convert import local_utc_offset
from . import frames
from .runtime import DotnetRuntime
from .service import DotnetService, encoded


class DotnetSessionManagementService(DotnetService, ISessionManagementService):
    """Calls go straight to the .NET service; its events come through the facade's recorder."""

    EVENTS = {
        "LiveSessionStarted": "live_session_started",
        "LiveSessionStateChange": "live_session_state_change",
        "LiveSessionEnded": "live_session_ended",
        "NewAssociationDetected": "new_association_detected",
    }

    def __init__(self, runtime: DotnetRuntime, service: Any, logger: ILogger) -> None:
        super().__init__(runtime, service, logger, runtime.bridge.SessionEventRecorder)
        self._codec = runtime.bridge.Codec

    def _session(self, info: Any) -> SessionInfo:
        return frames.session_info(encoded(self._codec.SessionInfo(info)))

    def get_all_sessions(self) -> ApiResult[list[SessionInfo]]:
        return self._call(
            "get_all_sessions",
            self._net.GetAllSessions,
            lambda infos: frames.session_infos(encoded(self._codec.SessionInfos(infos))),
        )

    def create_new_session(self, session_creation_info: SessionCreationInfo) -> ApiResult[SessionInfo]:
        def call() -> Any:
            info = session_creation_info
            if not isinstance(info, SessionCreationInfo):
                raise TypeError(f"create_new_session takes a SessionCreationInfo, got {type(info).__name__}")
            problem = check_data_source(info.data_source)
            if problem is not None:
                raise ValueError(problem)
            details = details_dict(info.details)
            offset = info.utc_offset if info.utc_offset is not None else local_utc_offset()
            dto = self._runtime.bridge.Construction.SessionCreation(
                info.data_source,
                info.identifier,
                info.type,
                int(info.version),
                int(offset.total_seconds() * 10_000_000),
                list(details),
                list(details.values()),
                [str(key) for key in info.associate_session_keys or ()],
            )
            return self._net.CreateNewSession(dto)

        return self._call("create_new_session", call, self._session)

    def _change(self, action: str, session_key: str, call: Callable[[], Any]) -> ApiResult[SessionInfo]:
        def checked() -> Any:
            if not session_key:
                raise ValueError("session_key is empty")
            return call()

        return self._call(action, checked, self._session)

    def end_session(self, data_source: str, session_key: str) -> ApiResult[SessionInfo]:
        return self._change("end_session", session_key, lambda: self._net.EndSession(data_source, session_key))

    def get_session_info(self, data_source: str, session_key: str) -> ApiResult[SessionInfo]:
        return self._change("get_session_info", session_key, lambda: self._net.GetSessionInfo(data_source, session_key))

    def update_identifier(self, data_source: str, session_key: str, new_identifier: str) -> ApiResult[SessionInfo]:
        return self._change(
            "update_identifier", session_key, lambda: self._net.UpdateIdentifier(data_source, session_key, new_identifier)
        )

    def add_associate_session(self, data_source: str, session_key: str, adding_associate_key: str) -> ApiResult[SessionInfo]:
        return self._change(
            "add_associate_session",
            session_key,
            lambda: self._net.AddAssociateSession(data_source, session_key, adding_associate_key),
        )

    def update_session_details(
        self,
        data_source: str,
        session_key: str,
        session_details: Mapping[str, str] | Iterable[SessionDetail | tuple[str, str]],
    ) -> ApiResult[SessionInfo]:
        def call() -> Any:
            details = details_dict(session_details)
            dtos = self._runtime.bridge.Construction.Details(list(details), list(details.values()))
            return self._net.UpdateSessionDetails(data_source, session_key, dtos)

        return self._change("update_session_details", session_key, call)

