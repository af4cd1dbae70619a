"""Session keys and data-format ids, generated locally or by a remote key-generator service.

Local keys follow the reference: a session key is a random GUID in lower-case ``D`` format;
a data-format id is the current UTC time in .NET ticks (100 ns since 0001-01-01), strictly
increasing within the process.
"""

from __future__ import annotations

import abc
import threading
import time
import uuid

import grpc

from ..protos import key_generator_pb2, key_generator_pb2_grpc

#: .NET ticks at the Unix epoch.
UNIX_EPOCH_TICKS = 621_355_968_000_000_000


def utc_ticks() -> int:
    """The current UTC time in .NET ticks."""
    return time.time_ns() // 100 + UNIX_EPOCH_TICKS


class KeyGenerator(abc.ABC):
    """Where new session keys and data-format ids come from."""

    @abc.abstractmethod
    async def string_key(self) -> str: ...

    @abc.abstractmethod
    async def ulong_key(self) -> int: ...

    async def close(self) -> None:
        """Release connections; the default holds none."""


class LocalKeyGenerator(KeyGenerator):
    """GUIDs and strictly increasing tick values, minted in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next_ulong(self) -> int:
        with self._lock:
            self._last = max(utc_ticks(), self._last + 1)
            return self._last

    @staticmethod
    def next_string() -> str:
        return str(uuid.uuid4())

    async def string_key(self) -> str:
        return self.next_string()

    async def ulong_key(self) -> int:
        return self.next_ulong()


class RemoteKeyGenerator(KeyGenerator):
    """Keys from a ``UniqueKeyGeneratorService`` at ``host:port`` (plaintext HTTP/2)."""

    def __init__(self, address: str) -> None:
        target = address.removeprefix("http://")
        self._channel = grpc.aio.insecure_channel(target)
        self._stub = key_generator_pb2_grpc.UniqueKeyGeneratorServiceStub(self._channel)  # type: ignore[no-untyped-call]

    async def _generate(self, key_type: int) -> key_generator_pb2.GenerateUniqueKeyResponse:
        request = key_generator_pb2.GenerateUniqueKeyRequest(type=key_type)  # type: ignore[arg-type]
        response: key_generator_pb2.GenerateUniqueKeyResponse = await self._stub.GenerateUniqueKey(request, timeout=10)
        return response

    async def string_key(self) -> str:
        return (await self._generate(key_generator_pb2.KEY_TYPE_STRING)).string_key

    async def ulong_key(self) -> int:
        return (await self._generate(key_generator_pb2.KEY_TYPE_ULONG)).ulong_key

    async def close(self) -> None:
        await self._channel.close(None)
