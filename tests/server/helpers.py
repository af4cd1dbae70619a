"""What the end-to-end tests share: a real Stream API server on a real port, real gRPC clients,
and a view of the log underneath.

Every server runs on a log the fixture opens and wraps in :class:`TrackedLog`, which passes
every call through and remembers what the server appended and which subscriptions it opened
(so a test can wait until a read stream is really subscribed, or check that one was closed).
Tests read the log directly from their own thread (the embedded logs are thread-safe).

Timeouts: every unary call has a deadline of :data:`CALL_TIMEOUT`, every stream one of
:data:`STREAM_TIMEOUT`, and every wait is bounded by :data:`WAIT`, so a bug shows up as a
failure, never as a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import grpc

from ma_support_lib.log import Log, ProducerRecord, Record, RecordMetadata, Subscription, TopicPartition
from ma_support_lib.protos import api_pb2, api_pb2_grpc, key_generator_pb2_grpc, open_data_pb2
from ma_support_lib.server import PartitionMapping, ServerConfig, running_server
from ma_support_lib.server.app import StreamApiServer

T = TypeVar("T")

#: Deadline of every unary call.
CALL_TIMEOUT = 10.0
#: Deadline of every streaming call (tests cancel their streams long before).
STREAM_TIMEOUT = 30.0
#: Upper bound for anything that should happen "at once" or "soon".
WAIT = 5.0
#: Upper bound for stopping a server whose clients are gone (its grace period is 5 s).
STOP_LIMIT = 3.0

#: Every log the behaviour tests run against; ``{tmp}`` becomes a fresh directory, ``{kafka}``
#: a fresh topic namespace on the test Kafka cluster.
BROKER_URLS = ["memory://", "file://{tmp}", "{kafka}"]


def broker_kind(url: str) -> str:
    return "kafka" if url == "{kafka}" else url.split("://", 1)[0]

DATA_SOURCE = "Car"
#: The partition mappings of the reference's sample AppConfig.
MAPPINGS = (PartitionMapping("Stream1", 1), PartitionMapping("Stream2", 2))

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: .NET ticks (100 ns since 0001-01-01) at the Unix epoch.
UNIX_EPOCH_TICKS = 621_355_968_000_000_000

_STREAMING_METHODS = {
    "ReadPackets",
    "ReadDataPackets",
    "ReadEssentials",
    "GetSessionStartNotification",
    "GetSessionStopNotification",
}


def utc_ticks() -> int:
    return time.time_ns() // 100 + UNIX_EPOCH_TICKS


def wait_until(condition: Callable[[], T], what: str, timeout: float = WAIT) -> T:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.002)


# -- the tracked log ------------------------------------------------------------------------------


class TrackedSubscription(Subscription):
    """A subscription the server opened; remembers where it started and whether it closed."""

    def __init__(self, inner: Subscription, start: dict[TopicPartition, int], group: str | None) -> None:
        self._inner = inner
        self.start = dict(start)
        self.group = group
        self.committed: dict[TopicPartition, int] | None = None

    async def poll(self, max_records: int = 10_000, timeout: float | None = None) -> list[Record]:
        return await self._inner.poll(max_records, timeout)

    def positions(self) -> dict[TopicPartition, int]:
        return self._inner.positions()

    async def commit(self) -> None:
        """Commit, and remember the positions committed last."""
        positions = self._inner.positions()
        await self._inner.commit()
        self.committed = positions

    async def close(self) -> None:
        await self._inner.close()

    @property
    def closed(self) -> bool:
        return self._inner.closed

    def covers(self, topic: str, partition: int = 0) -> bool:
        return TopicPartition(topic, partition) in self.start


class TrackedLog(Log):
    """Passes every call to ``inner`` and records appends and subscriptions."""

    def __init__(self, inner: Log) -> None:
        self.inner = inner
        self.url = inner.url
        self.subscriptions: list[TrackedSubscription] = []
        self.appends: list[list[ProducerRecord]] = []
        self._lock = threading.Lock()

    async def create_topic(self, topic: str, partitions: int) -> bool:
        return await self.inner.create_topic(topic, partitions)

    async def list_topics(self) -> dict[str, int]:
        return await self.inner.list_topics()

    def append(self, records: Sequence[ProducerRecord]) -> Awaitable[list[RecordMetadata]]:
        with self._lock:
            self.appends.append(list(records))
        return self.inner.append(records)

    async def watermarks(self, tp: TopicPartition) -> tuple[int, int]:
        return await self.inner.watermarks(tp)

    async def availability(self, timeout: float) -> str | None:
        return await self.inner.availability(timeout)

    def subscribe(self, start: dict[TopicPartition, int], group: str | None = None) -> Subscription:
        subscription = TrackedSubscription(self.inner.subscribe(start, group), start, group)
        with self._lock:
            self.subscriptions.append(subscription)
        return subscription

    async def close(self) -> None:
        """The fixture owns the inner log and closes it after the server stopped."""

    def appended(self) -> list[ProducerRecord]:
        """Every record the server appended, in call order."""
        with self._lock:
            return [record for batch in self.appends for record in batch]

    def mark(self) -> int:
        with self._lock:
            return len(self.subscriptions)

    def wait_subscription(
        self, predicate: Callable[[TrackedSubscription], bool], since: int = 0, what: str = "a read subscription"
    ) -> TrackedSubscription:
        """The first subscription opened after ``since`` that matches ``predicate``."""

        def find() -> TrackedSubscription | None:
            with self._lock:
                candidates = self.subscriptions[since:]
            return next((s for s in candidates if predicate(s)), None)

        return wait_until(find, what)


def run_on_log(body: Awaitable[T]) -> T:
    """Run a coroutine that uses a log from the test thread.

    (Not ``asyncio.run``: on Python 3.11 it formats the task, result included, which takes
    seconds for records of many megabytes.)
    """

    async def main() -> T:
        return await body

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


def read_partition(log: Log, tp: TopicPartition) -> list[Record]:
    """Every record of one partition, up to its high watermark at call time (none if the
    partition does not exist)."""

    async def body() -> list[Record]:
        if (await log.list_topics()).get(tp.topic, 0) <= tp.partition:
            return []
        _, high = await log.watermarks(tp)
        if high == 0:
            return []
        out: list[Record] = []
        async with log.subscribe({tp: 0}) as subscription:
            while subscription.positions()[tp] < high:
                batch = await subscription.poll(timeout=WAIT)
                assert batch, f"{tp}: no record although the high watermark is {high}"
                out.extend(batch)
        return [record for record in out if record.offset < high]

    return run_on_log(body())


# -- streams ---------------------------------------------------------------------------------------


class StreamReader:
    """Consumes a server-streaming call on a thread so tests can read with timeouts."""

    def __init__(self, call: Any) -> None:
        self.call = call
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._outcome: tuple[str, Any] | None = None
        self._thread = threading.Thread(target=self._run, name="stream-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for message in self.call:
                self._queue.put(("message", message))
            self._queue.put(("end", None))
        except grpc.RpcError as exc:
            self._queue.put(("error", exc))

    def _get(self, timeout: float) -> tuple[str, Any]:
        if self._outcome is not None:
            return self._outcome
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message and no end of stream within {timeout} s") from None
        if item[0] != "message":
            self._outcome = item
        return item

    def poll(self, timeout: float) -> Any | None:
        """The next message if one arrives within ``timeout``, else ``None`` (the stream goes on)."""
        if self._outcome is not None:
            return None
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item[0] != "message":
            self._outcome = item
            return None
        return item[1]

    def next(self, timeout: float = WAIT) -> Any:
        kind, value = self._get(timeout)
        if kind == "error":
            raise AssertionError(f"stream failed: {value.code()} {value.details()}")
        assert kind == "message", "the stream ended while a message was expected"
        return value

    def messages(self, count: int, timeout: float = WAIT) -> list[Any]:
        return [self.next(timeout) for _ in range(count)]

    def packets(self, count: int, timeout: float = WAIT) -> list[api_pb2.PacketResponse]:
        """The next ``count`` packet responses, however they are grouped into messages."""
        out: list[api_pb2.PacketResponse] = []
        while len(out) < count:
            out.extend(self.next(timeout).response)
        assert len(out) == count, f"expected {count} packets, got {len(out)}"
        return out

    def packets_until(self, last: Callable[[api_pb2.PacketResponse], bool], timeout: float = WAIT) -> list[api_pb2.PacketResponse]:
        """Packet responses up to and including the first one ``last`` accepts."""
        out: list[api_pb2.PacketResponse] = []
        while True:
            for item in self.next(timeout).response:
                out.append(item)
                if last(item):
                    return out

    def expect_end(self, timeout: float = WAIT) -> None:
        """The stream ends with OK and without further messages."""
        kind, value = self._get(timeout)
        if kind == "error":
            raise AssertionError(f"stream failed: {value.code()} {value.details()}")
        assert kind == "end", f"expected the end of the stream, got a message: {value}"
        assert self.call.code() == grpc.StatusCode.OK

    def expect_error(self, code: grpc.StatusCode, timeout: float = WAIT) -> grpc.RpcError:
        kind, value = self._get(timeout)
        assert kind == "error", f"expected {code}, got {kind}: {value}"
        assert value.code() == code, f"expected {code}, got {value.code()}: {value.details()}"
        return value

    def cancel(self) -> None:
        self.call.cancel()
        self._thread.join(WAIT)


# -- the server harness -----------------------------------------------------------------------------


class _Stub:
    """A generated stub whose calls get a deadline unless the test gives one."""

    def __init__(self, stub: Any) -> None:
        self._stub = stub

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._stub, name)
        timeout = STREAM_TIMEOUT if name in _STREAMING_METHODS else CALL_TIMEOUT

        def call(request: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", timeout)
            return method(request, **kwargs)

        def future(request: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", timeout)
            return method.future(request, **kwargs)

        call.future = future  # type: ignore[attr-defined]
        return call


class Clients:
    """Stubs of every service on one channel."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.channel = channel
        self.sessions = _Stub(api_pb2_grpc.SessionManagementServiceStub(channel))
        self.writer = _Stub(api_pb2_grpc.PacketWriterServiceStub(channel))
        self.reader = _Stub(api_pb2_grpc.PacketReaderServiceStub(channel))
        self.connections = _Stub(api_pb2_grpc.ConnectionManagerServiceStub(channel))
        self.formats = _Stub(api_pb2_grpc.DataFormatManagerServiceStub(channel))
        self.keys = _Stub(key_generator_pb2_grpc.UniqueKeyGeneratorServiceStub(channel))


class Harness(Clients):
    """One running server, clients on a channel to it, and its (tracked) log."""

    def __init__(self, config: ServerConfig, inner_log: Log, own_log: bool) -> None:
        self.config = config
        self.inner_log = inner_log
        self.log = TrackedLog(inner_log)
        self._own_log = own_log
        self._stack = contextlib.ExitStack()
        self._streams: list[StreamReader] = []
        self._channels: list[grpc.Channel] = []
        started = time.monotonic()
        try:
            self.server: StreamApiServer = self._stack.enter_context(running_server(config, self.log))
        except BaseException:
            if own_log:
                run_on_log(inner_log.close())
            raise
        self.start_seconds = time.monotonic() - started
        self.address = self.server.address
        super().__init__(self.new_channel())
        self.stopped = False

    def new_channel(self) -> grpc.Channel:
        channel = grpc.insecure_channel(
            self.address,
            options=[("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)],
        )
        self._channels.append(channel)
        return channel

    def clients(self) -> Clients:
        """Stubs on a channel of their own (a second client process, as far as the server knows)."""
        return Clients(self.new_channel())

    def stream(self, call: Any) -> StreamReader:
        reader = StreamReader(call)
        self._streams.append(reader)
        return reader

    def metric(self, name: str, **labels: str) -> float:
        value = self.server.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value

    # -- the log ------------------------------------------------------------------------------

    def topics(self) -> dict[str, int]:
        return run_on_log(self.inner_log.list_topics())

    def records(self, topic: str, partition: int | None = None) -> list[Record]:
        """Records of one partition, or of every partition in partition order."""
        if partition is not None:
            return read_partition(self.inner_log, TopicPartition(topic, partition))
        count = self.topics().get(topic, 0)
        return [r for p in range(count) for r in read_partition(self.inner_log, TopicPartition(topic, p))]

    # -- lifecycle -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Cancel the test's streams, close its channels, stop the server (idempotent)."""
        if self.stopped:
            return
        self.stopped = True
        for reader in self._streams:
            reader.call.cancel()
        for channel in self._channels:
            channel.close()
        started = time.monotonic()
        self._stack.close()
        self.stop_seconds = time.monotonic() - started
        leaked = [s.start for s in self.log.subscriptions if not s.closed]
        if self._own_log:
            run_on_log(self.inner_log.close())
        assert not leaked, f"the stopped server left subscriptions open: {leaked}"
        # every call ended with its client, so the shutdown grace period was not needed
        assert self.stop_seconds < STOP_LIMIT, f"stopping the server took {self.stop_seconds:.1f} s"


#: ``make_server(url=None, log=None, **config)`` (the fixture of that name).
ServerFactory = Callable[..., Harness]


# -- packets and requests -----------------------------------------------------------------------------


def packet(
    packet_type: str = "PeriodicData",
    content: bytes = b"",
    *,
    session_key: str = "",
    essential: bool = False,
) -> open_data_pb2.Packet:
    return open_data_pb2.Packet(type=packet_type, session_key=session_key, is_essential=essential, content=content)


def periodic(
    parameters: Sequence[str] | None = None, *, format_id: int | None = None, start_time: int = 0
) -> open_data_pb2.Packet:
    """A PeriodicData packet with inline parameters or a data-format id."""
    data_format = open_data_pb2.SampleDataFormat()
    if parameters is not None:
        data_format.parameter_identifiers.SetInParent()
        data_format.parameter_identifiers.parameter_identifiers.extend(parameters)
    elif format_id is not None:
        data_format.data_format_identifier = format_id
    content = open_data_pb2.PeriodicDataPacket(data_format=data_format, start_time=start_time, interval=1000)
    return packet("PeriodicData", content.SerializeToString())


def event(identifier: str | None = None, *, format_id: int | None = None, timestamp: int = 0) -> open_data_pb2.Packet:
    data_format = open_data_pb2.EventDataFormat()
    if identifier is not None:
        data_format.event_identifier = identifier
    elif format_id is not None:
        data_format.data_format_identifier = format_id
    content = open_data_pb2.EventPacket(data_format=data_format, timestamp=timestamp)
    return packet("Event", content.SerializeToString())


def marker(label: str) -> open_data_pb2.Packet:
    return packet("Marker", open_data_pb2.MarkerPacket(label=label, type="Lap").SerializeToString())


def numbered(index: int, packet_type: str = "Custom", **kwargs: Any) -> open_data_pb2.Packet:
    """A packet told apart by its ``id`` field."""
    message = packet(packet_type, b"payload-%d" % index, **kwargs)
    message.id = index
    return message


def with_id(message: open_data_pb2.Packet, index: int) -> open_data_pb2.Packet:
    """``message`` told apart by its ``id`` field."""
    message.id = index
    return message


def ids(responses: Iterable[api_pb2.PacketResponse]) -> list[int]:
    return [response.packet.id for response in responses]


def detail(
    message: open_data_pb2.Packet,
    *,
    data_source: str = DATA_SOURCE,
    stream: str = "",
    session_key: str = "",
) -> api_pb2.DataPacketDetails:
    return api_pb2.DataPacketDetails(message=message, data_source=data_source, stream=stream, session_key=session_key)


def write(clients: Clients, *messages: open_data_pb2.Packet, **route: Any) -> None:
    """Write packets one by one with WriteDataPacket."""
    for message in messages:
        clients.writer.WriteDataPacket(api_pb2.WriteDataPacketRequest(detail=detail(message, **route)))


def write_many(clients: Clients, details: Iterable[api_pb2.DataPacketDetails], per_request: int = 100) -> None:
    """Write packets with one WriteDataPackets stream (returns once the server answered)."""
    items = list(details)

    def requests() -> Iterator[api_pb2.WriteDataPacketsRequest]:
        for start in range(0, len(items), per_request):
            yield api_pb2.WriteDataPacketsRequest(details=items[start : start + per_request])

    clients.writer.WriteDataPackets(requests())


def connect(clients: Clients, data_source: str = DATA_SOURCE, **details: Any) -> int:
    response = clients.connections.NewConnection(
        api_pb2.NewConnectionRequest(details=api_pb2.ConnectionDetails(data_source=data_source, **details))
    )
    return response.connection.id


def connection(connection_id: int) -> api_pb2.Connection:
    return api_pb2.Connection(id=connection_id)


def read_packets(harness: Harness, connection_id: int, clients: Clients | None = None) -> StreamReader:
    clients = clients or harness
    return harness.stream(clients.reader.ReadPackets(api_pb2.ReadPacketsRequest(connection=connection(connection_id))))


def read_data_packets(harness: Harness, connection_id: int, **filters: Any) -> StreamReader:
    request = api_pb2.DataPacketRequest(connection=connection(connection_id), **filters)
    return harness.stream(harness.reader.ReadDataPackets(api_pb2.ReadDataPacketsRequest(request=request)))


def read_essentials(harness: Harness, connection_id: int) -> StreamReader:
    return harness.stream(harness.reader.ReadEssentials(api_pb2.ReadEssentialsRequest(connection=connection(connection_id))))


def subscribed_read(harness: Harness, open_stream: Callable[[], StreamReader], topic: str = DATA_SOURCE, partition: int = 0) -> tuple[StreamReader, TrackedSubscription]:
    """Open a read stream and wait until the server has subscribed for it."""
    mark = harness.log.mark()
    reader = open_stream()
    subscription = harness.log.wait_subscription(lambda s: s.covers(topic, partition), since=mark)
    return reader, subscription


def create_session(clients: Clients, data_source: str = DATA_SOURCE, **fields: Any) -> api_pb2.CreateSessionResponse:
    response = clients.sessions.CreateSession(api_pb2.CreateSessionRequest(data_source=data_source, **fields))
    assert response.success
    return response


def session_info(clients: Clients, session_key: str) -> api_pb2.GetSessionInfoResponse:
    return clients.sessions.GetSessionInfo(api_pb2.GetSessionInfoRequest(session_key=session_key))


def parameter_format(clients: Clients, parameters: Sequence[str], data_source: str = DATA_SOURCE) -> int:
    request = api_pb2.GetParameterDataFormatIdRequest(data_source=data_source, parameters=list(parameters))
    return clients.formats.GetParameterDataFormatId(request).data_format_identifier


def event_format(clients: Clients, identifier: str, data_source: str = DATA_SOURCE) -> int:
    request = api_pb2.GetEventDataFormatIdRequest(data_source=data_source, event=identifier)
    return clients.formats.GetEventDataFormatId(request).data_format_identifier


def assert_serving(clients: Clients) -> None:
    """The server still answers ordinary calls."""
    key = create_session(clients, "Healthy").session_key
    assert session_info(clients, key).data_source == "Healthy"
    write(clients, numbered(1), data_source="Healthy")


def parse(message_type: type[T], data: bytes) -> T:
    return message_type.FromString(data)  # type: ignore[attr-defined, no-any-return]


def parameters_of(harness: Harness, format_id: int, data_source: str = DATA_SOURCE) -> list[str]:
    request = api_pb2.GetParametersListRequest(data_source=data_source, data_format_identifier=format_id)
    return list(harness.formats.GetParametersList(request).parameters)


def event_of(harness: Harness, format_id: int, data_source: str = DATA_SOURCE) -> str:
    request = api_pb2.GetEventRequest(data_source=data_source, data_format_identifier=format_id)
    return str(harness.formats.GetEvent(request).event)


# -- raw protobuf, for what the generated classes hide (the order of map entries) ------------------


def _varint(buffer: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7


def wire_fields(buffer: bytes) -> list[tuple[int, int | bytes]]:
    """``(field number, value)`` of every field of a serialized message, in wire order."""
    out: list[tuple[int, int | bytes]] = []
    position = 0
    while position < len(buffer):
        key, position = _varint(buffer, position)
        number, wire_type = key >> 3, key & 7
        value: int | bytes
        if wire_type == 0:
            value, position = _varint(buffer, position)
        elif wire_type == 1:
            value, position = buffer[position : position + 8], position + 8
        elif wire_type == 2:
            length, position = _varint(buffer, position)
            value, position = buffer[position : position + length], position + length
        elif wire_type == 5:
            value, position = buffer[position : position + 4], position + 4
        else:
            raise AssertionError(f"unexpected wire type {wire_type}")
        out.append((number, value))
    return out


def embedded(buffer: bytes, number: int) -> bytes:
    """An embedded message field (every occurrence merged, as a parser does)."""
    return b"".join(value for n, value in wire_fields(buffer) if n == number and isinstance(value, bytes))


def map_keys(buffer: bytes, number: int) -> list[str]:
    """The keys of a ``map<string, ...>`` field in the order they are on the wire."""
    keys = []
    for n, value in wire_fields(buffer):
        if n == number:
            assert isinstance(value, bytes)
            entry = dict(wire_fields(value))
            key = entry.get(1, b"")
            assert isinstance(key, bytes)
            keys.append(key.decode())
    return keys


def raw_unary(channel: grpc.Channel, method: str, request: Any) -> bytes:
    """Call a unary method and return the response exactly as serialized by the server."""
    call = channel.unary_unary(method, request_serializer=type(request).SerializeToString, response_deserializer=None)
    return call(request, timeout=CALL_TIMEOUT)  # type: ignore[no-any-return]


def is_guid(text: str) -> bool:
    return bool(GUID.match(text)) and str(uuid.UUID(text)) == text


def until_registered(reader: StreamReader, trigger: Callable[[], str]) -> None:
    """Make sure a notification stream is registered on the server.

    Calls ``trigger`` (which makes the server send a notification and returns its session key)
    until ``reader`` delivers one, then reads the notifications of the later triggers. From
    then on every notification for the stream's data source reaches it.
    """
    keys: list[str] = []
    deadline = time.monotonic() + WAIT
    while True:
        keys.append(trigger())
        message = reader.poll(0.05)
        if message is not None:
            break
        assert time.monotonic() < deadline, "the notification stream never delivered anything"
    assert message.session_key in keys
    for key in keys[keys.index(message.session_key) + 1 :]:
        assert reader.next().session_key == key


class RequestFeed:
    """Requests of a client-streaming call, handed over one by one; ``close()`` half-closes."""

    _END = object()

    def __init__(self) -> None:
        self._queue: queue.Queue[Any] = queue.Queue()

    def put(self, request: Any) -> None:
        self._queue.put(request)

    def close(self) -> None:
        self._queue.put(self._END)

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                request = self._queue.get(timeout=STREAM_TIMEOUT)
            except queue.Empty:
                return
            if request is self._END:
                return
            yield request
