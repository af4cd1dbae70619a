"""Running our Stream API server inside the library, shared by everything that needs it.

Within a process, one server runs per broker URL and is shared (reference counted) by every
library object that names it. Across processes, ``file://DIR`` is shared this way: the first
process to open ``DIR`` holds its lock, runs the server and writes its address to
``DIR/stream-api.endpoint``; later processes find the directory locked, read that file and
connect to that server. The log is only ever written by its owner. Several processes on one
Kafka cluster each run their own server; the cluster is shared by design.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ...errors import BackendUnavailableError, ConfigurationError
from ...log import LogLockedError, UnsupportedBrokerError
from ...log.file import LOCK_FILE
from ...server.app import BrokerUnavailableError, ServerThread
from ...server.local_calls import LocalCalls
from ...server.config import ServerConfig

ENDPOINT_FILE = "stream-api.endpoint"
_POLL_S = 0.05


@dataclass
class _Hosted:
    thread: ServerThread
    endpoint_file: Path | None
    users: int = 1


_hosted: dict[tuple[str, ServerConfig], _Hosted] = {}
_lock = threading.Lock()


def normalise_broker_url(url: str) -> str:
    """``file://~/x`` and relative ``file://`` paths as absolute paths; other URLs unchanged."""
    if url.lower().startswith("file://"):
        parts = urlsplit(url)
        path = os.path.abspath(os.path.expanduser(parts.netloc + parts.path))
        return f"file://{path}" + (f"?{parts.query}" if parts.query else "")
    return url


def data_directory(url: str) -> Path | None:
    """The directory of a ``file://`` URL (normalised), else ``None``."""
    if not url.lower().startswith("file://"):
        return None
    parts = urlsplit(url)
    return Path(parts.netloc + parts.path)


@dataclass
class Lease:
    """Use of a Stream API server: ``address`` to dial, ``release()`` when done.

    ``hosted`` says whether this process runs the server.
    """

    address: str
    hosted: bool
    _key: tuple[str, ServerConfig] | None = None
    #: The hosted server's in-process streaming calls (``None`` when another process hosts it).
    local: LocalCalls | None = None

    def release(self) -> None:
        if self._key is None:
            return
        key, self._key = self._key, None
        with _lock:
            entry = _hosted[key]
            entry.users -= 1
            if entry.users:
                return
            del _hosted[key]
        if entry.endpoint_file is not None:
            entry.endpoint_file.unlink(missing_ok=True)
        entry.thread.stop()


def acquire(server_config: ServerConfig, timeout: float) -> Lease:
    """A lease on the server for ``server_config.broker_url``: this process's, or the one
    another process runs on the same data directory."""
    url = normalise_broker_url(server_config.broker_url)
    config = server_config.with_overrides(broker_url=url)
    key = (url, config)
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            entry = _hosted.get(key)
            if entry is not None:
                entry.users += 1
                return Lease(entry.thread.address, True, key, _local_calls(entry.thread))
            if any(existing_url == url for existing_url, _ in _hosted):
                raise ConfigurationError(
                    f"{url} is already served in this process with other settings; use the same "
                    "StreamingApiConfiguration for every library object on one broker"
                )
            try:
                thread = _start(config)
            except LogLockedError as exc:
                locked: LogLockedError | None = exc
            else:
                endpoint = _publish(thread, url)
                _hosted[key] = _Hosted(thread, endpoint)
                return Lease(thread.address, True, key, _local_calls(thread))
        directory = data_directory(url)
        address = _read_endpoint(directory) if directory is not None else None
        if address is not None:
            return Lease(address, False)
        if time.monotonic() >= deadline:
            raise BackendUnavailableError(
                f"{locked}; that process has not published a Stream API address in "
                f"{directory / ENDPOINT_FILE if directory else '?'} within {timeout:g} s"
            )
        time.sleep(_POLL_S)


def _local_calls(thread: ServerThread) -> LocalCalls | None:
    return thread.server.local_calls if thread.server is not None else None


def _start(config: ServerConfig) -> ServerThread:
    thread = ServerThread(config)
    try:
        thread.start()
    except UnsupportedBrokerError as exc:
        raise ConfigurationError(str(exc)) from None
    except BrokerUnavailableError as exc:
        raise BackendUnavailableError(str(exc)) from None
    return thread


def _publish(thread: ServerThread, url: str) -> Path | None:
    """Write the server's address into its data directory for other processes."""
    directory = data_directory(url)
    if directory is None:
        return None
    target = directory / ENDPOINT_FILE
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".endpoint-")
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{thread.address}\n{os.getpid()}\n")
    os.replace(temporary, target)
    return target


def _read_endpoint(directory: Path) -> str | None:
    """The address the directory's current owner published, or ``None`` while there is
    none (the owner is still starting, or the file is left over from an earlier owner)."""
    try:
        address, pid = (directory / ENDPOINT_FILE).read_text().split("\n")[:2]
        owner = (directory / LOCK_FILE).read_text().strip()
    except (OSError, ValueError):
        return None
    return address.strip() if address.strip() and pid.strip() == owner else None
