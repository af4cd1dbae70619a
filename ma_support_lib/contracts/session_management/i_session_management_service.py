"""Creating, ending, querying and updating sessions."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping

from ..shared.api_result import ApiResult
from ..shared.event import Event
from ..shared.i_service import IService
from .session_association_info import SessionAssociationInfo
from .session_creation_info import SessionCreationInfo
from .session_detail import SessionDetail
from .session_info import SessionInfo


class ISessionManagementService(IService):
    """Session management.

    Events fire only for changes after ``start()``: ``live_session_started``,
    ``live_session_state_change`` (identifier or details of a live session changed),
    ``live_session_ended`` (its argument has ``historical=True``) and
    ``new_association_detected``.
    """

    #: Names of the events this interface declares (created by the service base class).
    EVENT_NAMES: tuple[str, ...] = (
        "live_session_started",
        "live_session_state_change",
        "live_session_ended",
        "new_association_detected",
    )

    live_session_started: Event[SessionInfo]
    live_session_state_change: Event[SessionInfo]
    live_session_ended: Event[SessionInfo]
    new_association_detected: Event[SessionAssociationInfo]

    @abstractmethod
    def get_all_sessions(self) -> ApiResult[list[SessionInfo]]:
        """Every known session, live and historical, oldest first."""

    @abstractmethod
    def create_new_session(self, session_creation_info: SessionCreationInfo) -> ApiResult[SessionInfo]:
        """Create a session; the library generates its key."""

    @abstractmethod
    def end_session(self, data_source: str, session_key: str) -> ApiResult[SessionInfo]:
        """Mark a session as ended (historical)."""

    @abstractmethod
    def get_session_info(self, data_source: str, session_key: str) -> ApiResult[SessionInfo]: ...

    @abstractmethod
    def update_identifier(self, data_source: str, session_key: str, new_identifier: str) -> ApiResult[SessionInfo]: ...

    @abstractmethod
    def add_associate_session(
        self, data_source: str, session_key: str, adding_associate_key: str
    ) -> ApiResult[SessionInfo]: ...

    @abstractmethod
    def update_session_details(
        self,
        data_source: str,
        session_key: str,
        session_details: Mapping[str, str] | Iterable[SessionDetail | tuple[str, str]],
    ) -> ApiResult[SessionInfo]:
        """Merge details: existing keys are overwritten, new keys added."""
