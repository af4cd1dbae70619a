"""Fixtures shared by the log tests."""

from __future__ import annotations

import pytest

#: Every log implementation the contract suite runs against; ``{tmp}`` becomes a fresh
#: directory. Further back ends (a Kafka broker, for example) are added here.
LOG_URLS = ["memory://", "file://{tmp}"]


@pytest.fixture(params=LOG_URLS, ids=lambda url: url.split("://", 1)[0])
def log_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a fresh, empty log of each kind."""
    url: str = request.param
    if "{tmp}" in url:
        url = url.format(tmp=tmp_path_factory.mktemp("log").as_posix())
    return url
