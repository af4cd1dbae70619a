"""Fixtures shared by the log tests."""

from __future__ import annotations

import pytest

#: Every log implementation the contract suite runs against; ``{tmp}`` becomes a fresh
#: directory, ``{kafka}`` a fresh topic namespace on the test cluster.
LOG_URLS = ["memory://", "file://{tmp}", "{kafka}"]


def _kind(url: str) -> str:
    return "kafka" if url == "{kafka}" else url.split("://", 1)[0]


@pytest.fixture(params=LOG_URLS, ids=_kind)
def log_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a fresh, empty log of each kind."""
    url: str = request.param
    if url == "{kafka}":
        return str(request.getfixturevalue("kafka").url())
    if "{tmp}" in url:
        url = url.format(tmp=tmp_path_factory.mktemp("log").as_posix())
    return url
