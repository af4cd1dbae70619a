"""Read responses whose packets stay serialized.

``RawReadPacketsResponse`` has the wire layout of ``ReadPacketsResponse``, but declares
``PacketResponse.packet`` as ``bytes``: the protobuf runtime hands the packet's bytes over
as they arrived, which is exactly what handlers receive (``PacketBytes.data``), with no
decode and re-encode per packet.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, timestamp_pb2
from google.protobuf.message_factory import GetMessageClass

_FILE = "ma_support_lib/raw_read_responses.proto"
_PACKAGE = "ma_support_lib.raw.v1"


def _register() -> tuple[Any, Any]:
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(_FILE)
    except KeyError:
        field = descriptor_pb2.FieldDescriptorProto
        proto = descriptor_pb2.FileDescriptorProto(
            name=_FILE, package=_PACKAGE, syntax="proto3", dependency=[timestamp_pb2.DESCRIPTOR.name]
        )
        item = proto.message_type.add(name="RawPacketResponse")
        item.field.add(name="packet", number=1, type=field.TYPE_BYTES, label=field.LABEL_OPTIONAL)
        item.field.add(name="stream", number=2, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
        item.field.add(
            name="submit_time",
            number=3,
            type=field.TYPE_MESSAGE,
            label=field.LABEL_OPTIONAL,
            type_name=".google.protobuf.Timestamp",
        )
        batch = proto.message_type.add(name="RawReadPacketsResponse")
        batch.field.add(
            name="response",
            number=1,
            type=field.TYPE_MESSAGE,
            label=field.LABEL_REPEATED,
            type_name=f".{_PACKAGE}.RawPacketResponse",
        )
        pool.Add(proto)
    return (
        GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.RawPacketResponse")),
        GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.RawReadPacketsResponse")),
    )


RawPacketResponse, RawReadPacketsResponse = _register()
