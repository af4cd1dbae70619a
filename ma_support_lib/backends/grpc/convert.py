"""Between the library's DTOs and the Stream API's protobuf messages."""

from __future__ import annotations

import datetime

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from ...contracts.session_management.session_info import SessionInfo
from ...protos import api_pb2, open_data_pb2

UTC = datetime.timezone.utc


def duration(value: datetime.timedelta) -> Duration:
    message = Duration()
    message.FromTimedelta(value)
    return message


def local_utc_offset() -> datetime.timedelta:
    return datetime.datetime.now().astimezone().utcoffset() or datetime.timedelta(0)


def optional_datetime(message: object, field: str) -> datetime.datetime | None:
    """A ``Timestamp`` field as an aware UTC datetime, ``None`` when unset."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    stamp: Timestamp = getattr(message, field)
    return stamp.ToDatetime(tzinfo=UTC)


def session_info_from_response(session_key: str, response: api_pb2.GetSessionInfoResponse) -> SessionInfo:
    return SessionInfo(
        session_key=session_key,
        data_source=response.data_source,
        identifier=response.identifier,
        type=response.type,
        version=response.version,
        utc_offset=response.utc_offset.ToTimedelta(),
        details=dict(response.details),
        associate_session_keys=list(response.associate_session_keys),
        historical=response.is_complete,
        streams=list(response.streams),
        creation_time=optional_datetime(response, "creation_time"),
        termination_time=optional_datetime(response, "termination_time"),
    )


def session_info_from_packet(
    session_key: str,
    data_source: str,
    info: open_data_pb2.SessionInfoPacket,
    utc_offset: datetime.timedelta,
    historical: bool,
) -> SessionInfo:
    """A :class:`SessionInfo` from what the ``SessionInfo`` topic says about a session."""
    return SessionInfo(
        session_key=session_key,
        data_source=data_source,
        identifier=info.identifier,
        type=info.type,
        version=info.version,
        utc_offset=utc_offset,
        details=dict(info.details),
        associate_session_keys=list(info.associate_session_keys),
        historical=historical,
        creation_time=optional_datetime(info, "creation_time"),
        termination_time=optional_datetime(info, "termination_time"),
    )
