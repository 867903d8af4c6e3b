"""Adjacency matrix + op list (NAS-Bench-101 style).

Two op-list conventions are accepted by :func:`from_adjacency`:

* **edge ops**: one op per edge, in row-major order of the matrix's non-zero entries (an entry
  ``k > 1`` is ``k`` parallel edges, taking ``k`` consecutive ops);
* **node ops** (NAS-Bench-101): one op per node, ``ops[0] == "input"`` and ``ops[-1] == "output"``.
  Each edge ``u -> v`` then carries ``ops[v]``. This keeps every path's count of parameterized
  ops exact (a path enters each node through exactly one edge), so d-bar and m-bar are exact.

Node 0 is the input and the last node the output unless ``inputs``/``output`` say otherwise.
Entries must be finite, non-negative whole numbers (an integer or a float like ``2.0``; bool and
complex arrays are refused) of at most :data:`~dagfilter.limits.MAX_EDGES` in all, checked before
any conversion, so that ``inf``, ``2**63`` or ``1e19`` are errors rather than a silently dropped edge.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..cell import Cell, Edge
from ..errors import CellFormatError, show
from ..limits import MAX_EDGES, MAX_NODES


def _as_matrix(matrix: object) -> np.ndarray:
    try:
        m = np.asarray(matrix)
    except Exception as exc:  # ragged lists and the like
        raise CellFormatError(f"adjacency matrix is not a rectangular array: {exc}") from None
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise CellFormatError(f"adjacency matrix must be square, got shape {m.shape}")
    if m.shape[0] > MAX_NODES:
        raise CellFormatError(f"adjacency matrix of {m.shape[0]:,} nodes is more than the limit {MAX_NODES:,}")
    if m.dtype == object or not np.issubdtype(m.dtype, np.number) or np.issubdtype(m.dtype, np.complexfloating):
        raise CellFormatError(f"adjacency matrix must hold integers (edge counts), got dtype {m.dtype}")
    if np.issubdtype(m.dtype, np.floating):
        bad = ~np.isfinite(m) | (m != np.round(m))
        if bad.any():
            i, j = (int(k[0]) for k in np.nonzero(bad))
            raise CellFormatError(f"adjacency matrix entry [{i}][{j}] = {show(m[i, j].item())} is not an integer edge count")
    if np.any(m < 0):
        i, j = (int(k[0]) for k in np.nonzero(m < 0))
        raise CellFormatError(f"adjacency matrix entry [{i}][{j}] = {show(m[i, j].item())} is negative; "
                              "entries are edge counts")
    # compare before casting: 2**63, 1e19 or uint64-max must not wrap around to a small or negative count
    if m.size and m.max() > MAX_EDGES:
        i, j = (int(k[0]) for k in np.nonzero(m > MAX_EDGES))
        raise CellFormatError(f"adjacency matrix entry [{i}][{j}] = {show(m[i, j].item())} is more than the "
                              f"limit of {MAX_EDGES:,} edges (dagfilter.limits.MAX_EDGES)")
    m = m.astype(np.int64)
    total = int(m.sum())
    if total > MAX_EDGES:
        raise CellFormatError(f"adjacency matrix holds {total:,} edges, more than the limit {MAX_EDGES:,} "
                              "(dagfilter.limits.MAX_EDGES)")
    return m


def from_adjacency(matrix: object, ops: Sequence[str], inputs: Sequence[int] = (0,),
                   output: int = -1) -> Cell:
    """Cell from an adjacency matrix and an op list (edge ops or NAS-Bench-101 node ops)."""
    m = _as_matrix(matrix)
    n = m.shape[0]
    if isinstance(ops, (str, bytes)) or not hasattr(ops, "__iter__"):
        raise CellFormatError(f"ops must be a list of op names, got {show(ops)}")
    ops = list(ops)
    pairs = [(int(s), int(d)) for s, d in zip(*np.nonzero(m)) for _ in range(int(m[s, d]))]
    node_mode = len(ops) == n and n > 0 and ops[0] == "input"
    if node_mode:
        if ops[-1] != "output" and output == -1:
            raise CellFormatError(f"NAS-Bench-101 node ops must end with 'output', got {ops[-1]!r}")
        edges = tuple(Edge(s, d, ops[d]) for s, d in pairs)
    elif len(ops) == len(pairs):
        edges = tuple(Edge(s, d, op) for (s, d), op in zip(pairs, ops))
    else:
        raise CellFormatError(
            f"op list has {len(ops)} ops; expected {len(pairs)} (one per edge) or {n} "
            f"(one per node, starting with 'input')"
        )
    return Cell(n, edges, tuple(inputs), output)


def to_adjacency(cell: Cell, node_ops: bool = False) -> tuple[np.ndarray, list[str]]:
    """Adjacency (edge-count) matrix and op list of a cell.

    With ``node_ops=True`` the NAS-Bench-101 node-op list is returned; this needs every node's
    incoming edges to share one op.
    """
    n = cell.num_nodes
    m = np.zeros((n, n), dtype=np.int64)
    for e in cell.edges:
        m[e.src, e.dst] += 1
    if not node_ops:
        ordered = sorted(range(len(cell.edges)), key=lambda i: (cell.edges[i].src, cell.edges[i].dst, i))
        return m, [cell.edges[i].op for i in ordered]
    node_op: list[str] = ["input" if v in cell.inputs else "" for v in range(n)]
    for e in cell.edges:
        if node_op[e.dst] and node_op[e.dst] != e.op:
            raise CellFormatError(
                f"node {e.dst} has incoming edges with different ops ({node_op[e.dst]!r}, {e.op!r}); "
                "node-op form needs one op per node"
            )
        node_op[e.dst] = e.op
    return m, node_op
