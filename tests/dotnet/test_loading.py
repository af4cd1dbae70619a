"""Choosing the backend, and clear errors when pythonnet, the runtime or an assembly is missing.

The load failures run in fresh processes: a process can load a .NET runtime only once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ma_support_lib.backends import BACKEND_ENV, create_backend
from ma_support_lib.backends.dotnet import runtime
from ma_support_lib.backends.grpc.backend import GrpcBackend
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.errors import BackendUnavailableError, ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
INITIALISE = """
import sys
{prelude}
from ma_support_lib.contracts.shared.stream_api_configuration import StreamingApiConfiguration
from ma_support_lib.core.base.logger import Logger
from ma_support_lib.core.base.support_library_bootstrapper import SupportLibraryBootstrapper
from ma_support_lib.errors import BackendUnavailableError
library = SupportLibraryBootstrapper.bootstrap(StreamingApiConfiguration("memory://x", backend="dotnet"), Logger()).create()
try:
    library.initialise()
except BackendUnavailableError as exc:
    print("UNAVAILABLE", exc)
else:
    print("LOADED")
"""


def initialise_elsewhere(env: dict[str, str], prelude: str = "") -> str:
    completed = subprocess.run(
        [sys.executable, "-c", INITIALISE.format(prelude=prelude)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_explicit_configuration_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BACKEND_ENV, "dotnet")
    assert isinstance(create_backend(StreamingApiConfiguration("memory://", backend="grpc"), Logger()), GrpcBackend)
    assert create_backend(StreamingApiConfiguration("memory://"), Logger()).name == "dotnet"
    monkeypatch.delenv(BACKEND_ENV)
    assert create_backend(StreamingApiConfiguration("memory://"), Logger()).name == "grpc"
    with pytest.raises(ConfigurationError, match="available: grpc, dotnet"):
        create_backend(StreamingApiConfiguration("memory://", backend="java"), Logger())


def test_missing_assemblies_are_named_with_where_to_get_them(assemblies: str, tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="does not exist.*build_native.py"):
        runtime.check_assemblies(tmp_path / "nowhere")
    with pytest.raises(BackendUnavailableError, match=r"MaSupportLib\.Bridge\.dll is missing.*build\.ps1"):
        runtime.check_assemblies(tmp_path)
    shutil.copy(Path(assemblies) / "MaSupportLib.Bridge.dll", tmp_path)
    with pytest.raises(BackendUnavailableError, match=r"MA\.DataPlatforms\.Streaming\.Support\.Lib\.Core\.dll is missing.*NuGet"):
        runtime.check_assemblies(tmp_path)
    shutil.copy(Path(assemblies) / "MaSupportLib.TestStandIn.dll", tmp_path)
    assert runtime.check_assemblies(tmp_path) is True


def test_a_missing_assembly_fails_initialise_in_a_fresh_process(assemblies: str, tmp_path: Path) -> None:
    shutil.copy(Path(assemblies) / "MaSupportLib.Bridge.dll", tmp_path)
    out = initialise_elsewhere({runtime.DIR_ENV: str(tmp_path)})
    assert out.startswith("UNAVAILABLE") and "MA.DataPlatforms.Streaming.Support.Lib.Core.dll is missing" in out


def test_missing_pythonnet_says_how_to_install_it(assemblies: str) -> None:
    out = initialise_elsewhere({runtime.DIR_ENV: assemblies}, prelude="sys.modules['pythonnet'] = None")
    assert out.startswith("UNAVAILABLE") and "pythonnet" in out and "ma-support-lib[dotnet]" in out


@pytest.mark.skipif(shutil.which("dotnet") is not None, reason="a .NET (CoreCLR) runtime is installed here")
def test_a_missing_runtime_is_named_with_how_to_install_it(assemblies: str) -> None:
    out = initialise_elsewhere({runtime.DIR_ENV: assemblies, runtime.RUNTIME_ENV: "coreclr"})
    assert out.startswith("UNAVAILABLE") and "coreclr .NET runtime could not be loaded" in out and "dot.net" in out


def test_the_stand_in_loads_in_a_fresh_process(assemblies: str) -> None:
    assert initialise_elsewhere({runtime.DIR_ENV: assemblies}) == "LOADED"
