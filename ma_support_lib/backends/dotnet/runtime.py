"""Loading pythonnet, the .NET runtime and the Support Library assemblies.

The assemblies come from ``$MA_SUPPORT_LIB_DOTNET_DIR``, else ``native/bin`` of the source
tree. The runtime is ``$MA_SUPPORT_LIB_DOTNET_RUNTIME``, else ``coreclr`` on Windows (the
vendor library targets modern .NET) and ``mono`` elsewhere. Whatever is missing raises
:class:`BackendUnavailableError` naming it and how to install it.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import BackendUnavailableError

DIR_ENV = "MA_SUPPORT_LIB_DOTNET_DIR"
RUNTIME_ENV = "MA_SUPPORT_LIB_DOTNET_RUNTIME"
#: Our facade (native/facade), built against the vendor assemblies or the test stand-in.
BRIDGE_ASSEMBLY = "MaSupportLib.Bridge"
#: The vendor's core assembly (NuGet MA.DataPlatforms.Streaming.Support.Lib.Core).
VENDOR_ASSEMBLY = "MA.DataPlatforms.Streaming.Support.Lib.Core"
#: Our test stand-in of the vendor surface (native/standin); never the vendor library.
STANDIN_ASSEMBLY = "MaSupportLib.TestStandIn"

_README = "native/README.md"
_lock = threading.Lock()
_loaded: DotnetRuntime | None = None


@dataclass(frozen=True)
class DotnetRuntime:
    """The loaded runtime: the facade's types, and which Support Library is behind them."""

    directory: Path
    runtime: str
    standin: bool
    bridge: Any  # the MaSupportLib.Bridge namespace
    system: Any  # the System namespace


def default_directory() -> Path:
    return Path(os.environ.get(DIR_ENV) or Path(__file__).resolve().parents[3] / "native" / "bin")


def default_runtime() -> str:
    return os.environ.get(RUNTIME_ENV) or ("coreclr" if sys.platform == "win32" else "mono")


def load() -> DotnetRuntime:
    """The runtime, loaded on first use (once per process)."""
    global _loaded
    with _lock:
        if _loaded is None:
            directory = default_directory()
            standin = check_assemblies(directory)
            pythonnet = import_pythonnet()
            runtime = default_runtime()
            start_runtime(pythonnet, runtime)
            _loaded = _load_assemblies(directory, runtime, standin)
        return _loaded


def import_pythonnet() -> Any:
    try:
        return importlib.import_module("pythonnet")
    except ImportError:
        raise BackendUnavailableError(
            "the .NET backend needs pythonnet, which is not installed: "
            "python3 -m pip install 'ma-support-lib[dotnet]' (or pip install pythonnet)"
        ) from None


def start_runtime(pythonnet: Any, runtime: str) -> None:
    """Load ``runtime`` (``mono``, ``coreclr`` or ``netfx``) unless one is already running."""
    if pythonnet.get_runtime_info() is not None:
        return
    if runtime == "mono":
        # Mono's default cooperative thread suspension can hang when threads that wait for the
        # GIL meet a garbage collection; signal-based suspension does not (a known Mono issue).
        os.environ.setdefault("MONO_THREADS_SUSPEND", "preemptive")
    try:
        pythonnet.load(runtime)
    except Exception as exc:
        hint = {
            "mono": "install Mono (Debian/Ubuntu: apt-get install mono-devel; macOS: brew install mono)",
            "coreclr": "install the .NET 8 runtime (https://dot.net) or set "
            f"{RUNTIME_ENV}=netfx to use the .NET Framework",
        }.get(runtime, f"set {RUNTIME_ENV} to mono, coreclr or netfx")
        raise BackendUnavailableError(f"the {runtime} .NET runtime could not be loaded ({exc}); {hint}") from None


def check_assemblies(directory: Path) -> bool:
    """Whether ``directory`` holds the test stand-in (else the vendor assemblies); raises if
    the facade or the Support Library is missing."""
    if not directory.is_dir():
        raise BackendUnavailableError(
            f"the .NET assembly directory {directory} does not exist; build it (build.ps1 on Windows, "
            f"python3 scripts/build_native.py with Mono) or set {DIR_ENV}; see {_README}"
        )
    if not (directory / f"{BRIDGE_ASSEMBLY}.dll").is_file():
        raise BackendUnavailableError(
            f"{BRIDGE_ASSEMBLY}.dll is missing from {directory}; build it with build.ps1 (Windows) or "
            f"python3 scripts/build_native.py (Mono); see {_README}"
        )
    if (directory / f"{VENDOR_ASSEMBLY}.dll").is_file():
        return False
    if (directory / f"{STANDIN_ASSEMBLY}.dll").is_file():
        return True
    raise BackendUnavailableError(
        f"{VENDOR_ASSEMBLY}.dll is missing from {directory}; copy the vendor's Support Library DLLs there "
        f"(NuGet package {VENDOR_ASSEMBLY} and its dependencies; see {_README})"
    )


def _load_assemblies(directory: Path, runtime: str, standin: bool) -> DotnetRuntime:
    clr = importlib.import_module("clr")  # available once pythonnet has loaded a runtime

    if str(directory) not in sys.path:
        sys.path.append(str(directory))
    try:
        clr.AddReference(str(directory / (STANDIN_ASSEMBLY if standin else VENDOR_ASSEMBLY)))
        clr.AddReference(str(directory / BRIDGE_ASSEMBLY))
        bridge = importlib.import_module("MaSupportLib.Bridge")
        system = importlib.import_module("System")
    except Exception as exc:
        raise BackendUnavailableError(
            f"the .NET assemblies in {directory} could not be loaded ({exc}); the facade must be built against "
            f"the Support Library DLLs next to it; see {_README}"
        ) from None
    return DotnetRuntime(directory, runtime, standin, bridge, system)
