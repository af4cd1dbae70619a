"""ma.streaming.key_generator.v1.UniqueKeyGeneratorService, and servers that use a remote one."""

from __future__ import annotations

import socket

import grpc
import pytest

from ma_support_lib.protos import api_pb2, key_generator_pb2

from .helpers import (
    Harness,
    ServerFactory,
    create_session,
    is_guid,
    parameter_format,
    utc_ticks,
)


def generate(harness: Harness, key_type: int) -> key_generator_pb2.GenerateUniqueKeyResponse:
    return harness.keys.GenerateUniqueKey(key_generator_pb2.GenerateUniqueKeyRequest(type=key_type))


def test_string_keys_are_guids(server: Harness) -> None:
    responses = [generate(server, key_generator_pb2.KEY_TYPE_STRING) for _ in range(10)]

    assert all(r.WhichOneof("key") == "string_key" for r in responses)
    assert all(is_guid(r.string_key) for r in responses)
    assert len({r.string_key for r in responses}) == 10


def test_ulong_keys_are_increasing_ticks(server: Harness) -> None:
    before = utc_ticks()
    responses = [generate(server, key_generator_pb2.KEY_TYPE_ULONG) for _ in range(100)]
    after = utc_ticks()

    keys = [r.ulong_key for r in responses]
    assert all(r.WhichOneof("key") == "ulong_key" for r in responses)
    assert keys == sorted(set(keys)), "strictly increasing"
    assert before <= keys[0] and keys[-1] <= after


def test_unspecified_key_type_is_refused(server: Harness) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        generate(server, key_generator_pb2.KEY_TYPE_UNSPECIFIED)

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details()


def test_a_server_can_take_its_keys_from_another(make_server: ServerFactory) -> None:
    generator = make_server()
    server = make_server(use_remote_key_generator=True, remote_key_generator_service_address=f"http://{generator.address}")

    first = generate(generator, key_generator_pb2.KEY_TYPE_ULONG).ulong_key
    format_id = parameter_format(server, ["a"])
    last = generate(generator, key_generator_pb2.KEY_TYPE_ULONG).ulong_key

    # one generator, one strictly increasing sequence
    assert first < format_id < last
    assert is_guid(create_session(server).session_key)
    assert generate(server, key_generator_pb2.KEY_TYPE_ULONG).ulong_key > last


def test_a_failing_remote_generator_fails_the_call(make_server: ServerFactory) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    server = make_server(use_remote_key_generator=True, remote_key_generator_service_address=f"127.0.0.1:{closed_port}")

    with pytest.raises(grpc.RpcError) as caught:
        server.sessions.CreateSession(api_pb2.CreateSessionRequest(data_source="Car"))

    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert server.sessions.GetCurrentSessions(api_pb2.GetCurrentSessionsRequest(data_source="Car")).session_keys == []
