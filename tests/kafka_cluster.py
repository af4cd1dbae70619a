"""The Kafka cluster the tests run against: a broker started by ``scripts/kafka_broker.py``,
or an existing cluster named by ``MA_KAFKA_BOOTSTRAP``.

Tests sharing one cluster isolate themselves by topic prefix: :meth:`KafkaCluster.url` gives a
``kafka://`` URL whose topics live under a fresh prefix, so every server sees an empty cluster.
When ``CI=true`` a broker that cannot start fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid

import pytest

from scripts.kafka_broker import BrokerError, KafkaBroker

BOOTSTRAP_ENV = "MA_KAFKA_BOOTSTRAP"


class KafkaCluster:
    """Where the Kafka tests connect; ``broker`` is ``None`` for an external cluster."""

    def __init__(self, bootstrap: str, broker: KafkaBroker | None) -> None:
        self.bootstrap = bootstrap
        self.broker = broker

    def url(self, prefix: str | None = None) -> str:
        """A ``kafka://`` URL whose topics are all under ``prefix`` (default: a fresh one)."""
        prefix = prefix if prefix is not None else new_prefix()
        return f"kafka://{self.bootstrap}?topic_prefix={prefix}" if prefix else f"kafka://{self.bootstrap}"

    def stop(self) -> None:
        self._own().stop()

    def start(self) -> None:
        self._own().start()

    def _own(self) -> KafkaBroker:
        if self.broker is None:
            pytest.skip(f"the cluster at ${BOOTSTRAP_ENV} is not ours to stop or restart")
        return self.broker


def new_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


def unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Kafka broker unavailable: {reason}", pytrace=False)
    pytest.skip(f"Kafka broker unavailable: {reason}")


def start_broker() -> KafkaBroker:
    broker = KafkaBroker()
    try:
        broker.start()
    except (BrokerError, OSError) as exc:
        broker.cleanup()
        unavailable(str(exc))
    return broker
