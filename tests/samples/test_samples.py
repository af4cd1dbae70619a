"""The sample writer and reader, as separate processes on one data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120


def sample(module: str, *arguments: str, stdin: int = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", f"sample_code.{module}.main", *arguments],
        cwd=ROOT,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def wait_for_line(process: subprocess.Popen[str], text: str) -> list[str]:
    """Read the process's output until a line contains ``text``."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"the process ended without printing {text!r}:\n{''.join(lines)}")


def test_the_reader_sees_the_writer_live_then_reads_it_back_historic(tmp_path: Path) -> None:
    broker = f"file://{tmp_path / 'data'}"
    reader = sample("sample_reader", "--broker", broker, "--mode", "live", "--exit-after-session", "--timeout", "60")
    wait_for_line(reader, "Awaiting a live session")
    writer = sample(
        "sample_writer", "--broker", broker, "--packets", "3", "--fast", "--no-wait", "--hold-session",
        stdin=subprocess.PIPE,
    )  # fmt: skip
    # The update reaches a live reader through the session feed, not in order with the session's
    # packets, so the writer keeps the session live until the reader has reported it.
    try:
        seen = wait_for_line(reader, "Test Detail")
    finally:
        written, _ = writer.communicate("\n", timeout=TIMEOUT_S)  # Enter: the writer ends the session
    assert "Session info updated" in seen[-1]
    assert writer.returncode == 0, written
    assert "Wrote packet 3/3" in written and "Ended session" in written
    rest, _ = reader.communicate(timeout=TIMEOUT_S)
    live = "".join(seen) + rest
    assert reader.returncode == 0, live
    assert "Read 300 samples of Sin:MyApp" in live
    assert live.index("Session reading started") < live.index("Sample Sin:MyApp") < live.index("Session reading completed")
    assert live.index("Session info updated") < live.index("Session reading completed")

    historic = sample("sample_reader", "--broker", broker, "--mode", "historic", "--session", "latest")
    output, _ = historic.communicate(timeout=TIMEOUT_S)
    assert historic.returncode == 0, output
    assert "Read 300 samples of Sin:MyApp" in output


def test_the_historic_reader_explains_an_empty_data_directory(tmp_path: Path) -> None:
    reader = sample("sample_reader", "--broker", f"file://{tmp_path}", "--mode", "historic", "--session", "latest")
    output, _ = reader.communicate(timeout=TIMEOUT_S)
    assert reader.returncode == 1
    assert "No sessions in data source 'Default'; run the sample writer first" in output
