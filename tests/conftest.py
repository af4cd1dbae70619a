"""Fixtures every test directory can use: the Kafka cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.kafka_cluster import BOOTSTRAP_ENV, KafkaCluster, start_broker


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaCluster]:
    """The shared Kafka cluster: ``$MA_KAFKA_BOOTSTRAP``, or a broker started for this run."""
    bootstrap = os.environ.get(BOOTSTRAP_ENV)
    if bootstrap:
        yield KafkaCluster(bootstrap, None)
        return
    broker = start_broker()
    try:
        yield KafkaCluster(broker.bootstrap, broker)
    finally:
        broker.cleanup()


@pytest.fixture
def own_kafka() -> Iterator[KafkaCluster]:
    """A broker of this test's own, which the test may stop and restart (fault tests)."""
    broker = start_broker()
    try:
        yield KafkaCluster(broker.bootstrap, broker)
    finally:
        broker.cleanup()
