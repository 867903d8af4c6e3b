"""DARTS supernet (Liu et al., ICLR 2019 search network) with alive-op masks per edge.

Each cell has two inputs (nodes 0, 1: the two previous cells' outputs, preprocessed to ``C``
channels), ``steps`` intermediate nodes and an output concatenating the last ``multiplier``
intermediate nodes. Every intermediate node ``i`` (numbered from 2) has one mixed edge from each
earlier node ``j < i``: 2 + 3 + 4 + 5 = 14 edges for 4 steps, in the order
``(0,2), (1,2), (0,3), (1,3), (2,3), (0,4), ...``. Normal and reduction cells have separate
architectures; ops follow :mod:`dagfilter.nets.ops_darts` with BatchNorm without affine
parameters, as in DARTS' search network.

The architecture is a mapping ``{"normal": edges, "reduce": edges}`` with one tuple of alive op
names per edge; an edge whose tuple is empty is removed (TE-NAS's edge-pruning stage).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from ..encodings.darts import DARTS_OPS as DARTS_SPACE_OPS
from ..errors import ConfigError
from ..nets.ops_darts import FactorizedReduce, ReLUConvBN, make_darts_op
from .mixed import MixedOp, add_inputs

PartArch = tuple[tuple[str, ...], ...]
DartsArch = dict[str, PartArch]
PARTS = ("normal", "reduce")


def darts_edges(steps: int = 4) -> tuple[tuple[int, int], ...]:
    """``(src, dst)`` of the supernet cell's mixed edges, dst-major."""
    return tuple((j, 2 + i) for i in range(steps) for j in range(2 + i))


def full_darts_arch(ops: Sequence[str] = DARTS_SPACE_OPS, steps: int = 4) -> DartsArch:
    """Every edge of both cells carrying every op."""
    n = len(darts_edges(steps))
    return {p: tuple(tuple(ops) for _ in range(n)) for p in PARTS}


class DartsSuperCell(nn.Module):
    """One normal or reduction supernet cell."""

    def __init__(self, op_names: Sequence[str], steps: int, multiplier: int, c_prev_prev: int, c_prev: int,
                 C: int, reduction: bool, reduction_prev: bool) -> None:
        super().__init__()
        self.reduction = reduction
        self.preprocess0: nn.Module = (FactorizedReduce(c_prev_prev, C, affine=False) if reduction_prev
                                       else ReLUConvBN(c_prev_prev, C, 1, 1, 0, affine=False))
        self.preprocess1 = ReLUConvBN(c_prev, C, 1, 1, 0, affine=False)
        self.steps, self.multiplier = steps, multiplier
        self.edge_list = darts_edges(steps)
        self.edges = nn.ModuleList(
            MixedOp(op_names, lambda name, s=(2 if reduction and src < 2 else 1): make_darts_op(name, C, s, False))
            for src, _ in self.edge_list)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, arch: PartArch) -> torch.Tensor:  # noqa: D102
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        like = None
        for i in range(self.steps):
            dst = 2 + i
            ins = [self.edges[k](states[src], arch[k]) for k, (src, d) in enumerate(self.edge_list) if d == dst]
            if like is None:
                like = next((t for t in ins if t is not None), None)
                if like is None:  # every edge into the first node removed: zeros at the cell's resolution
                    ref = states[1]
                    like = ref[:, :, ::2, ::2] * 0 if self.reduction else ref * 0
            states.append(add_inputs(ins, like))
        return torch.cat(states[-self.multiplier:], dim=1)


class DartsSupernet(nn.Module):
    """DARTS search network for 32x32 inputs.

    Args:
        num_classes: classifier outputs.
        C: initial channels (16 in DARTS / TE-NAS search).
        layers: cells (8 in DARTS search; reductions at ``layers // 3`` and ``2 * layers // 3``).
        op_names: candidate ops (default: the DARTS space's 7 ops).
        steps: intermediate nodes per cell.
        stem_multiplier: stem width ``stem_multiplier * C``.
    """

    def __init__(self, num_classes: int = 10, C: int = 16, layers: int = 8,
                 op_names: Sequence[str] = DARTS_SPACE_OPS, steps: int = 4, stem_multiplier: int = 3) -> None:
        super().__init__()
        for name, v in (("num_classes", num_classes), ("C", C), ("layers", layers), ("steps", steps)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"{name} must be a positive integer, got {v!r}")
        if C % 2:
            raise ConfigError(f"the DARTS supernet needs an even C (factorized reduction), got {C}")
        self.op_names, self.steps = tuple(op_names), steps
        c_stem = stem_multiplier * C
        self.stem = nn.Sequential(nn.Conv2d(3, c_stem, 3, padding=1, bias=False), nn.BatchNorm2d(c_stem))
        c_pp, c_p, c_curr = c_stem, c_stem, C
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            cell = DartsSuperCell(self.op_names, steps, steps, c_pp, c_p, c_curr, reduction, reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, steps * c_curr
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)
        self.arch: DartsArch = full_darts_arch(self.op_names, steps)

    def set_arch(self, arch: Mapping[str, Sequence[Sequence[str]]]) -> "DartsSupernet":
        """Select the alive ops per edge of both cells; returns ``self``.

        Raises:
            ConfigError: a missing part, a wrong edge count, or an op that is not a candidate.
        """
        n = len(darts_edges(self.steps))
        out: DartsArch = {}
        for part in PARTS:
            if part not in arch:
                raise ConfigError(f"DARTS supernet architecture lacks the {part!r} cell")
            edges = tuple(tuple(e) for e in arch[part])
            if len(edges) != n:
                raise ConfigError(f"{part} cell: expected {n} edges, got {len(edges)}")
            for k, ops in enumerate(edges):
                bad = [o for o in ops if o not in self.op_names]
                if bad:
                    raise ConfigError(f"{part} edge {k}: op(s) {bad} are not candidates {self.op_names}")
            out[part] = edges
        self.arch = out
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, self.arch["reduce" if cell.reduction else "normal"])
        return self.classifier(self.global_pooling(s1).flatten(1))
