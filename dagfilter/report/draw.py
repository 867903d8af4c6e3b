"""Draw a cell DAG: parameterized edges solid and coloured, parameter-free edges dashed,
``none`` edges faint (or omitted), nodes labelled.

>>> from dagfilter.report.draw import draw_arch
>>> fig = draw_arch("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")
>>> fig.savefig("cell.svg")                                         # doctest: +SKIP

A DARTS-style genotype (any encoding :func:`~dagfilter.encodings.parse.parse_arch` reads) is
drawn as two panels, the normal and the reduction cell.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch

from ..cell import Cell
from ..errors import ConfigError

ZERO_STYLES = ("faint", "omit")
_PARAM_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
_SHORT = {"nor_conv_3x3": "conv 3×3", "nor_conv_1x1": "conv 1×1", "avg_pool_3x3": "avg pool 3×3",
          "max_pool_3x3": "max pool 3×3", "skip_connect": "skip", "sep_conv_3x3": "sep 3×3",
          "sep_conv_5x5": "sep 5×5", "dil_conv_3x3": "dil 3×3", "dil_conv_5x5": "dil 5×5", "none": "none"}


def short_op(op: str) -> str:
    """Short display name of an op."""
    return _SHORT.get(op, op)


def _levels(cell: Cell) -> dict[int, int]:
    """Longest-path level of each node from the inputs."""
    level = {v: 0 for v in cell.inputs}
    for v in cell.topological_order:
        preds = [e.src for e in cell.edges if e.dst == v]
        if v not in level:
            level[v] = 1 + max((level.get(u, 0) for u in preds), default=0)
    return level


def node_positions(cell: Cell, genotype: bool = False) -> dict[int, tuple[float, float]]:
    """Node coordinates.

    Cells: x = longest-path level from the inputs, nodes of one level spread on y.
    Genotype cells (``genotype=True``): the two inputs stacked on the left, intermediate nodes
    on a descending diagonal in index order, the concatenation output on the right.
    """
    if genotype:
        inner = [v for v in range(cell.num_nodes) if v not in cell.inputs and v != cell.output]
        pos = {cell.inputs[0]: (0.0, 0.8)}
        if len(cell.inputs) > 1:
            pos[cell.inputs[1]] = (0.0, -0.8)
        k = len(inner)
        for j, v in enumerate(inner):
            pos[v] = (1.7 * (j + 1), 0.9 * ((k - 1) / 2 - j))
        pos[cell.output] = (1.7 * (k + 1), 0.0)
        return pos
    level = _levels(cell)
    by_level: dict[int, list[int]] = {}
    for v in cell.topological_order:
        by_level.setdefault(level[v], []).append(v)
    pos = {}
    for lv, nodes in by_level.items():
        for i, v in enumerate(nodes):
            pos[v] = (1.6 * lv, 1.5 * (i - (len(nodes) - 1) / 2))
    return pos


def _blocked(p: tuple[float, float], q: tuple[float, float], others: list[tuple[float, float]], clearance: float) -> bool:
    """Whether the segment p-q passes within ``clearance`` of any point in ``others``."""
    a, b = np.asarray(p), np.asarray(q)
    ab = b - a
    for o in others:
        t = float(np.clip(np.dot(np.asarray(o) - a, ab) / max(np.dot(ab, ab), 1e-12), 0.0, 1.0))
        if np.linalg.norm(a + t * ab - np.asarray(o)) < clearance:
            return True
    return False


def _node_label(cell: Cell, v: int, genotype: bool) -> str:
    if genotype:
        if v in cell.inputs:
            return "$c_{k-2}$" if v == cell.inputs[0] else "$c_{k-1}$"
        if v == cell.output:
            return "$c_k$"
        return str(v - len(cell.inputs))
    if v in cell.inputs:
        return "in" if len(cell.inputs) == 1 else f"in{v}"
    if v == cell.output:
        return "out"
    return str(v)


def draw_cell(cell: Cell, ax: Axes, title: str | None = None, zero: str = "faint", genotype: bool = False,
              colors: dict[str, str] | None = None) -> dict[str, Line2D]:
    """Draw ``cell`` on ``ax``; returns legend handles keyed by op name.

    Args:
        zero: ``"faint"`` draws ``none`` edges as light dotted lines, ``"omit"`` leaves them out.
        genotype: lay out and label nodes the DARTS way (``c_{k-2}``, ``c_{k-1}``, 0.., ``c_k``).
        colors: op -> colour for parameterized ops (filled in as needed, shared across panels).
    """
    if zero not in ZERO_STYLES:
        raise ConfigError(f"zero must be one of {', '.join(ZERO_STYLES)}, got {zero!r}")
    from ..limits import check_title

    title = check_title(title)
    colors = colors if colors is not None else {}
    pos = node_positions(cell, genotype)
    radius = 0.27
    circles = {}
    for v, (x, y) in pos.items():
        io_node = v in cell.inputs or v == cell.output
        circles[v] = Circle((x, y), radius, fc="#fde9c9" if io_node else "white", ec="#333333", lw=1.3, zorder=5)
        ax.add_patch(circles[v])
        ax.text(x, y, _node_label(cell, v, genotype), ha="center", va="center", fontsize=9, zorder=6)
    handles: dict[str, Line2D] = {}
    drawn = [e for e in cell.edges if not (zero == "omit" and cell.registry.kind(e.op) == "zero")]
    total_pairs = Counter((e.src, e.dst) for e in drawn)
    pair_count: Counter[tuple[int, int]] = Counter()
    flip = 1
    extent = list(pos.values())
    for e in drawn:
        kind = cell.registry.kind(e.op)
        (x1, y1), (x2, y2) = pos[e.src], pos[e.dst]
        k = pair_count[(e.src, e.dst)]
        pair_count[(e.src, e.dst)] += 1
        others = [p for v, p in pos.items() if v not in (e.src, e.dst)]
        if total_pairs[(e.src, e.dst)] > 1:
            rad = (k - (total_pairs[(e.src, e.dst)] - 1) / 2) * 0.4
        elif _blocked(pos[e.src], pos[e.dst], others, 2.0 * radius):
            rad = 0.28 * flip
            flip = -flip
        else:
            rad = 0.0
        if e.op == "concat":
            style = dict(color="#9a9a9a", lw=1.0, ls=(0, (3, 2)))
        elif kind == "param":
            colors.setdefault(e.op, _PARAM_COLORS[len(colors) % len(_PARAM_COLORS)])
            style = dict(color=colors[e.op], lw=2.4, ls="-")
        elif kind == "free":
            style = dict(color="#404040", lw=1.6, ls=(0, (5, 3)))
        else:
            style = dict(color="#c8c8c8", lw=1.0, ls=(0, (1, 2)))
        ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                     mutation_scale=12, patchA=circles[e.src], patchB=circles[e.dst],
                                     shrinkA=1, shrinkB=1, zorder=2, **style))
        dx, dy = x2 - x1, y2 - y1
        mx, my = (x1 + x2) / 2 + 0.5 * rad * dy, (y1 + y2) / 2 - 0.5 * rad * dx
        extent.append((mx, my))
        if e.op != "concat":
            ax.text(mx, my, short_op(e.op), fontsize=7.5, ha="center", va="center", zorder=4,
                    color="#999999" if kind == "zero" else style["color"],
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
        label = "concatenation (output)" if e.op == "concat" else e.op
        if label not in handles:
            what = {"param": "parameterized", "free": "parameter-free", "zero": "zero: no path"}[kind]
            handles[label] = Line2D([], [], color=style["color"], lw=style["lw"], ls=style["ls"],
                                    label=label if e.op == "concat" else f"{label} ({what})")
    xs = [p[0] for p in extent]
    ys = [p[1] for p in extent]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return handles


MAX_DRAW_NODES = 24
"""Largest cell :func:`draw_arch` draws (DARTS-like cells have 7, NAS-Bench-201 cells 4)."""


def draw_arch(arch: Any, zero: str = "faint", title: str | None = None) -> Figure:
    """A figure of any architecture: one panel for a cell, two (normal, reduce) for a genotype.

    Raises:
        CellFormatError: ``arch`` is not a readable architecture. ConfigError: bad ``zero``; a
            ``title`` longer than :data:`~dagfilter.limits.MAX_TITLE_CHARS` or with invalid ``$...$`` mathtext.
    """
    from ..encodings.darts import cell_from_genotype
    from ..encodings.parse import parse_arch
    from ..limits import check_title
    from ..metrics import depth_width

    title = check_title(title)  # before any work: a bad macro would otherwise fail only when saving
    a = parse_arch(arch)
    colors: dict[str, str] = {}
    if isinstance(a, Cell):
        cells = [("cell", a)]
        genotype = False
    else:
        cells = [(p, cell_from_genotype(a, p)) for p in ("normal", "reduce")]
        genotype = True
    too_big = [c for _, c in cells if c.num_nodes > MAX_DRAW_NODES or len(c.edges) > 4 * MAX_DRAW_NODES]
    if too_big:
        from ..errors import ConfigError

        raise ConfigError(f"a cell of {too_big[0].num_nodes} nodes and {len(too_big[0].edges)} edges is too large to "
                          f"draw legibly (at most {MAX_DRAW_NODES} nodes and {4 * MAX_DRAW_NODES} edges); "
                          "'dagfilter metrics' reports it")
    spans = [np.ptp([p[0] for p in node_positions(c, genotype).values()]) + 1.2 for _, c in cells]
    heights = [np.ptp([p[1] for p in node_positions(c, genotype).values()]) + 2.2 for _, c in cells]
    widths = [float(w) for w in spans]
    scale = 0.62 if genotype else 0.95
    fig = Figure(figsize=(max(5.0, scale * sum(widths) + 0.5), scale * max(heights) + 1.4), layout="constrained")
    axes = fig.subplots(1, len(cells), width_ratios=widths, squeeze=False)[0]
    handles: dict[str, Line2D] = {}
    for ax, (part, c) in zip(axes, cells):
        d, m = depth_width(c)
        head = f"{part} cell: " if genotype else ""
        handles.update(draw_cell(c, ax, f"{head}$\\bar{{d}}$ = {d:.3g}, $\\bar{{m}}$ = {m:.3g}", zero, genotype, colors))
    order = sorted(handles, key=lambda k: ("parameterized" not in handles[k].get_label(), k))
    # as many legend columns as fit the figure's width (fontsize 8: about 0.07 in per character plus
    # 0.6 in of handle and padding per entry); a single column wider than the figure widens it
    entry = 0.6 + 0.07 * max((len(handles[k].get_label()) for k in order), default=0)
    width = fig.get_figwidth()
    ncol = max(1, min(3, len(order), int(width // entry)))
    if ncol * entry > width:
        fig.set_figwidth(ncol * entry + 0.2)
    fig.legend(handles=[handles[k] for k in order], loc="outside lower center", ncol=ncol, fontsize=8,
               frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


__all__ = ["draw_arch", "draw_cell", "node_positions", "short_op", "ZERO_STYLES"]
