"""How the library reaches the Stream API and the broker behind it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .partition_mapping import PartitionMapping
from .stream_creation_strategy import StreamCreationStrategy

#: ``broker_list`` when none is given: a durable embedded log in the user's data directory.
DEFAULT_BROKER = "file://~/.local/share/ma-support-lib/data"


@dataclass(init=False)
class StreamingApiConfiguration:
    """Connection settings, accepted as the official package takes them.

    Positional: ``broker_list``, ``stream_creation_strategy``, ``additional_properties``,
    ``timeout_seconds`` (as the official samples pass them). The rest is keyword-only.

    * ``broker_list`` names the log the library's own in-process Stream API server uses:
      ``memory://`` (this process only), ``file://DIR`` (durable; processes on one directory
      share it), or a Kafka bootstrap list. ``broker_url`` is accepted as another name.
    * ``stream_api_address`` (``host:port``): talk to an already running Stream API server
      (ours or the official one) instead; ``broker_list`` is then not used.
    * ``additional_properties``: broker client properties, as a mapping, ``(key, value)``
      pairs or ``"key=value"`` strings; :class:`PartitionMapping` items in it are taken as
      partition mappings.
    * ``timeout_seconds``: how long connecting (and the server's start-up wait) may take.
    * ``stream_api_port``: port of the in-process server (default: a free port).
    * ``batching_responses``: whether read responses carry many packets (``None``: yes for
      the in-process server).
    * ``backend``: ``"grpc"`` (default; see :mod:`ma_support_lib.backends`).
    * ``processing``: which engine the sample and data readers run on: ``"native"`` (the
      backend's own, e.g. the C# modules on ``dotnet``), ``"python"`` (our numpy engine) or
      ``None`` (the backend's default; see :mod:`ma_support_lib.backends.processing`).
    * The remaining keywords are the reference server's settings.
    """

    broker_list: str
    stream_creation_strategy: StreamCreationStrategy
    additional_properties: dict[str, str]
    timeout_seconds: float
    partition_mappings: list[PartitionMapping]
    stream_api_address: str | None
    stream_api_port: int | None
    integrate_session_management: bool
    integrate_data_format_management: bool
    use_remote_key_generator: bool
    remote_key_generator_service_address: str
    batching_responses: bool | None
    backend: str | None
    processing: str | None

    def __init__(
        self,
        broker_list: str | None = None,
        stream_creation_strategy: StreamCreationStrategy | int = StreamCreationStrategy.PARTITION_BASE,
        additional_properties: Mapping[str, str] | Iterable[Any] | None = None,
        timeout_seconds: float = 3,
        *,
        broker_url: str | None = None,
        partition_mappings: Iterable[PartitionMapping] | None = None,
        stream_api_address: str | None = None,
        stream_api_port: int | None = None,
        integrate_session_management: bool = True,
        integrate_data_format_management: bool = True,
        use_remote_key_generator: bool = False,
        remote_key_generator_service_address: str = "",
        batching_responses: bool | None = None,
        backend: str | None = None,
        processing: str | None = None,
    ) -> None:
        if broker_list and broker_url and broker_list != broker_url:
            raise ValueError(f"broker_list {broker_list!r} and broker_url {broker_url!r} disagree; give one")
        self.broker_list = broker_list or broker_url or DEFAULT_BROKER
        try:
            self.stream_creation_strategy = StreamCreationStrategy(stream_creation_strategy)
        except ValueError:
            raise ValueError(
                f"stream_creation_strategy must be PARTITION_BASE (1) or TOPIC_BASE (2), got {stream_creation_strategy!r}"
            ) from None
        if not isinstance(timeout_seconds, (int, float)) or timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be a positive number, got {timeout_seconds!r}")
        self.timeout_seconds = float(timeout_seconds)
        mappings = list(partition_mappings or ())
        self.additional_properties = _properties(additional_properties, mappings)
        for mapping in mappings:
            if not isinstance(mapping, PartitionMapping):
                raise TypeError(f"partition_mappings takes PartitionMapping items, got {mapping!r}")
        self.partition_mappings = mappings
        self.stream_api_address = stream_api_address or None
        self.stream_api_port = stream_api_port
        self.integrate_session_management = integrate_session_management
        self.integrate_data_format_management = integrate_data_format_management
        self.use_remote_key_generator = use_remote_key_generator
        self.remote_key_generator_service_address = remote_key_generator_service_address
        self.batching_responses = batching_responses
        self.backend = backend
        self.processing = processing


def _properties(value: Mapping[str, str] | Iterable[Any] | None, mappings: list[PartitionMapping]) -> dict[str, str]:
    """Normalise ``additional_properties``; partition mappings found in it go to ``mappings``."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(key): str(item) for key, item in value.items()}
    if isinstance(value, (str, bytes)):
        raise TypeError("additional_properties must be a mapping or a list, not a string")
    properties: dict[str, str] = {}
    for item in value:
        if isinstance(item, PartitionMapping):
            mappings.append(item)
        elif isinstance(item, str) and "=" in item:
            key, _, text = item.partition("=")
            properties[key.strip()] = text.strip()
        elif isinstance(item, tuple) and len(item) == 2:
            properties[str(item[0])] = str(item[1])
        else:
            raise TypeError(
                f"additional_properties item {item!r} is not a PartitionMapping, a (key, value) pair or 'key=value'"
            )
    return properties
