"""The compiled protobuf descriptors match the protocol reference tables exactly.

The reference tables (``api.md``, ``open_data.md``, ``key_generator.md``) live in
``<repo root>/../shared/protocol/`` or in ``$MA_SHARED_DIR/protocol/``.  Each is
parsed into a plain specification and compared, in both directions, with the
``FileDescriptorProto`` of the generated module shipped in ``ma_support_lib.protos``.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf import descriptor_pb2

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Proto files shipped by the package, as named inside their descriptors.
PROTO_FILES: tuple[str, ...] = (
    "ma/streaming/open_data/v1/open_data.proto",
    "ma/streaming/api/v1/api.proto",
    "ma/streaming/key_generator/v1/key_generator.proto",
)

SCALAR_TYPES = frozenset(
    {
        "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
        "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
    }
)
LABELS = frozenset({"", "repeated", "optional"})
TABLE_HEADERS = {
    "message": ["field", "number", "label", "type", "oneof"],
    "enum": ["value", "number"],
    "service": ["rpc", "request", "response"],
}

FDP = descriptor_pb2.FieldDescriptorProto


# --------------------------------------------------------------------------- #
# Normalised specification, shared by both sides of the comparison
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class FieldSpec:
    """One message field; ``type`` is a scalar, ``map<k, v>`` or ``message|enum <full name>``."""

    name: str
    number: int
    label: str
    type: str
    oneof: str


@dataclass(frozen=True)
class MethodSpec:
    """One RPC with fully qualified input/output message names."""

    name: str
    input_type: str
    output_type: str
    client_streaming: bool
    server_streaming: bool


@dataclass
class ProtoSpec:
    """Everything one proto file declares, in declaration order."""

    file_name: str
    package: str = ""
    imports: list[str] = field(default_factory=list)
    messages: dict[str, list[FieldSpec]] = field(default_factory=dict)
    enums: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    services: dict[str, list[MethodSpec]] = field(default_factory=dict)


# --------------------------------------------------------------------------- #
# Markdown tables
# --------------------------------------------------------------------------- #


def protocol_dir() -> Path:
    """Folder holding the reference tables (``$MA_SHARED_DIR/protocol`` if set)."""
    shared = os.environ.get("MA_SHARED_DIR")
    base = Path(shared) if shared else REPO_ROOT.parent / "shared"
    return base / "protocol"


def _cells(line: str) -> list[str]:
    """Cells of a markdown table row."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@dataclass
class _RawDecl:
    """A ``### kind `Name``` heading and the rows of the table under it."""

    kind: str
    name: str
    where: str
    header: list[str] | None = None
    rows: list[tuple[str, list[str]]] = field(default_factory=list)


_FILE_RE = re.compile(r"^## (\S+\.proto)$")
_IMPORT_RE = re.compile(r'^imports "([^"]+)"$')
_PACKAGE_RE = re.compile(r"^package `([\w.]+)`$")
_DECL_RE = re.compile(r"^### (message|enum|service) `(\w+)`$")
_MAP_RE = re.compile(r"^map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>$")


def parse_tables(path: Path) -> list[tuple[ProtoSpec, list[_RawDecl]]]:
    """Split a markdown file into proto sections and their raw declaration tables."""
    sections: list[tuple[ProtoSpec, list[_RawDecl]]] = []
    decl: _RawDecl | None = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{lineno}"
        if not line:
            continue
        if m := _FILE_RE.match(line):
            sections.append((ProtoSpec(file_name=m.group(1)), []))
            decl = None
            continue
        if not sections:
            raise ValueError(f"{where}: content before the first '## <file>.proto' heading")
        spec, decls = sections[-1]
        if m := _IMPORT_RE.match(line):
            spec.imports.append(m.group(1))
        elif m := _PACKAGE_RE.match(line):
            spec.package = m.group(1)
        elif m := _DECL_RE.match(line):
            decl = _RawDecl(kind=m.group(1), name=m.group(2), where=where)
            decls.append(decl)
        elif line.startswith("|"):
            if decl is None:
                raise ValueError(f"{where}: table row outside a declaration")
            cells = _cells(line)
            if decl.header is None:
                if cells != TABLE_HEADERS[decl.kind]:
                    raise ValueError(f"{where}: unexpected {decl.kind} table header {cells}")
                decl.header = cells
            elif all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            elif len(cells) != len(decl.header):
                raise ValueError(f"{where}: expected {len(decl.header)} cells, got {cells}")
            else:
                decl.rows.append((where, cells))
        else:
            raise ValueError(f"{where}: unrecognised line {line!r}")
    return sections


def _qualify(name: str, package: str) -> str:
    """Fully qualify a table type name relative to ``package``."""
    return name if "." in name else f"{package}.{name}"


def _table_type(type_name: str, package: str, enums: set[str], where: str) -> str:
    """Normalise a table ``type`` cell; unqualified names are relative to ``package``."""
    if m := _MAP_RE.match(type_name):
        key, value = m.groups()
        if key not in SCALAR_TYPES:
            raise ValueError(f"{where}: map key must be a scalar, got {key!r}")
        return f"map<{key}, {_table_type(value, package, enums, where)}>"
    if type_name in SCALAR_TYPES:
        return type_name
    if not re.fullmatch(r"[\w.]+", type_name):
        raise ValueError(f"{where}: unrecognised type {type_name!r}")
    full = _qualify(type_name, package)
    return f"{'enum' if full in enums else 'message'} {full}"


def _int(cell: str, where: str) -> int:
    """Parse a number cell."""
    if not re.fullmatch(r"-?\d+", cell):
        raise ValueError(f"{where}: expected an integer, got {cell!r}")
    return int(cell)


def load_specs(directory: Path) -> dict[str, ProtoSpec]:
    """Parse every table in ``directory``; keys are descriptor file names."""
    sections = [s for md in sorted(directory.glob("*.md")) for s in parse_tables(md)]
    enums = {
        f"{spec.package}.{d.name}" for spec, decls in sections for d in decls if d.kind == "enum"
    }
    specs: dict[str, ProtoSpec] = {}
    for spec, decls in sections:
        if not spec.package:
            raise ValueError(f"{spec.file_name}: no package line")
        spec.file_name = "/".join([*spec.package.split("."), spec.file_name])
        for decl in decls:
            if decl.header is None:
                raise ValueError(f"{decl.where}: {decl.kind} {decl.name} has no table")
            target = getattr(spec, f"{decl.kind}s")
            if decl.name in target:
                raise ValueError(f"{decl.where}: {decl.kind} {decl.name} declared twice")
            if decl.kind == "message":
                fields = []
                for where, (name, number, label, type_name, oneof) in decl.rows:
                    if label not in LABELS:
                        raise ValueError(f"{where}: unknown label {label!r}")
                    type_ = _table_type(type_name, spec.package, enums, where)
                    fields.append(FieldSpec(name, _int(number, where), label, type_, oneof))
                target[decl.name] = fields
            elif decl.kind == "enum":
                target[decl.name] = [(v, _int(n, where)) for where, (v, n) in decl.rows]
            else:
                methods = []
                for _where, (name, request, response) in decl.rows:
                    req_stream, req = _split_stream(request)
                    resp_stream, resp = _split_stream(response)
                    methods.append(
                        MethodSpec(
                            name,
                            _qualify(req, spec.package),
                            _qualify(resp, spec.package),
                            req_stream,
                            resp_stream,
                        )
                    )
                target[decl.name] = methods
        if spec.file_name in specs:
            raise ValueError(f"{spec.file_name} described twice")
        specs[spec.file_name] = spec
    return specs


def _split_stream(cell: str) -> tuple[bool, str]:
    """``"stream Foo"`` -> ``(True, "Foo")``; ``"Foo"`` -> ``(False, "Foo")``."""
    parts = cell.split()
    if len(parts) == 2 and parts[0] == "stream":
        return True, parts[1]
    if len(parts) == 1:
        return False, parts[0]
    raise ValueError(f"unrecognised rpc type {cell!r}")


# --------------------------------------------------------------------------- #
# Compiled descriptors
# --------------------------------------------------------------------------- #


def module_for(file_name: str) -> ModuleType:
    """The generated ``_pb2`` module of a proto file."""
    return importlib.import_module(f"ma_support_lib.protos.{Path(file_name).stem}_pb2")


def descriptor_spec(file_name: str) -> tuple[ProtoSpec, list[str]]:
    """Normalise the compiled descriptor; also return structural oddities found."""
    proto = descriptor_pb2.FileDescriptorProto()
    module_for(file_name).DESCRIPTOR.CopyToProto(proto)
    odd: list[str] = []
    if proto.syntax != "proto3":
        odd.append(f"syntax is {proto.syntax!r}, expected 'proto3'")
    for ext in proto.extension:
        odd.append(f"extra extension {ext.name}")
    spec = ProtoSpec(file_name=proto.name, package=proto.package, imports=list(proto.dependency))
    for enum in proto.enum_type:
        spec.enums[enum.name] = [(v.name, v.number) for v in enum.value]
    for service in proto.service:
        spec.services[service.name] = [
            MethodSpec(
                m.name,
                m.input_type.lstrip("."),
                m.output_type.lstrip("."),
                m.client_streaming,
                m.server_streaming,
            )
            for m in service.method
        ]
    for msg in proto.message_type:
        spec.messages[msg.name] = _descriptor_fields(msg, f"{proto.package}.{msg.name}", odd)
    return spec, odd


def _descriptor_fields(
    msg: descriptor_pb2.DescriptorProto, full_name: str, odd: list[str]
) -> list[FieldSpec]:
    """Normalise a message's fields, flagging anything the tables cannot express."""
    map_entries = {
        f"{full_name}.{nested.name}": nested for nested in msg.nested_type if nested.options.map_entry
    }
    for nested in msg.nested_type:
        if not nested.options.map_entry:
            odd.append(f"message {msg.name}: extra nested message {nested.name}")
    for nested_enum in msg.enum_type:
        odd.append(f"message {msg.name}: extra nested enum {nested_enum.name}")
    for ext in msg.extension:
        odd.append(f"message {msg.name}: extra extension {ext.name}")

    used_oneofs: set[int] = set()
    fields = []
    for f in msg.field:
        entry = map_entries.get(f.type_name.lstrip("."))
        if f.HasField("oneof_index"):
            used_oneofs.add(f.oneof_index)
        oneof = ""
        if f.HasField("oneof_index") and not f.proto3_optional:
            oneof = msg.oneof_decl[f.oneof_index].name
        if f.proto3_optional:
            label = "optional"
        elif f.label == FDP.LABEL_REPEATED and entry is None:
            label = "repeated"
        elif f.label == FDP.LABEL_OPTIONAL or entry is not None:
            label = ""
        else:
            label = FDP.Label.Name(f.label).removeprefix("LABEL_").lower()
        if entry is not None:
            key, value = sorted(entry.field, key=lambda e: e.number)
            type_ = f"map<{_descriptor_type(key)}, {_descriptor_type(value)}>"
        else:
            type_ = _descriptor_type(f)
        fields.append(FieldSpec(f.name, f.number, label, type_, oneof))
    for index, decl in enumerate(msg.oneof_decl):
        if index not in used_oneofs:
            odd.append(f"message {msg.name}: oneof {decl.name} has no fields")
    return fields


def _descriptor_type(f: descriptor_pb2.FieldDescriptorProto) -> str:
    """Render a descriptor field type like :func:`_table_type` does."""
    if f.type == FDP.TYPE_MESSAGE:
        return f"message {f.type_name.lstrip('.')}"
    if f.type == FDP.TYPE_ENUM:
        return f"enum {f.type_name.lstrip('.')}"
    return FDP.Type.Name(f.type).removeprefix("TYPE_").lower()


# --------------------------------------------------------------------------- #
# Comparison
# --------------------------------------------------------------------------- #


def _compare_names(kind: str, table: list[str], compiled: list[str], parent: str = "") -> list[str]:
    """Report names missing from or extra in ``compiled``, and reorderings."""
    where = f"{kind} {parent}." if parent else f"{kind} "
    problems = [f"{where}{n}: in the table but not compiled" for n in table if n not in compiled]
    problems += [f"{where}{n}: compiled but not in the table" for n in compiled if n not in table]
    common_t = [n for n in table if n in compiled]
    common_c = [n for n in compiled if n in table]
    if common_t != common_c:
        scope = f"{kind}s of {parent}" if parent else f"{kind}s"
        problems.append(f"order of {scope} differs: table {common_t}, compiled {common_c}")
    return problems


def _compare_records(kind: str, parent: str, table: list, compiled: list) -> list[str]:
    """Compare two lists of named dataclass records attribute by attribute."""
    t_by_name = {r.name: r for r in table}
    c_by_name = {r.name: r for r in compiled}
    problems = _compare_names(kind, list(t_by_name), list(c_by_name), parent)
    for name, t in t_by_name.items():
        c = c_by_name.get(name)
        if c is None:
            continue
        for attr in t.__dataclass_fields__:
            expected, actual = getattr(t, attr), getattr(c, attr)
            if expected != actual:
                problems.append(
                    f"{kind} {parent}.{name}: {attr} is {actual!r} compiled, {expected!r} in the table"
                )
    return problems


def compare(table: ProtoSpec, compiled: ProtoSpec) -> list[str]:
    """All differences between a table spec and a compiled spec, readable."""
    problems: list[str] = []
    for attr in ("file_name", "package", "imports"):
        expected, actual = getattr(table, attr), getattr(compiled, attr)
        if expected != actual:
            problems.append(f"{attr} is {actual!r} compiled, {expected!r} in the table")
    problems += _compare_names("message", list(table.messages), list(compiled.messages))
    for name, fields in table.messages.items():
        if name in compiled.messages:
            problems += _compare_records("field", name, fields, compiled.messages[name])
    problems += _compare_names("enum", list(table.enums), list(compiled.enums))
    for name, values in table.enums.items():
        if name in compiled.enums:
            t_vals, c_vals = dict(values), dict(compiled.enums[name])
            problems += _compare_names("value", list(t_vals), list(c_vals), name)
            problems += [
                f"value {name}.{v}: number is {c_vals[v]} compiled, {n} in the table"
                for v, n in t_vals.items()
                if v in c_vals and c_vals[v] != n
            ]
    problems += _compare_names("service", list(table.services), list(compiled.services))
    for name, methods in table.services.items():
        if name in compiled.services:
            problems += _compare_records("rpc", name, methods, compiled.services[name])
    return problems


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def table_specs() -> dict[str, ProtoSpec]:
    """Specs parsed from the shared reference tables (skips when they are absent)."""
    directory = protocol_dir()
    if not directory.is_dir() or not any(directory.glob("*.md")):
        pytest.skip(
            f"protocol reference tables not found in {directory} "
            "(set MA_SHARED_DIR to the shared folder that contains protocol/)"
        )
    return load_specs(directory)


def test_tables_cover_exactly_the_shipped_protos(table_specs: dict[str, ProtoSpec]) -> None:
    """Every table has a compiled module and every compiled module has a table."""
    assert sorted(table_specs) == sorted(PROTO_FILES)


@pytest.mark.parametrize("file_name", PROTO_FILES)
def test_descriptor_matches_table(file_name: str, table_specs: dict[str, ProtoSpec]) -> None:
    """The compiled descriptor declares exactly what the reference table does."""
    table = table_specs.get(file_name)
    if table is None:
        pytest.fail(f"no reference table describes {file_name}")
    compiled, odd = descriptor_spec(file_name)
    problems = odd + compare(table, compiled)
    if problems:
        pytest.fail(
            f"{file_name} differs from its table:\n  " + "\n  ".join(problems), pytrace=False
        )


@pytest.mark.parametrize("file_name", PROTO_FILES)
def test_grpc_module_exposes_every_service(file_name: str, table_specs: dict[str, ProtoSpec]) -> None:
    """Each service of the table has a stub, a servicer and a registration function."""
    table = table_specs.get(file_name)
    if table is None or not table.services:
        return
    services = table.services
    grpc_module = importlib.import_module(f"ma_support_lib.protos.{Path(file_name).stem}_pb2_grpc")
    missing = [
        attr
        for name in services
        for attr in (f"{name}Stub", f"{name}Servicer", f"add_{name}Servicer_to_server")
        if not hasattr(grpc_module, attr)
    ]
    assert not missing, f"{grpc_module.__name__} lacks {missing}"
