"""Fixtures of the .NET bridge tests: the built stand-in, and libraries on the .NET backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library import SupportLibrary
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper

from .native import built_assemblies


@pytest.fixture(scope="session")
def assemblies() -> str:
    directory = built_assemblies()
    os.environ["MA_SUPPORT_LIB_DOTNET_DIR"] = directory
    return directory


@pytest.fixture
def library(assemblies: str) -> Iterator[SupportLibrary]:
    config = StreamingApiConfiguration(f"memory://bridge-{uuid.uuid4().hex[:8]}", backend="dotnet")
    with SupportLibraryBootstrapper.bootstrap(config, Logger()).create() as library:
        yield library


@pytest.fixture
def system(library: SupportLibrary) -> object:
    """The .NET ``System`` namespace (the runtime is loaded once the library is)."""
    from ma_support_lib.backends.dotnet import runtime

    return runtime.load().system
