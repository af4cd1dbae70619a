"""AppConfig.json keys, types and defaults; host environment variables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ma_support_lib.server.config import (
    ConfigError,
    HostEnvironment,
    PartitionMapping,
    ServerConfig,
    StreamCreationStrategy,
)


def test_defaults_match_the_reference() -> None:
    config = ServerConfig.from_json({})
    assert config.stream_creation_strategy is StreamCreationStrategy.PARTITION_BASED
    assert config.broker_url == "localhost:9092"
    assert config.partition_mappings == ()
    assert config.stream_api_port == 13579
    assert config.integrate_session_management and config.integrate_data_format_management
    assert not config.use_remote_key_generator and config.remote_key_generator_service_address == ""
    assert not config.batching_responses
    assert config.initialisation_timeout_seconds == 3


def test_every_key_is_read() -> None:
    config = ServerConfig.from_json(
        {
            "StreamCreationStrategy": 2,
            "BrokerUrl": "memory://",
            "PartitionMappings": [{"Stream": "Stream1", "Partition": 1}, {"Stream": "Stream2", "Partition": 4}],
            "StreamApiPort": 5000,
            "IntegrateSessionManagement": False,
            "IntegrateDataFormatManagement": False,
            "UseRemoteKeyGenerator": True,
            "RemoteKeyGeneratorServiceAddress": "keys:15379",
            "BatchingResponses": True,
            "InitialisationTimeoutSeconds": 7,
            "SomethingUnknown": [1, 2],
        }
    )
    assert config.stream_creation_strategy is StreamCreationStrategy.TOPIC_BASED
    assert config.partition_mappings == (PartitionMapping("Stream1", 1), PartitionMapping("Stream2", 4))
    assert config.main_topic_partitions == 5
    assert config.stream_partition("Stream2") == 4 and config.stream_partition("Other") is None
    assert (config.stream_api_port, config.broker_url) == (5000, "memory://")
    assert not config.integrate_session_management and not config.integrate_data_format_management
    assert config.use_remote_key_generator and config.remote_key_generator_service_address == "keys:15379"
    assert config.batching_responses and config.initialisation_timeout_seconds == 7


def test_keys_are_case_sensitive_and_null_means_default() -> None:
    config = ServerConfig.from_json({"brokerurl": "memory://", "StreamApiPort": None})
    assert config.broker_url == "localhost:9092"
    assert config.stream_api_port == 13579


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"StreamApiPort": "1"}, "StreamApiPort must be a JSON integer"),
        ({"StreamApiPort": True}, "StreamApiPort must be a JSON integer"),
        ({"BatchingResponses": "yes"}, "BatchingResponses must be a JSON boolean"),
        ({"StreamCreationStrategy": 0}, "StreamCreationStrategy must be 1"),
        ({"PartitionMappings": {"Stream": "a"}}, "PartitionMappings must be a list"),
        ({"PartitionMappings": [{"Stream": "", "Partition": 1}]}, "PartitionMappings[0].Stream"),
        ({"PartitionMappings": [{"Stream": "a", "Partition": -1}]}, "PartitionMappings[0].Partition"),
        ({"StreamApiPort": -5}, "must not be negative"),
    ],
)
def test_ill_typed_values_are_refused_with_the_key_named(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        ServerConfig.from_json(data)


def test_load_reads_a_file_and_reports_bad_json(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"BrokerUrl": "file://./x"}), encoding="utf-8")
    assert ServerConfig.load(good).broker_url == "file://./x"
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        ServerConfig.load(bad)
    null = tmp_path / "null.json"
    null.write_text("null", encoding="utf-8")
    with pytest.raises(ConfigError, match="holds no configuration"):
        ServerConfig.load(null)
    with pytest.raises(ConfigError, match="cannot read configuration"):
        ServerConfig.load(tmp_path / "missing.json")


def test_host_environment() -> None:
    env = HostEnvironment.from_environ({})
    assert (env.config_path, env.auto_start, env.listener_port, env.metrics_port) == (None, True, 1531, 2468)
    env = HostEnvironment.from_environ(
        {"CONFIG_PATH": "/c.json", "AUTO_START": "False", "LISTENER_PORT_NUMBER": "99", "PROMETHEUS_METRIC_PORT": "x"}
    )
    assert env.config_path is not None and env.config_path.endswith("/c.json")
    assert not env.auto_start and env.listener_port == 99
    assert env.metrics_port == 10010
    with pytest.raises(ConfigError, match="AUTO_START"):
        HostEnvironment.from_environ({"AUTO_START": "maybe"})
