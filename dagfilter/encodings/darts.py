"""DARTS-style genotypes (DARTS, ENAS, PNAS, AmoebaNet, NASNet / NDS spaces).

A genotype has a ``normal`` and a ``reduce`` cell, each a list of ``(op, input)`` pairs, two per
intermediate node, and a ``*_concat`` list of the nodes concatenated into the cell output.
Nodes 0 and 1 are the cell's two inputs (outputs of the two previous cells); intermediate nodes
are numbered from 2; the output node is ``2 + k`` for ``k`` intermediate nodes and receives one
parameter-free ``concat`` edge from each concatenated node (and nothing else).

Accepted forms: the ``Genotype`` namedtuple of DARTS code (any object with the four attributes),
the NDS JSON dict (lists instead of tuples), a JSON string of that dict, and the ``repr`` that
DARTS code prints (``Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=range(2, 6), ...)``).
"""
from __future__ import annotations

import ast
import json
import numbers
from typing import Any, Mapping, Sequence

from ..cell import Cell, Edge
from ..errors import CellFormatError, GraphError
from ..genotypes import Genotype

PARTS = ("normal", "reduce")
DARTS_OPS: tuple[str, ...] = (
    "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
)
"""The 7 non-zero DARTS ops, in NASLib / NAS-Bench-301 order."""


_MAX_RANGE = 100_000


def _safe_eval_genotype_repr(text: str) -> Genotype:
    """Evaluate ``Genotype(normal=..., ...)`` text with literals and ``range`` only (no eval)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        raise CellFormatError(f"cannot parse genotype text {text[:80]!r}: {getattr(exc, 'msg', None) or exc}") from None

    def conv(node: ast.AST) -> Any:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "range":
                args = [conv(a) for a in node.args]
                if not 1 <= len(args) <= 3 or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
                    raise CellFormatError(f"range() in genotype text takes 1-3 integers, got {args!r}")
                r = range(*args)
                if _length(r) > _MAX_RANGE:
                    raise CellFormatError(f"range{tuple(args)!r} in genotype text is longer than {_MAX_RANGE}")
                return list(r)
            if node.func.id == "Genotype":
                kw = {k.arg: conv(k.value) for k in node.keywords}
                args = [conv(a) for a in node.args]
                try:
                    return Genotype(*args, **kw)
                except TypeError as exc:
                    raise CellFormatError(f"bad Genotype fields in {text[:80]!r}: {exc}") from None
        if isinstance(node, (ast.List, ast.Tuple)):
            return [conv(e) for e in node.elts]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -conv(node.operand)
        raise CellFormatError(f"unexpected expression {ast.dump(node)[:60]} in genotype text {text[:80]!r}")

    try:
        out = conv(tree.body)
    except CellFormatError:
        raise
    except (RecursionError, TypeError, ValueError) as exc:
        raise CellFormatError(f"cannot evaluate genotype text {text[:80]!r}: {exc}") from None
    if not isinstance(out, Genotype):
        raise CellFormatError(f"text is not a Genotype(...) expression: {text[:80]!r}")
    return out


def _short(value: Any) -> str:
    from ..errors import show

    return show(value)


def _length(seq: Any) -> int:
    """``len(seq)``, also for a ``range`` longer than ``sys.maxsize`` (whose len() overflows)."""
    try:
        return len(seq)
    except OverflowError:
        if not isinstance(seq, range):
            raise CellFormatError(f"a genotype list of {type(seq).__name__} has a length beyond sys.maxsize") from None
        r = seq
        return max(0, (r.stop - r.start + r.step - (1 if r.step > 0 else -1)) // r.step)


def to_genotype(value: Any) -> Genotype:
    """Normalize any accepted genotype form to a :class:`~dagfilter.genotypes.Genotype` of lists."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            from .parse import load_json_text

            value = load_json_text(text, "genotype text")
            if not isinstance(value, Mapping):
                raise CellFormatError(f"genotype JSON must be an object, got {_short(value)}")
        elif text.startswith("Genotype("):
            value = _safe_eval_genotype_repr(text)
        else:
            raise CellFormatError(f"not a genotype (JSON dict or Genotype(...) text): {text[:80]!r}")
    fields = {}
    for name in ("normal", "normal_concat", "reduce", "reduce_concat"):
        if isinstance(value, Mapping):
            if name not in value:
                raise CellFormatError(f"genotype dict lacks key {name!r}; it has {sorted(value)!r}")
            fields[name] = value[name]
        elif hasattr(value, name):
            fields[name] = getattr(value, name)
        else:
            raise CellFormatError(f"not a genotype: {type(value).__name__} has no field {name!r}")
    from ..limits import MAX_NODES

    norm = {}
    for part in PARTS:
        pairs = fields[part]
        if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence):
            raise CellFormatError(f"genotype {part!r} must be a list of (op, input) pairs, got {_short(pairs)}")
        n_pairs = _length(pairs)
        if n_pairs > 2 * MAX_NODES:  # before any iteration: range(10**18) must not be walked
            raise CellFormatError(f"genotype {part!r} has {n_pairs:,} pairs, more than the limit {2 * MAX_NODES:,} "
                                  "(2 per node; dagfilter.limits.MAX_NODES)")
        out = []
        for k, pair in enumerate(pairs):
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise CellFormatError(f"genotype {part}[{k}] must be an (op, input) pair, got {_short(pair)}")
            op, inp = pair
            if isinstance(inp, bool) or not isinstance(inp, numbers.Integral):
                raise CellFormatError(f"genotype {part}[{k}] input must be an integer node id, got {_short(inp)}")
            if not isinstance(op, str):
                raise CellFormatError(f"genotype {part}[{k}] op must be an op name, got {_short(op)}")
            out.append((op, int(inp)))
        norm[part] = out
        concat = fields[f"{part}_concat"]
        if isinstance(concat, (str, bytes, Mapping)) or not isinstance(concat, (Sequence, range)):
            raise CellFormatError(f"genotype {part}_concat must list integer node ids, got {_short(concat)}")
        n_concat = _length(concat)
        if n_concat > MAX_NODES:  # each node once, so never more than the nodes of a cell
            raise CellFormatError(f"genotype {part}_concat lists {n_concat:,} nodes, more than the limit "
                                  f"{MAX_NODES:,} (dagfilter.limits.MAX_NODES)")
        if not all(isinstance(c, numbers.Integral) and not isinstance(c, bool) for c in concat):
            raise CellFormatError(f"genotype {part}_concat must list integer node ids, got {_short(concat)}")
        ids = [int(c) for c in concat]
        if len(set(ids)) != len(ids):  # a repeated node would count its paths twice (m_bar doubled)
            seen: set[int] = set()
            dup = next(c for c in ids if c in seen or seen.add(c))  # type: ignore[func-returns-value]
            raise CellFormatError(f"genotype {part}_concat names node {dup} more than once: {_short(concat)}")
        norm[f"{part}_concat"] = ids
    return Genotype(**norm)


def cell_from_genotype(genotype: Any, part: str = "normal") -> Cell:
    """The ``normal`` or ``reduce`` cell of a genotype as a :class:`Cell`."""
    if part not in PARTS:
        raise CellFormatError(f"genotype part must be 'normal' or 'reduce', got {part!r}")
    g = to_genotype(genotype)
    pairs = getattr(g, part)
    concat = getattr(g, f"{part}_concat")
    if not pairs or len(pairs) % 2:
        raise CellFormatError(f"genotype {part} needs two (op, input) pairs per node, got {len(pairs)} pairs")
    k = len(pairs) // 2
    output = 2 + k
    edges = []
    for j, (op, src) in enumerate(pairs):
        dst = 2 + j // 2
        if not 0 <= src < dst:
            raise GraphError(
                f"genotype {part}[{j}] = ({op!r}, {src}): node {dst} can only take inputs 0..{dst - 1}"
            )
        edges.append(Edge(src, dst, op))
    if not concat:
        raise CellFormatError(f"genotype {part}_concat is empty")
    for c in concat:
        if not 0 <= c < output:
            raise GraphError(f"genotype {part}_concat names node {c}, outside 0..{output - 1}")
    edges.extend(Edge(c, output, "concat") for c in concat)
    return Cell(output + 1, tuple(edges), (0, 1), output)


def cells_from_genotype(genotype: Any) -> tuple[Cell, Cell]:
    """``(normal, reduce)`` cells of a genotype."""
    g = to_genotype(genotype)
    return cell_from_genotype(g, "normal"), cell_from_genotype(g, "reduce")


def pairs_from_cell(cell: Cell) -> tuple[list[tuple[str, int]], list[int]]:
    """Inverse of :func:`cell_from_genotype` for one cell: ``(pairs, concat)``."""
    if cell.inputs != (0, 1):
        raise CellFormatError(f"a genotype cell has inputs (0, 1), this one has {cell.inputs}")
    concat = sorted(e.src for e in cell.edges if e.dst == cell.output)
    body = [e for e in cell.edges if e.dst != cell.output]
    if any(e.op != "concat" for e in cell.edges if e.dst == cell.output):
        raise CellFormatError("edges into a genotype cell's output must all be 'concat'")
    pairs = [(e.op, e.src) for e in sorted(body, key=lambda e: e.dst)]
    return pairs, concat


def genotype_from_cells(normal: Cell, reduce: Cell) -> Genotype:
    """Build a :class:`Genotype` from a normal and a reduce :class:`Cell`."""
    n_pairs, n_concat = pairs_from_cell(normal)
    r_pairs, r_concat = pairs_from_cell(reduce)
    return Genotype(n_pairs, n_concat, r_pairs, r_concat)


def genotype_to_json(genotype: Any) -> dict:
    """The NDS JSON dict form of a genotype (lists, not tuples)."""
    g = to_genotype(genotype)
    return {
        "normal": [[op, i] for op, i in g.normal], "normal_concat": list(g.normal_concat),
        "reduce": [[op, i] for op, i in g.reduce], "reduce_concat": list(g.reduce_concat),
    }
