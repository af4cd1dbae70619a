"""Compile the C# test stand-in and our facade with Mono's ``mcs`` into ``native/bin``.

    python3 scripts/build_native.py [--out DIR] [--force]

The stand-in (``native/standin``, assembly ``MaSupportLib.TestStandIn``) is our own
in-memory imitation of the vendor's public C# surface, for tests only. The facade
(``native/facade``, ``MaSupportLib.Bridge``) is compiled against it. On Windows with the vendor
DLLs, build.ps1 builds the facade against the real library instead. Prints the output
directory; rebuilds only when a source is newer than its assembly.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

NATIVE = Path(__file__).resolve().parents[1] / "native"
STANDIN = "MaSupportLib.TestStandIn"
BRIDGE = "MaSupportLib.Bridge"


def _stale(target: Path, sources: list[Path]) -> bool:
    return not target.is_file() or any(source.stat().st_mtime > target.stat().st_mtime for source in sources)


def _compile(out: Path, name: str, sources: list[Path], references: list[Path], force: bool) -> Path:
    target = out / f"{name}.dll"
    if force or _stale(target, sources + references):
        command = ["mcs", "-target:library", "-optimize+", "-nologo", f"-out:{target}"]
        command += [f"-r:{reference}" for reference in references]
        subprocess.run(command + [str(source) for source in sources], check=True)
    return target


def build(out: Path = NATIVE / "bin", force: bool = False) -> Path:
    """Build both assemblies into ``out``; raises ``FileNotFoundError`` without ``mcs``."""
    if shutil.which("mcs") is None:
        raise FileNotFoundError("mcs (the Mono C# compiler) is not installed; apt-get install mono-devel")
    out.mkdir(parents=True, exist_ok=True)
    standin = _compile(out, STANDIN, sorted((NATIVE / "standin").glob("*.cs")), [], force)
    _compile(out, BRIDGE, sorted((NATIVE / "facade").glob("*.cs")), [standin], force)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=NATIVE / "bin")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args()
    print(build(args.out.resolve(), args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
