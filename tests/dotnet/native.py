"""Building the C# test stand-in and facade for tests, or saying why they cannot run."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip the test, or fail it in CI (where the .NET tests must run)."""
    if in_ci():
        pytest.fail(f".NET tests cannot run in CI: {reason}")
    pytest.skip(reason)


def built_assemblies() -> str:
    """``native/bin`` with the stand-in and the facade, (re)built with mcs when needed."""
    if shutil.which("mcs") is None:
        unavailable("Mono is not installed (apt-get install mono-devel)")
    if importlib.util.find_spec("pythonnet") is None:
        unavailable("pythonnet is not installed (pip install -e '.[dotnet]')")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from build_native import build
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return str(build())
