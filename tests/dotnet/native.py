"""Building the C# test stand-in and facade for tests, or saying why they cannot run."""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def dotnet_helpers(assemblies: str, out: Path, source: str) -> Any:
    """The ``BridgeTests`` namespace of the C# helper ``source`` (in this directory), compiled
    into ``out`` against the stand-in and the facade and loaded."""
    from ma_support_lib.backends.dotnet import runtime

    helper = out / f"{Path(source).stem}.dll"
    references = [f"-r:{Path(assemblies) / name}.dll" for name in (runtime.STANDIN_ASSEMBLY, runtime.BRIDGE_ASSEMBLY)]
    subprocess.run(["mcs", "-target:library", "-nologo", f"-out:{helper}", *references, str(ROOT / "tests" / "dotnet" / source)], check=True)
    importlib.import_module("clr").AddReference(str(helper))
    return importlib.import_module("BridgeTests")
