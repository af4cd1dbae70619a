"""Run ``ma-stream-api serve`` as a separate process, for tests and benchmarks.

::

    with ServerProcess(["--broker", "memory://"]) as server:
        channel = grpc.insecure_channel(server.address)

The process is ready when it prints its ``Stream API listening on HOST:PORT`` line; if it
exits or stays silent instead, :class:`ServerProcessError` carries what it printed.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence

LISTENING = re.compile(r"Stream API listening on (\S+):(\d+)")
METRICS = re.compile(r"metrics on (\S+):(\d+)")


class ServerProcessError(RuntimeError):
    """The server process failed to start; the message holds its output."""


class ServerProcess:
    """``python -m ma_support_lib.server.cli serve ARGS`` with output captured line by line."""

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        startup_timeout: float = 30.0,
        port: int | None = 0,
        metrics_port: int | None = None,
        command: Sequence[str] | None = None,
    ) -> None:
        """``args`` go to ``serve``; ``command`` replaces the whole command line instead (any
        program that prints the listening line)."""
        if command is None:
            command = [sys.executable, "-m", "ma_support_lib.server.cli", "serve", *args]
            if port is not None and "--port" not in args:
                command = [*command, "--port", str(port)]
            if "--metrics-port" not in args and "--no-metrics" not in args:
                command = [*command, "--no-metrics"] if metrics_port is None else [*command, "--metrics-port", str(metrics_port)]
        self.command = list(command)
        self._env = {**os.environ, **(env or {})}
        self._cwd = cwd
        self._timeout = startup_timeout
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self.host = ""
        self.port = 0
        self.metrics_port: int | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, wait: bool = True) -> ServerProcess:
        """Launch the process; with ``wait``, return once it is listening."""
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=self._env,
            cwd=self._cwd,
            start_new_session=True,  # a Ctrl+C in the terminal reaches only the parent
        )
        threading.Thread(target=self._pump, daemon=True).start()
        while wait:
            line = self.next_line(self._timeout)
            if line is None:
                self.kill()
                raise ServerProcessError(
                    f"server did not start ({' '.join(self.command)}); output:\n" + "".join(self.output)
                )
            if match := METRICS.search(line):
                self.metrics_port = int(match.group(2))
            if match := LISTENING.search(line):
                self.host, self.port = match.group(1), int(match.group(2))
                if "--no-metrics" in self.command or "serve" not in self.command:
                    return self
            if self.port and self.metrics_port is not None:
                return self
        return self

    def _pump(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def next_line(self, timeout: float) -> str | None:
        """The next output line, or ``None`` at end of output or after ``timeout`` seconds."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def wait_for_output(self, pattern: str, timeout: float = 30.0) -> str:
        """Wait for a line matching ``pattern``; raises with the output if none comes."""
        compiled = re.compile(pattern)
        for seen in self.output:
            if compiled.search(seen):
                return seen
        while (line := self.next_line(timeout)) is not None:
            if compiled.search(line):
                return line
        raise ServerProcessError(f"no line matching {pattern!r}; output:\n" + "".join(self.output))

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL (no clean shutdown) and reap."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self if self.process is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.terminate(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
