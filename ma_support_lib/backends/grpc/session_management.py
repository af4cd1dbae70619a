"""Session management over the Stream API."""

from __future__ import annotations

import time

import grpc
from collections.abc import Callable, Iterable, Mapping

from ...contracts.session_management.i_session_management_service import ISessionManagementService
from ...contracts.session_management.session_association_info import SessionAssociationInfo
from ...contracts.session_management.session_creation_info import SessionCreationInfo, details_dict
from ...contracts.session_management.session_detail import SessionDetail
from ...contracts.session_management.session_info import SessionInfo
from ...contracts.shared.api_result import ApiResult
from ...core.base.logger import ILogger
from ...core.base.service_base import ServiceBase
from ...protos import api_pb2
from ...server.sessions import ALL_DATA_SOURCES
from .client import StreamApiClient, service_call, unary
from .convert import duration, local_utc_offset, session_info_from_response
from .data_sources import DataSources
from .session_feed import SessionChange, SessionFeed


class GrpcSessionManagementService(ServiceBase, ISessionManagementService):
    """Sessions through ``SessionManagementService``; events from the session feed.

    ``get_all_sessions`` lists every session on our server (which answers the ``*`` data
    source with all of them); on a server that does not, it lists the sessions of every data
    source this library knows of: ``Default``, those it has used, and those in the session feed.
    """

    def __init__(self, client: StreamApiClient, feed: SessionFeed, data_sources: DataSources, logger: ILogger) -> None:
        super().__init__(logger)
        self._client = client
        self._feed = feed
        self._data_sources = data_sources
        self._events_since_ms = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        # Events are forward-only: changes stored before this moment are history.
        self._events_since_ms = int(time.time() * 1000)
        self._feed.add_listener(self._on_change)

    def _on_stop(self) -> None:
        self._feed.remove_listener(self._on_change)

    def _on_change(self, change: SessionChange) -> None:
        if not self.is_started or change.submit_time.timestamp() * 1000 < self._events_since_ms:
            return
        session = change.session
        if change.kind == "started":
            self._data_sources.add(session.data_source)
            if not session.historical:
                self.live_session_started.fire(self, session)
        elif change.kind == "updated":
            if not session.historical:
                self.live_session_state_change.fire(self, session)
        elif change.kind == "ended":
            self.live_session_ended.fire(self, session)
        elif change.kind == "associated":
            try:
                associate = self._info(change.associate_key)
            except grpc.RpcError:
                associate = None
            self.new_association_detected.fire(self, SessionAssociationInfo(session, associate))

    def _info(self, session_key: str) -> SessionInfo | None:
        """The server's view of a session; ``None`` for an unknown key."""
        response = unary(self._client.sessions.GetSessionInfo, api_pb2.GetSessionInfoRequest(session_key=session_key))
        return session_info_from_response(session_key, response) if response.success else None

    # -- calls -------------------------------------------------------------------------------

    def get_all_sessions(self) -> ApiResult[list[SessionInfo]]:
        def call() -> ApiResult[list[SessionInfo]]:
            keys: dict[str, None] = {}
            for data_source in [ALL_DATA_SOURCES, *sorted(self._data_sources.known() | self._feed.data_sources())]:
                listed = unary(
                    self._client.sessions.GetCurrentSessions, api_pb2.GetCurrentSessionsRequest(data_source=data_source)
                )
                keys.update(dict.fromkeys(listed.session_keys))
            sessions = [info for info in map(self._info, keys) if info is not None]
            sessions.sort(key=lambda s: (s.creation_time is None, s.creation_time or 0))
            return ApiResult.ok(sessions)

        return service_call(self, "get_all_sessions", call)

    def create_new_session(self, session_creation_info: SessionCreationInfo) -> ApiResult[SessionInfo]:
        def call() -> ApiResult[SessionInfo]:
            info = session_creation_info
            if not isinstance(info, SessionCreationInfo):
                raise TypeError(f"create_new_session takes a SessionCreationInfo, got {type(info).__name__}")
            request = api_pb2.CreateSessionRequest(
                data_source=info.data_source,
                type=info.type,
                version=info.version,
                utc_offset=duration(info.utc_offset if info.utc_offset is not None else local_utc_offset()),
                identifier=info.identifier,
                associate_session_key=list(info.associate_session_keys or ()),
                details=details_dict(info.details),
            )
            request.creation_time.GetCurrentTime()
            response = unary(self._client.sessions.CreateSession, request)
            if not response.success:
                return ApiResult.fail(f"the server did not create the session in data source {info.data_source!r}")
            self._data_sources.add(info.data_source)
            created = self._info(response.session_key)
            if created is None:
                return ApiResult.fail(f"session {response.session_key} was created but cannot be read back")
            return ApiResult.ok(created)

        return service_call(self, "create_new_session", call)

    def _change(self, action: str, session_key: str, send: Callable[[], bool]) -> ApiResult[SessionInfo]:
        def call() -> ApiResult[SessionInfo]:
            if not session_key:
                return ApiResult.fail(f"{action}: session_key is empty")
            info = self._info(session_key) if send() else None
            if info is None:
                return ApiResult.fail(f"{action}: unknown session key {session_key!r}")
            return ApiResult.ok(info)

        return service_call(self, action, call)

    def end_session(self, data_source: str, session_key: str) -> ApiResult[SessionInfo]:
        request = api_pb2.EndSessionRequest(data_source=data_source, session_key=session_key)
        request.termination_time.GetCurrentTime()
        return self._change(
            "end_session", session_key, lambda: bool(unary(self._client.sessions.EndSession, request).success)
        )

    def get_session_info(self, data_source: str, session_key: str) -> ApiResult[SessionInfo]:
        return self._change("get_session_info", session_key, lambda: True)

    def update_identifier(self, data_source: str, session_key: str, new_identifier: str) -> ApiResult[SessionInfo]:
        request = api_pb2.UpdateSessionIdentifierRequest(session_key=session_key, identifier=new_identifier)
        return self._change(
            "update_identifier",
            session_key,
            lambda: bool(unary(self._client.sessions.UpdateSessionIdentifier, request).success),
        )

    def add_associate_session(self, data_source: str, session_key: str, adding_associate_key: str) -> ApiResult[SessionInfo]:
        request = api_pb2.AddAssociateSessionRequest(session_key=session_key, associate_session_key=adding_associate_key)
        return self._change(
            "add_associate_session",
            session_key,
            lambda: bool(unary(self._client.sessions.AddAssociateSession, request).success),
        )

    def update_session_details(
        self,
        data_source: str,
        session_key: str,
        session_details: Mapping[str, str] | Iterable[SessionDetail | tuple[str, str]],
    ) -> ApiResult[SessionInfo]:
        def send() -> bool:
            request = api_pb2.UpdateSessionDetailsRequest(session_key=session_key, details=details_dict(session_details))
            return bool(unary(self._client.sessions.UpdateSessionDetails, request).success)

        return self._change("update_session_details", session_key, send)
