"""Server configuration: the reference ``AppConfig.json`` keys and environment variables.

Keys are case-sensitive and unknown keys are ignored, as in the reference server. Values
of the wrong type are refused with a :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..contracts.shared.partition_mapping import PartitionMapping

__all__ = ["ConfigError", "PartitionMapping", "ServerConfig", "StreamCreationStrategy"]

#: Where the reference looks for its configuration, relative to the working directory.
DEFAULT_CONFIG_PATH = "/Configs/AppConfig.json"
#: Prometheus port when neither ``--metrics-port`` nor ``PROMETHEUS_METRIC_PORT`` says otherwise.
DEFAULT_METRICS_PORT = 2468
#: Prometheus port the reference falls back to when ``PROMETHEUS_METRIC_PORT`` is not an integer.
INVALID_METRICS_PORT_FALLBACK = 10010
#: HTTP port of the ``AUTO_START=false`` start listener.
DEFAULT_LISTENER_PORT = 1531


class ConfigError(ValueError):
    """An unreadable or ill-typed configuration."""


class StreamCreationStrategy(enum.IntEnum):
    """How streams map onto Kafka: partitions of the data source topic, or topics of their own."""

    PARTITION_BASED = 1
    TOPIC_BASED = 2


@dataclass(frozen=True)
class ServerConfig:
    """The Stream API server's settings, named after the ``AppConfig.json`` keys."""

    stream_creation_strategy: StreamCreationStrategy = StreamCreationStrategy.PARTITION_BASED
    broker_url: str = "localhost:9092"
    partition_mappings: tuple[PartitionMapping, ...] = ()
    stream_api_port: int = 13579
    integrate_session_management: bool = True
    integrate_data_format_management: bool = True
    use_remote_key_generator: bool = False
    remote_key_generator_service_address: str = ""
    batching_responses: bool = False
    initialisation_timeout_seconds: int = 3
    #: Interface the gRPC server binds (the reference binds every interface).
    host: str = "0.0.0.0"
    #: Prometheus port; ``None`` turns the endpoint off, 0 picks a free port.
    metrics_port: int | None = DEFAULT_METRICS_PORT
    #: Broker client properties (librdkafka's, for Kafka) as ``(name, value)`` pairs.
    broker_properties: tuple[tuple[str, str], ...] = ()
    #: Seconds start-up waits for an unreachable broker before failing; ``None``: forever
    #: (as the reference does), retrying every :data:`BROKER_RETRY_SECONDS`.
    broker_wait_seconds: float | None = None

    # -- derived ---------------------------------------------------------------------------

    @property
    def partition_based(self) -> bool:
        return self.stream_creation_strategy is StreamCreationStrategy.PARTITION_BASED

    def stream_partition(self, stream: str) -> int | None:
        """The partition mapped to ``stream``, or ``None`` when it has no mapping."""
        for mapping in self.partition_mappings:
            if mapping.stream == stream:
                return mapping.partition
        return None

    @property
    def main_topic_partitions(self) -> int:
        """``N``: one more than the highest mapped partition, 1 without mappings."""
        if not self.partition_mappings:
            return 1
        return max(mapping.partition for mapping in self.partition_mappings) + 1

    def with_overrides(self, **changes: Any) -> ServerConfig:
        """A copy with the given fields replaced (``None`` values are ignored)."""
        return replace(self, **{name: value for name, value in changes.items() if value is not None})

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ServerConfig:
        """Build from the parsed ``AppConfig.json`` object (reference key names)."""
        if not isinstance(data, Mapping):
            raise ConfigError("the configuration must be a JSON object")
        reader = _Keys(data)
        strategy = reader.get("StreamCreationStrategy", int, 1)
        try:
            strategy_value = StreamCreationStrategy(strategy)
        except ValueError:
            raise ConfigError(
                f"StreamCreationStrategy must be 1 (PartitionBased) or 2 (TopicBased), got {strategy}"
            ) from None
        return cls(
            stream_creation_strategy=strategy_value,
            broker_url=reader.get("BrokerUrl", str, cls.broker_url),
            partition_mappings=_partition_mappings(data.get("PartitionMappings")),
            stream_api_port=reader.get("StreamApiPort", int, cls.stream_api_port),
            integrate_session_management=reader.get("IntegrateSessionManagement", bool, True),
            integrate_data_format_management=reader.get("IntegrateDataFormatManagement", bool, True),
            use_remote_key_generator=reader.get("UseRemoteKeyGenerator", bool, False),
            remote_key_generator_service_address=reader.get("RemoteKeyGeneratorServiceAddress", str, ""),
            batching_responses=reader.get("BatchingResponses", bool, False),
            initialisation_timeout_seconds=reader.get("InitialisationTimeoutSeconds", int, 3),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ServerConfig:
        """Read an ``AppConfig.json`` file."""
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ConfigError(f"cannot read configuration {path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} is not valid JSON: {exc}") from exc
        if data is None:
            raise ConfigError(f"{path} holds no configuration (null)")
        return cls.from_json(data)


class _Keys:
    """Typed access to the JSON object, with null meaning absent as in System.Text.Json."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def get(self, key: str, kind: type, default: Any) -> Any:
        value = self._data.get(key)
        if value is None:
            return default
        valid = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not valid:
            raise ConfigError(f"{key} must be a JSON {_json_type(kind)}, got {json.dumps(value)}")
        if kind is int and value < 0 and key != "StreamCreationStrategy":
            raise ConfigError(f"{key} must not be negative, got {value}")
        return value


def _json_type(kind: type) -> str:
    return {int: "integer", bool: "boolean", str: "string"}.get(kind, kind.__name__)


def _partition_mappings(value: Any) -> tuple[PartitionMapping, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError("PartitionMappings must be a list of {\"Stream\": ..., \"Partition\": ...}")
    mappings = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ConfigError(f"PartitionMappings[{index}] must be an object")
        stream = item.get("Stream")
        partition = item.get("Partition")
        if not isinstance(stream, str) or not stream:
            raise ConfigError(f"PartitionMappings[{index}].Stream must be a non-empty string")
        if not isinstance(partition, int) or isinstance(partition, bool) or not 0 <= partition < 10_000:
            raise ConfigError(f"PartitionMappings[{index}].Partition must be an integer in 0..9999")
        mappings.append(PartitionMapping(stream, partition))
    return tuple(mappings)


@dataclass(frozen=True)
class HostEnvironment:
    """The reference host's environment variables."""

    config_path: str | None
    auto_start: bool
    listener_port: int
    metrics_port: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> HostEnvironment:
        env = os.environ if environ is None else environ
        auto_start_text = env.get("AUTO_START", "true").strip().lower()
        if auto_start_text not in ("true", "false"):
            raise ConfigError(f"AUTO_START must be true or false, got {env['AUTO_START']!r}")
        metrics_text = env.get("PROMETHEUS_METRIC_PORT")
        if metrics_text is None:
            metrics_port = DEFAULT_METRICS_PORT
        else:
            try:
                metrics_port = int(metrics_text)
            except ValueError:
                metrics_port = INVALID_METRICS_PORT_FALLBACK
        listener_text = env.get("LISTENER_PORT_NUMBER", str(DEFAULT_LISTENER_PORT))
        try:
            listener_port = int(listener_text)
        except ValueError:
            raise ConfigError(f"LISTENER_PORT_NUMBER must be an integer, got {listener_text!r}") from None
        config_path = env.get("CONFIG_PATH")
        return cls(
            config_path=None if config_path is None else os.getcwd() + config_path,
            auto_start=auto_start_text == "true",
            listener_port=listener_port,
            metrics_port=metrics_port,
        )
