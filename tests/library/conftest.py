"""Fixtures of the public-API contract suite.

Every test runs against each way the library can reach a Stream API server:

* ``embedded``: the library runs our server in process (a fresh ``memory://`` log per test);
* ``address``: a separately started ``ma-stream-api serve`` process, by ``stream_api_address``;
* ``kafka``: the library runs our server in process on the test Kafka cluster (``broker_list``
  names the cluster, with a fresh topic prefix per test);
* ``dotnet``: the .NET backend on the C# test stand-in of the Support Library (built with Mono's
  ``mcs``, loaded through pythonnet). Skipped when Mono or pythonnet is missing, except in CI
  (``CI=true``), where that is a failure.

Tests isolate themselves by using a data source of their own (``data_source`` fixture).
Tests that build their own configuration (a Kafka address, a server process that is killed,
a ``file://`` directory shared by processes, the streams a server reports per session) are
about the gRPC backend and its server, and run on it only.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.contracts.shared.stream_creation_strategy import StreamCreationStrategy
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper
from ma_support_lib.testing import ServerProcess

TARGETS = ["embedded", "address", "kafka", "dotnet"]
STRATEGIES = [StreamCreationStrategy.TOPIC_BASE, StreamCreationStrategy.PARTITION_BASE]


@pytest.fixture(scope="session")
def server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A topic-based server process shared by the ``address`` runs."""
    config = tmp_path_factory.mktemp("server") / "AppConfig.json"
    config.write_text(json.dumps({"StreamCreationStrategy": 2, "BatchingResponses": True}))
    with ServerProcess(["--config", str(config), "--broker", "memory://"]) as server:
        yield server


def use_dotnet_assemblies() -> None:
    """Build the stand-in and facade assemblies (when stale) and point the .NET backend at them."""
    from tests.dotnet.native import built_assemblies

    os.environ["MA_SUPPORT_LIB_DOTNET_DIR"] = built_assemblies()


@pytest.fixture
def data_source() -> str:
    return f"Test-{uuid.uuid4().hex[:12]}"


ConfigFactory = Callable[..., StreamingApiConfiguration]


@pytest.fixture(params=TARGETS)
def make_config(request: pytest.FixtureRequest) -> ConfigFactory:
    """Builds a configuration for this test's target; keywords go to the configuration."""

    def make(**keywords: object) -> StreamingApiConfiguration:
        if request.param == "address":
            server: ServerProcess = request.getfixturevalue("server_process")
            keywords.setdefault("stream_api_address", server.address)
        if request.param == "dotnet":
            use_dotnet_assemblies()
            keywords.setdefault("backend", "dotnet")
        if request.param == "kafka":
            keywords.setdefault("broker_list", request.getfixturevalue("kafka").url())
        broker = keywords.pop("broker_list", f"memory://{request.node.name}-{uuid.uuid4().hex[:8]}")
        return StreamingApiConfiguration(broker, StreamCreationStrategy.TOPIC_BASE, [], 10, **keywords)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_library(make_config: ConfigFactory) -> Iterator[Callable[..., SupportLibrary]]:
    """Creates initialised and started library objects; stops them after the test."""
    libraries: list[SupportLibrary] = []

    def make(**keywords: object) -> SupportLibrary:
        library = SupportLibraryBootstrapper.bootstrap(make_config(**keywords), Logger()).create()
        libraries.append(library)
        library.initialise()
        library.start()
        return library

    yield make
    for library in reversed(libraries):
        library.stop()


@pytest.fixture
def library(make_library: Callable[..., SupportLibrary]) -> SupportLibrary:
    return make_library()
