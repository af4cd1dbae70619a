#!/usr/bin/env python3
"""Regenerate the Python protobuf/gRPC modules shipped in ``ma_support_lib/protos``.

Usage (from anywhere)::

    python scripts/generate_protos.py

The ``.proto`` sources live under ``protos/`` at the repository root, laid out
by package (``protos/ma/streaming/api/v1/api.proto`` ...).  They are compiled
with ``python -m grpc_tools.protoc -I protos`` into a temporary directory; the
resulting ``*_pb2.py``, ``*_pb2.pyi`` and ``*_pb2_grpc.py`` files are then
flattened into ``ma_support_lib/protos/`` and their imports rewritten from the
proto package layout (``from ma.streaming.open_data.v1 import open_data_pb2``)
to the shipped one (``from ma_support_lib.protos import open_data_pb2``).
The embedded descriptors keep their original proto file names, so the wire
contract and the descriptor pool names are unchanged.

Generator version: the generated ``_pb2`` modules embed a protobuf runtime
version check equal to the protoc that produced them, and the ``_pb2_grpc``
modules embed a minimum grpcio version.  To keep the shipped code loadable with
protobuf >= 6.31.1 (and grpcio >= 1.74.0), generate with grpcio-tools
``EXPECTED_GRPCIO_TOOLS_VERSION`` (bundled protoc 31.1, i.e. protobuf 6.31.1),
ideally in a throwaway virtual environment::

    python3 -m venv /tmp/protogen
    /tmp/protogen/bin/pip install grpcio-tools==1.74.0
    /tmp/protogen/bin/python scripts/generate_protos.py

Another grpcio-tools version only triggers a warning: the output then requires
the protobuf/grpcio runtimes matching that version.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

#: grpcio-tools release the shipped modules are generated with (protoc 31.1).
EXPECTED_GRPCIO_TOOLS_VERSION = "1.74.0"
#: Oldest protobuf runtime accepted by modules generated with that release.
PROTOBUF_RUNTIME_FLOOR = "6.31.1"

REPO_ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = REPO_ROOT / "protos"
OUTPUT_DIR = REPO_ROOT / "ma_support_lib" / "protos"
OUTPUT_PACKAGE = "ma_support_lib.protos"

_GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def check_generator_version() -> None:
    """Warn when the installed grpcio-tools differs from the expected release."""
    try:
        installed = metadata.version("grpcio-tools")
    except metadata.PackageNotFoundError:
        sys.exit(
            "grpcio-tools is not installed; install grpcio-tools=="
            f"{EXPECTED_GRPCIO_TOOLS_VERSION} (see this script's docstring)."
        )
    if installed != EXPECTED_GRPCIO_TOOLS_VERSION:
        warnings.warn(
            f"grpcio-tools {installed} is installed but the shipped modules are "
            f"generated with {EXPECTED_GRPCIO_TOOLS_VERSION}; the output will "
            f"require the runtimes matching {installed} instead of "
            f"protobuf>={PROTOBUF_RUNTIME_FLOOR}.",
            stacklevel=2,
        )


def run_protoc(proto_files: list[Path], out_dir: Path) -> None:
    """Compile ``proto_files`` into ``out_dir`` (messages, stubs and gRPC code)."""
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(p.relative_to(PROTO_ROOT)) for p in proto_files),
    ]
    subprocess.run(cmd, check=True, cwd=PROTO_ROOT)


def _has_service(grpc_source: str) -> bool:
    """Whether a generated ``_pb2_grpc`` module defines any stub or servicer."""
    return re.search(r"^class \w+", grpc_source, re.MULTILINE) is not None


def rewrite_imports(source: str, modules: dict[str, str]) -> str:
    """Point references to generated modules at their flattened location.

    ``modules`` maps the dotted module path protoc assumed
    (``ma.streaming.api.v1.api_pb2``) to the shipped basename (``api_pb2``).
    """
    for old_path, name in modules.items():
        old_pkg = old_path.rsplit(".", 1)[0]
        source = re.sub(
            rf"^(\s*)from {re.escape(old_pkg)} import {name}\b",
            rf"\1from {OUTPUT_PACKAGE} import {name}",
            source,
            flags=re.MULTILINE,
        )
        source = re.sub(
            rf"^(\s*)import {re.escape(old_path)}\b",
            rf"\1import {OUTPUT_PACKAGE}.{name}",
            source,
            flags=re.MULTILINE,
        )
        # Module name handed to the builder (sets the classes' __module__).
        source = source.replace(f"'{old_path}'", f"'{OUTPUT_PACKAGE}.{name}'")
    leftover = re.search(r"^\s*(from|import) ma\.", source, re.MULTILINE)
    if leftover:
        raise RuntimeError(f"unrewritten import left: {leftover.group(0).strip()}")
    return source


def main() -> int:
    """Regenerate every module in ``ma_support_lib/protos``."""
    check_generator_version()
    proto_files = sorted(PROTO_ROOT.rglob("*.proto"))
    if not proto_files:
        sys.exit(f"no .proto files under {PROTO_ROOT}")

    with tempfile.TemporaryDirectory(prefix="ma-protos-") as tmp:
        tmp_dir = Path(tmp)
        run_protoc(proto_files, tmp_dir)

        generated = sorted(
            p for p in tmp_dir.rglob("*") if p.is_file() and p.name.endswith(_GENERATED_SUFFIXES)
        )
        modules: dict[str, str] = {}
        for path in generated:
            if path.suffix == ".py":
                rel = path.relative_to(tmp_dir).with_suffix("")
                modules[".".join(rel.parts)] = rel.name
        basenames = [p.name for p in generated]
        duplicates = sorted({n for n in basenames if basenames.count(n) > 1})
        if duplicates:
            sys.exit(f"cannot flatten, duplicate module names: {duplicates}")

        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        for stale in OUTPUT_DIR.iterdir():
            if stale.name.endswith(_GENERATED_SUFFIXES):
                stale.unlink()
        written: list[str] = []
        for path in generated:
            source = path.read_text(encoding="utf-8")
            if path.name.endswith("_pb2_grpc.py") and not _has_service(source):
                continue  # proto without services: nothing worth shipping
            (OUTPUT_DIR / path.name).write_text(
                rewrite_imports(source, modules), encoding="utf-8"
            )
            written.append(path.name)

    init = OUTPUT_DIR / "__init__.py"
    if not init.exists():
        init.write_text('"""Generated protobuf and gRPC modules of the Stream API."""\n')
    for name in written:
        print(f"wrote {OUTPUT_DIR.relative_to(REPO_ROOT) / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
