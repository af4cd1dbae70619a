"""The library fixtures (in-process server and separate server process) for the end-to-end
tests, and the stopping of the pipelines a test made."""

from collections.abc import Iterator

import pytest
from library.conftest import data_source, library, make_config, make_library, server_process

from .rig import Pipeline

__all__ = ["data_source", "library", "make_config", "make_library", "server_process"]


@pytest.fixture(autouse=True)
def _stop_pipelines() -> Iterator[None]:
    yield
    while Pipeline.OPEN:
        Pipeline.OPEN.pop().stop()
