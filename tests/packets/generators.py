"""Random sample columns with the edge cases of the wire format mixed in."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

KINDS = ("double", "int32", "bool", "string")
STATUSES = (0, 1, 2, 3)


def _doubles_with_bytes(pattern: bytes) -> float:
    """A double whose encoding contains ``pattern`` (record-like bytes inside a value)."""
    value: float = struct.unpack("<d", (pattern + b"\x3f\x40\x3f\x40\x3f\x40\x3f\x40")[:8])[0]
    return value


SPECIAL_DOUBLES = np.array(
    [0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 5e-324, -5e-324, 1.7976931348623157e308, 1.0, -1.0]
    + [struct.unpack("<d", struct.pack("<Q", bits))[0] for bits in (0x7FF0000000000001, 0x7FF8DEADBEEF0001, 1)]
    + [_doubles_with_bytes(p) for p in (b"\x0a\x00", b"\x0a\x02\x10\x01", b"\x0a\x0b\x09", b"\x22\x0a\x0a\x00", b"\x1a\x02\x0a\x00")],
    dtype=np.float64,
)
SPECIAL_INT32 = np.array(
    [0, 1, -1, 127, 128, 255, 16383, 16384, 2**21 - 1, 2**21, 2**28 - 1, 2**28, 2**31 - 1, -(2**31), 10, -10],
    dtype=np.int32,
)
SPECIAL_STRINGS = ["", "a", "\x00", "a\x00", "ünïcödé", "🏎️ 330 km/h", "x" * 127, "y" * 128, "z" * 20000, "\n\x0a\x10"]


def column(rng: np.random.Generator, kind: str, size: int, *, special: float = 0.2, zeros: float = 0.1) -> np.ndarray:
    """``size`` random samples of ``kind``, with a share of special values and of zeros."""
    pick = rng.random(size)
    if kind == "double":
        values = rng.normal(scale=rng.choice([1.0, 1e-3, 1e6]), size=size)
        values[pick < special] = rng.choice(SPECIAL_DOUBLES, size=size)[pick < special]
        values[(pick >= special) & (pick < special + zeros)] = 0.0
        return values
    if kind == "int32":
        scale = int(rng.choice([100, 20000, 2**31 - 1]))
        values = rng.integers(-scale, scale, size=size, endpoint=True).astype(np.int32)
        values[pick < special] = rng.choice(SPECIAL_INT32, size=size)[pick < special]
        values[(pick >= special) & (pick < special + zeros)] = 0
        return values
    if kind == "bool":
        return rng.random(size) < rng.random()
    strings = np.empty(size, dtype=object)
    for index in range(size):
        if pick[index] < special:
            strings[index] = SPECIAL_STRINGS[int(rng.integers(len(SPECIAL_STRINGS)))]
        else:
            strings[index] = "".join(rng.choice(list("abcXYZ éü€"), size=int(rng.integers(0, 12))))
    return strings


def uniform_column(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Samples that all encode to the same layout (the builders' and decoders' fast path)."""
    if kind == "double":
        signed: np.ndarray = rng.uniform(1.0, 2.0, size=size) * rng.choice([-1.0, 1.0], size=size)
        return signed
    if kind == "int32":
        return rng.integers(1, 128, size=size).astype(np.int32)
    if kind == "bool":
        return np.ones(size, dtype=bool)
    return np.array(["v"] * size, dtype=object)


def pick(rng: np.random.Generator, choices: list[Any]) -> Any:
    """One of ``choices`` as it is (``rng.choice`` would turn big ints into floats)."""
    return choices[int(rng.integers(len(choices)))]


def statuses(rng: np.random.Generator, shape: tuple[int, ...], mixed: bool = True) -> np.ndarray:
    if not mixed:
        return np.full(shape, int(rng.choice(STATUSES)), dtype=np.uint8)
    return rng.choice(np.array(STATUSES, dtype=np.uint8), size=shape)


def data_format(rng: np.random.Generator, parameters: int) -> Any:
    choice = int(rng.integers(4))
    if choice == 0:
        return None
    if choice == 1:
        return pick(rng, [0, 1, 127, 128, 2**63, 2**64 - 1, int(rng.integers(2**62))])
    return [f"P{index}:Ünit" if index % 3 else "" for index in range(parameters)] if choice == 2 else []
