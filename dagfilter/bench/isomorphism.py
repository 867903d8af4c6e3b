"""Which NAS-Bench-201 cells compute the same function.

Two conventions are offered; both are pure functions of the 6 edge ops.

``"nb201"`` (default) - the convention behind the NAS-Bench-201 paper's figure of **6,466**
unique computations among the 15,625 cells. Every node gets a canonical text: the input is
``0``; an edge contributes ``#`` (a zero) when its op is ``none`` or its source is exactly
``#``; ``skip_connect`` passes its source text through; any other op wraps it as
``(src)@op``. A node is the ``+``-join of its sorted edge texts. Cells with equal output
text are one class. So edges that never reach the output, ``none`` placement, and the order
of a node's inputs do not matter; sums are compared as texts (not re-associated) and a node
that is the sum of several zeros is not itself treated as zero.

``"algebraic"`` - a coarser, exact-algebra view: node values are multisets of terms, sums are
flattened (associative), zero terms are dropped and any op applied to a zero is zero. It
gives **4,930** classes. It is the right notion when "same function up to weight values" is
meant; use ``"nb201"`` to compare with the literature.

Class ids are dense integers ``0..K-1`` numbered by the smallest official index in each
class, so class ``c``'s representative is ``representatives()[c]``.
"""
from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import CellFormatError, ConfigError
from ..encodings import nb201 as enc

CONVENTIONS = ("nb201", "algebraic")
"""Known isomorphism conventions; see the module docstring."""

_ZERO = "#"


def _check_convention(convention: str) -> str:
    if convention not in CONVENTIONS:
        raise ConfigError(f"unknown isomorphism convention {convention!r}; known: {', '.join(CONVENTIONS)}")
    return convention


def _incoming(ops: tuple[str, ...]) -> dict[int, list[tuple[int, str]]]:
    inc: dict[int, list[tuple[int, str]]] = {1: [], 2: [], 3: []}
    for (src, dst), op in zip(enc.NB201_EDGES, ops):
        inc[dst].append((src, op))
    return inc


def _key_nb201(ops: tuple[str, ...]) -> str:
    text = {0: "0"}
    for node, edges in _incoming(ops).items():
        parts = []
        for src, op in edges:
            s = text[src]
            if op == "none" or s == _ZERO:
                parts.append(_ZERO)
            elif op == "skip_connect":
                parts.append(s)
            else:
                parts.append(f"({s})@{op}")
        text[node] = "+".join(sorted(parts))
    return text[3]


def _key_algebraic(ops: tuple[str, ...]) -> str:
    # a node value is a sorted tuple of terms; the input is the single term "x"; () is zero
    value: dict[int, tuple] = {0: ("x",)}
    for node, edges in _incoming(ops).items():
        terms: list = []
        for src, op in edges:
            v = value[src]
            if op == "none" or not v:
                continue
            if op == "skip_connect":
                terms.extend(v)
            else:
                terms.append((op, v))
        value[node] = tuple(sorted(terms, key=repr))
    return repr(value[3])


def _ops_of(arch: Any) -> tuple[str, ...]:
    from ..cell import Cell
    from ..encodings.parse import parse_arch

    cell = arch if isinstance(arch, Cell) else parse_arch(arch)
    if not isinstance(cell, Cell) or not cell.is_nb201():
        raise CellFormatError(f"not a NAS-Bench-201 cell: {arch!r}")
    return tuple(cell.nb201_ops())


def nb201_iso_key(arch: Any, convention: str = "nb201") -> str:
    """Canonical text of a NAS-Bench-201 cell (any encoding); equal texts <=> same class."""
    fn = _key_nb201 if _check_convention(convention) == "nb201" else _key_algebraic
    return fn(_ops_of(arch))


@lru_cache(maxsize=len(CONVENTIONS))
def _classes_by_codekey(convention: str) -> tuple[np.ndarray, np.ndarray]:
    """``(class_of_codekey, representatives)``; codekey = base-5 key of the op codes."""
    fn = _key_nb201 if convention == "nb201" else _key_algebraic
    keys = [fn(ops) for ops in itertools.product(enc.NB201_OPS, repeat=6)]  # codekey order
    official_codes = enc.index_codes()
    codekey_of_index = enc.codes_key(official_codes)
    first_seen: dict[str, int] = {}
    class_of_index = np.empty(enc.NUM_ARCHS, dtype=np.int32)
    reps: list[int] = []
    for idx, ck in enumerate(codekey_of_index):
        k = keys[ck]
        cid = first_seen.get(k)
        if cid is None:
            cid = first_seen[k] = len(reps)
            reps.append(idx)
        class_of_index[idx] = cid
    class_of_codekey = np.empty(enc.NUM_ARCHS, dtype=np.int32)
    class_of_codekey[codekey_of_index] = class_of_index
    class_of_codekey.setflags(write=False)
    rep = np.asarray(reps, dtype=np.int64)
    rep.setflags(write=False)
    return class_of_codekey, rep


def nb201_iso_classes(op_codes: "np.ndarray | None" = None, convention: str = "nb201") -> np.ndarray:
    """Vectorized class ids.

    Args:
        op_codes: ``(N, 6)`` op codes (indices into ``NB201_OPS``, arch-string edge order);
            ``None`` means the whole space in official index order.
        convention: ``"nb201"`` (6,466 classes) or ``"algebraic"`` (4,930).

    Returns:
        int32 array of length N (15,625 for ``None``).
    """
    table, _ = _classes_by_codekey(_check_convention(convention))
    if op_codes is None:
        return table[enc.codes_key(enc.index_codes())]
    codes = np.asarray(op_codes)
    if codes.ndim != 2 or codes.shape[1] != 6:
        raise CellFormatError(f"op codes must have shape (N, 6), got {codes.shape}")
    if codes.size and (codes.min() < 0 or codes.max() >= len(enc.NB201_OPS)):
        raise CellFormatError(f"op codes must be integers 0..{len(enc.NB201_OPS) - 1}")
    return table[enc.codes_key(codes)]


def nb201_iso_class(arch: Any, convention: str = "nb201") -> int:
    """Class id of one NAS-Bench-201 cell given in any encoding (string, index, NASLib tuple, ...)."""
    table, _ = _classes_by_codekey(_check_convention(convention))
    codes = np.array([enc.NB201_OPS.index(op) for op in _ops_of(arch)])
    return int(table[enc.codes_key(codes)])


def representatives(convention: str = "nb201") -> np.ndarray:
    """Official index of the smallest member of each class (position = class id)."""
    return _classes_by_codekey(_check_convention(convention))[1]


def num_iso_classes(convention: str = "nb201") -> int:
    """Number of classes: 6,466 (``"nb201"``) or 4,930 (``"algebraic"``)."""
    return len(representatives(convention))


def same_computation(a: Any, b: Any, convention: str = "nb201") -> bool:
    """True if two NAS-Bench-201 cells (any encodings) are in the same class."""
    return nb201_iso_class(a, convention) == nb201_iso_class(b, convention)


__all__ = ["CONVENTIONS", "nb201_iso_key", "nb201_iso_class", "nb201_iso_classes", "representatives",
           "num_iso_classes", "same_computation"]
