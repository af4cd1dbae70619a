"""Fixtures of the end-to-end tests: servers on every kind of log, torn down after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ma_support_lib.log import Log, open_log
from ma_support_lib.server import ServerConfig, StreamCreationStrategy

from .helpers import BROKER_URLS, MAPPINGS, Harness, ServerFactory, broker_kind


@pytest.fixture(params=BROKER_URLS, ids=broker_kind)
def broker_url(request: pytest.FixtureRequest) -> str:
    """The kind of log the server runs on (a template; ``{tmp}`` is filled per server)."""
    return request.param


@pytest.fixture
def fresh_url(
    broker_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[], str]:
    """Makes URLs of fresh, empty logs of the parametrized kind."""

    def make() -> str:
        if broker_url == "{kafka}":
            return str(request.getfixturevalue("kafka").url())
        if "{tmp}" in broker_url:
            return broker_url.format(tmp=tmp_path_factory.mktemp("log").as_posix())
        return broker_url

    return make


@pytest.fixture
def make_server(fresh_url: Callable[[], str]) -> Iterator[ServerFactory]:
    """Starts servers: ``make_server(url=None, log=None, **config)``.

    Without ``url`` or ``log`` each server gets a fresh log; ``url`` reopens a given one (after
    the server that used it stopped); ``log`` shares another server's log object. Servers stop
    in reverse order at the end of the test.
    """
    harnesses: list[Harness] = []

    def make(url: str | None = None, log: Log | None = None, **overrides: Any) -> Harness:
        settings: dict[str, Any] = {"stream_api_port": 0, "metrics_port": None, "host": "127.0.0.1"}
        settings.update(overrides)
        if log is None:
            url = url if url is not None else fresh_url()
            harness = Harness(ServerConfig(broker_url=url, **settings), open_log(url), own_log=True)
        else:
            harness = Harness(ServerConfig(broker_url=log.url, **settings), log, own_log=False)
        harnesses.append(harness)
        return harness

    yield make
    errors = []
    for harness in reversed(harnesses):
        try:
            harness.stop()
        except AssertionError as exc:
            errors.append(str(exc))
    assert not errors, errors


@pytest.fixture
def server(make_server: ServerFactory) -> Harness:
    """A PartitionBased server with the sample mappings (Stream1 -> 1, Stream2 -> 2)."""
    return make_server(partition_mappings=MAPPINGS)


@pytest.fixture(params=list(StreamCreationStrategy), ids=lambda s: s.name.lower())
def strategy(request: pytest.FixtureRequest) -> StreamCreationStrategy:
    return request.param


@pytest.fixture
def any_server(make_server: ServerFactory, strategy: StreamCreationStrategy) -> Harness:
    """A server with the sample mappings, in each stream creation strategy."""
    return make_server(partition_mappings=MAPPINGS, stream_creation_strategy=strategy)


