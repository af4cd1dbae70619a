"""The ``SampleDataFormat`` of a sample packet: a data format id or a parameter list."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Union

from google.protobuf.message import DecodeError

from ..protos import open_data_pb2
from ..wire import varint
from .errors import PacketBuildError, PacketDecodeError

#: What a builder accepts: a data format id, parameter identifiers, or None to leave it out.
DataFormatLike = Union[int, Sequence[str], None]
#: What a decoder returns: the id, the parameter identifiers, or None when the packet has none.
DataFormat = Union[int, tuple[str, ...], None]

_FIELD_TAG = b"\x0a"


def data_format_field(data_format: DataFormatLike) -> bytes:
    """Field 1 of a sample packet (empty for None)."""
    if data_format is None:
        return b""
    if isinstance(data_format, (str, bytes)):
        raise PacketBuildError("data_format must be an int id or a sequence of parameter identifiers, not a string")
    message = open_data_pb2.SampleDataFormat()
    if isinstance(data_format, Sequence):
        identifiers = list(data_format)
        for name in identifiers:
            if not isinstance(name, str):
                raise PacketBuildError(f"parameter identifiers must be str, got {type(name).__name__}")
        try:
            message.parameter_identifiers.parameter_identifiers.extend(identifiers)
        except ValueError as error:  # not valid UTF-8 (lone surrogates)
            raise PacketBuildError(f"parameter identifier is not valid text: {error}") from None
        message.parameter_identifiers.SetInParent()
    else:
        try:
            identifier = operator.index(data_format)
        except TypeError:
            raise PacketBuildError(
                f"data_format must be an int id or a sequence of str, got {type(data_format).__name__}"
            ) from None
        if not 0 <= identifier < 1 << 64:
            raise PacketBuildError(f"data format id {identifier} is outside uint64")
        message.data_format_identifier = identifier
    content = message.SerializeToString()
    return _FIELD_TAG + varint(len(content)) + content


def parse_data_format(content: bytes) -> DataFormat:
    """The data format held by a serialized ``SampleDataFormat``."""
    try:
        message = open_data_pb2.SampleDataFormat.FromString(content)
    except DecodeError as error:
        raise PacketDecodeError(f"malformed data format: {error}") from None
    return data_format_of(message)


def data_format_of(message: open_data_pb2.SampleDataFormat) -> DataFormat:
    """The data format held by a parsed ``SampleDataFormat``."""
    which = message.WhichOneof("format")
    if which == "data_format_identifier":
        return int(message.data_format_identifier)
    if which == "parameter_identifiers":
        return tuple(message.parameter_identifiers.parameter_identifiers)
    return None
