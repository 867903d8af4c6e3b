"""NAS-Bench-201 encodings.

The cell has 4 nodes (0 = input, 3 = output) and 6 edges ``j -> i`` for ``j < i``. Three
orderings of those 6 edges exist in the wild and all are handled here:

* arch-string order (official): ``0-1 | 0-2, 1-2 | 0-3, 1-3, 2-3``;
* NASLib's op-tuple order: ``0-1, 0-2, 0-3, 1-2, 1-3, 2-3`` with op codes
  ``skip_connect=0, none=1, nor_conv_3x3=2, nor_conv_1x1=3, avg_pool_3x3=4``;
* the official index 0..15624, whose order is the benchmark's own (not lexicographic); it is
  read from the shipped file ``benchmarks_data/nb201_order.npy`` (derived from the
  NATS-Bench topology-space export, see ``benchmarks_data/ATTRIBUTION.md``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np

from ..cell import Cell, Edge
from ..errors import BenchmarkError, CellFormatError, IndexOutOfRangeError, UnknownOpError, show

NB201_OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
"""The NAS-Bench-201 op set in the benchmark's own order; codes in arrays index this tuple."""
NB201_EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
"""Edges in arch-string order."""
NASLIB_OPS: tuple[str, ...] = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
NASLIB_EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
NUM_ARCHS = 5 ** 6

_NASLIB_TO_STR_POS = [NB201_EDGES.index(e) for e in NASLIB_EDGES]
_NODE_RE = re.compile(r"^\|(.*)\|$")


def _check_op(op: object, where: str) -> str:
    if not isinstance(op, str) or op not in NB201_OPS:
        raise UnknownOpError(op, list(NB201_OPS), where)
    return op  # type: ignore[return-value]


def from_ops(ops: Sequence[str]) -> Cell:
    """Cell from 6 op names in arch-string order."""
    if isinstance(ops, str) or not hasattr(ops, "__len__"):
        raise CellFormatError(f"NAS-Bench-201 op list must be a sequence of 6 op names, got {show(ops)}")
    if len(ops) != 6:
        raise CellFormatError(f"NAS-Bench-201 op list needs 6 ops, got {len(ops)}: {show(ops)}")
    edges = tuple(
        Edge(s, d, _check_op(op, f"NAS-Bench-201 edge {s}->{d}")) for (s, d), op in zip(NB201_EDGES, ops)
    )
    return Cell(4, edges, (0,), 3)


def from_str(arch: str) -> Cell:
    """Cell from the official string, e.g. ``|nor_conv_3x3~0|+|skip_connect~0|none~1|+|...|``."""
    if not isinstance(arch, str):
        raise CellFormatError(f"NAS-Bench-201 cell string expected, got {type(arch).__name__}: {show(arch)}")
    text = arch.strip()
    nodes = text.split("+")
    if len(nodes) != 3:
        raise CellFormatError(
            f"NAS-Bench-201 string needs 3 '+'-separated nodes, got {len(nodes)} in {show(arch)}"
        )
    ops: list[str] = []
    for i, node in enumerate(nodes, start=1):
        m = _NODE_RE.match(node)
        if not m:
            raise CellFormatError(f"node {i} of {show(arch)} must look like '|op~j|...|', got {show(node)}")
        parts = m.group(1).split("|")
        if len(parts) != i:
            raise CellFormatError(f"node {i} of {show(arch)} needs {i} incoming edges, got {len(parts)}: {show(node)}")
        for j, part in enumerate(parts):
            op, sep, src = part.partition("~")
            if not sep or src != str(j):
                raise CellFormatError(
                    f"edge {show(part)} of node {i} in {show(arch)} must be 'op~{j}' (edge from node {j})"
                )
            ops.append(_check_op(op, f"{show(arch)} (edge {j}->{i})"))
    return from_ops(ops)


def is_nb201_structure(cell: Cell) -> bool:
    """True if ``cell`` has exactly the NAS-Bench-201 nodes and edges, with NAS-Bench-201 ops."""
    if cell.num_nodes != 4 or cell.inputs != (0,) or cell.output != 3 or len(cell.edges) != 6:
        return False
    pairs = sorted((e.src, e.dst) for e in cell.edges)
    return pairs == sorted(NB201_EDGES) and all(e.op in NB201_OPS for e in cell.edges)


def to_ops(cell: Cell) -> tuple[str, ...]:
    """The 6 ops of a NAS-Bench-201 cell in arch-string order."""
    if not is_nb201_structure(cell):
        raise CellFormatError(f"not a NAS-Bench-201 cell (4 nodes, 6 edges j->i, NB201 ops): {show(cell)}")
    by_pair = {(e.src, e.dst): e.op for e in cell.edges}
    return tuple(by_pair[p] for p in NB201_EDGES)


def to_str(cell: Cell) -> str:
    """The official NAS-Bench-201 string of a NAS-Bench-201 cell."""
    return _ops_str(to_ops(cell))


def _ops_str(ops: Sequence[str]) -> str:
    """The official string of 6 op names in arch-string edge order."""
    nodes = (ops[0:1], ops[1:3], ops[3:6])
    return "+".join("|" + "|".join(f"{op}~{j}" for j, op in enumerate(node)) + "|" for node in nodes)


def to_codes(cell: Cell) -> tuple[int, ...]:
    """Op codes (indices into :data:`NB201_OPS`) in arch-string order."""
    return tuple(NB201_OPS.index(op) for op in to_ops(cell))


def from_naslib(op_indices: Sequence[int]) -> Cell:
    """Cell from NASLib's 6-integer tuple (NASLib op codes, NASLib edge order)."""
    if isinstance(op_indices, (str, bytes)) or not hasattr(op_indices, "__len__") or len(op_indices) != 6:
        n = len(op_indices) if hasattr(op_indices, "__len__") else "?"
        raise CellFormatError(f"NASLib op tuple needs 6 integers 0..4, got {n}: {show(op_indices)}")
    # integers only (int or numpy integer): bools, floats (inf, 2.0) and strings ("1", full-width digits)
    # are refused rather than converted, as for node ids
    bad = [v for v in op_indices if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer))]
    if bad:
        raise CellFormatError(f"NASLib op tuple must hold 6 integers 0..4 (not bool, float or str), "
                              f"got {show(bad[0])} in {show(op_indices)}")
    vals = [int(v) for v in op_indices]
    if len(vals) != 6:
        raise CellFormatError(f"NASLib op tuple needs 6 integers, got {len(vals)}: {show(list(vals))}")
    for v in vals:
        if not 0 <= v < 5:
            raise CellFormatError(f"NASLib op code {v} is outside 0..4 in {show(tuple(vals))}")
    ops = [""] * 6
    for naslib_pos, code in enumerate(vals):
        ops[_NASLIB_TO_STR_POS[naslib_pos]] = NASLIB_OPS[code]
    return from_ops(ops)


def to_naslib(cell: Cell) -> tuple[int, ...]:
    """NASLib's 6-integer tuple for a NAS-Bench-201 cell."""
    ops = to_ops(cell)
    return tuple(NASLIB_OPS.index(ops[_NASLIB_TO_STR_POS[k]]) for k in range(6))


# ---------------------------------------------------------------------- official index order
def codes_key(codes: np.ndarray) -> np.ndarray:
    """Base-5 integer key of op-code rows (shape ``(..., 6)``), a bijection onto 0..15624."""
    codes = np.asarray(codes, dtype=np.int64)
    return codes @ (5 ** np.arange(5, -1, -1, dtype=np.int64))


@lru_cache(maxsize=1)
def index_codes() -> np.ndarray:
    """``(15625, 6)`` uint8 op codes of every cell in official index order (read-only)."""
    try:
        ref = resources.files("benchmarks_data").joinpath("nb201_order.npy")
        with ref.open("rb") as fh:
            codes = np.load(fh)
    except FileNotFoundError:
        raise BenchmarkError(
            "benchmarks_data/nb201_order.npy is missing from the installation; rebuild it with "
            "scripts/build_benchmarks_data.py"
        ) from None
    if codes.shape != (NUM_ARCHS, 6) or codes.max() >= 5:
        raise BenchmarkError(f"benchmarks_data/nb201_order.npy is corrupted (shape {codes.shape})")
    if len(np.unique(codes_key(codes))) != NUM_ARCHS:
        raise BenchmarkError("benchmarks_data/nb201_order.npy is corrupted (repeated cells)")
    codes.setflags(write=False)
    return codes


@lru_cache(maxsize=1)
def _key_to_index() -> np.ndarray:
    inv = np.empty(NUM_ARCHS, dtype=np.int64)
    inv[codes_key(index_codes())] = np.arange(NUM_ARCHS)
    inv.setflags(write=False)
    return inv


def check_index(index: object) -> int:
    """Validate an official index, returning it as int."""
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise IndexOutOfRangeError(f"NAS-Bench-201 index must be an integer 0..{NUM_ARCHS - 1}, got {show(index)}")
    if not 0 <= int(index) < NUM_ARCHS:
        raise IndexOutOfRangeError(f"NAS-Bench-201 index {show(index)} is outside 0..{NUM_ARCHS - 1}")
    return int(index)


def from_index(index: int) -> Cell:
    """Cell with the official NAS-Bench-201 index."""
    codes = index_codes()[check_index(index)]
    return from_ops([NB201_OPS[c] for c in codes])


def index_strings(indices: np.ndarray | Sequence[int] | None = None) -> list[str]:
    """Official arch strings of NAS-Bench-201 indices (all 15,625 when None), without building cells."""
    table = _all_strings()
    if indices is None:
        return list(table)
    idx = np.asarray(indices, dtype=np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= NUM_ARCHS):
        bad = int(idx[(idx < 0) | (idx >= NUM_ARCHS)][0])
        raise IndexOutOfRangeError(f"NAS-Bench-201 index {bad} is outside 0..{NUM_ARCHS - 1}")
    return [table[i] for i in idx.tolist()]


@lru_cache(maxsize=1)
def _all_strings() -> tuple[str, ...]:
    return tuple(_ops_str([NB201_OPS[c] for c in row]) for row in index_codes().tolist())


def index_of_codes(codes: np.ndarray) -> np.ndarray:
    """Official indices of op-code rows (vectorized)."""
    return _key_to_index()[codes_key(codes)]


def to_index(cell: Cell) -> int:
    """Official NAS-Bench-201 index of a NAS-Bench-201 cell."""
    return int(index_of_codes(np.array(to_codes(cell)))) 
