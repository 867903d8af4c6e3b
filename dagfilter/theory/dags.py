"""The three example DAGs of Figure 3 (Chen et al., effective depth/width paper, Sec. 3.3).

All three are NAS-Bench-201-shaped 4-node cells (input node 0, output node 3, one edge per
node pair) with exactly three ``linear`` (parameterized) edges, so they have the same number
of parameters and differ only in how the nodes are connected:

* DAG#1, sequential: ``0->1, 1->2, 2->3`` linear, every other edge ``none``.
* DAG#2, parallel: ``0->3, 1->3, 2->3`` linear, ``0->1, 1->2`` skip, ``0->2`` none.
* DAG#3, mixed: ``0->1, 0->2, 2->3`` linear, ``0->3, 1->2, 1->3`` skip.
"""
from __future__ import annotations

from ..cell import Cell
from ..errors import ConfigError

PAPER_DAG_EDGES: dict[int, tuple[tuple[int, int, str], ...]] = {
    1: ((0, 1, "linear"), (0, 2, "none"), (1, 2, "linear"),
        (0, 3, "none"), (1, 3, "none"), (2, 3, "linear")),
    2: ((0, 1, "skip_connect"), (0, 2, "none"), (1, 2, "skip_connect"),
        (0, 3, "linear"), (1, 3, "linear"), (2, 3, "linear")),
    3: ((0, 1, "linear"), (0, 2, "linear"), (1, 2, "skip_connect"),
        (0, 3, "skip_connect"), (1, 3, "skip_connect"), (2, 3, "linear")),
}
"""Edges ``(src, dst, op)`` of the paper's DAG#1-#3, keyed by DAG number."""

PAPER_DAG_NAMES: dict[int, str] = {1: "DAG#1 (sequential)", 2: "DAG#2 (parallel)", 3: "DAG#3 (mixed)"}


def paper_dag(number: int) -> Cell:
    """The paper's DAG#``number`` (1, 2 or 3) of Figure 3 as a :class:`~dagfilter.cell.Cell`.

    >>> from dagfilter.metrics import path_stats
    >>> path_stats(paper_dag(3)).path_depths
    [0, 1, 2, 2]
    """
    if isinstance(number, bool) or number not in PAPER_DAG_EDGES:
        raise ConfigError(f"paper DAG number must be 1, 2 or 3, got {number!r}")
    return Cell(4, PAPER_DAG_EDGES[number], (0,), 3)


def paper_dags() -> dict[str, Cell]:
    """All three paper DAGs, keyed ``"dag1"``, ``"dag2"``, ``"dag3"``."""
    return {f"dag{k}": paper_dag(k) for k in sorted(PAPER_DAG_EDGES)}


def resolve_cell(spec: object) -> Cell:
    """A cell from ``"dag1"``/``"dag2"``/``"dag3"`` (or ``"DAG#2"``) or any encoding
    :func:`dagfilter.encodings.parse.parse_arch` accepts (NB201 string or index, JSON file, ...).

    Raises:
        CellFormatError / ConfigError: the spec is not a cell; a genotype (two-part DARTS cell)
            must be turned into one cell first with ``Cell.from_genotype(g, part)``.
    """
    if isinstance(spec, Cell):
        return spec
    if isinstance(spec, str):
        key = spec.strip().lower().replace("#", "").replace("_", "").replace("-", "")
        if key in ("dag1", "dag2", "dag3"):
            return paper_dag(int(key[-1]))
    from ..encodings.parse import parse_arch

    arch = parse_arch(spec)
    if not isinstance(arch, Cell):
        raise ConfigError(f"{spec!r} is a two-cell genotype, not a single cell; "
                          "pick one with Cell.from_genotype(g, part='normal'|'reduce')")
    return arch
