"""NAS-Bench-201 supernet: the benchmark's macro skeleton with a :class:`MixedOp` on every
cell edge; all cells share one architecture (as in the benchmark and in TE-NAS).

The architecture is a tuple of 6 tuples of alive op names (arch-string edge order
``0->1, 0->2, 1->2, 0->3, 1->3, 2->3``), set with :meth:`NB201Supernet.set_arch`. With one op per
edge the network computes exactly the single-path NAS-Bench-201 network of that cell.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..errors import ConfigError
from ..nets.nb201 import nb201_macro_layers
from ..nets.nb201_spec import NB201_EDGES, check_macro
from ..nets.nb201_spec import NB201_OP_NAMES
from ..nets.ops_nb201 import make_nb201_op
from .mixed import MixedOp, add_inputs

Arch = tuple[tuple[str, ...], ...]


def full_nb201_arch(ops: Sequence[str] = NB201_OP_NAMES) -> Arch:
    """Every edge carrying every op (the unpruned supernet)."""
    return tuple(tuple(ops) for _ in NB201_EDGES)


class NB201SuperCell(nn.Module):
    """One supernet cell at ``channels`` channels."""

    def __init__(self, op_names: Sequence[str], channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(MixedOp(op_names, lambda name: make_nb201_op(name, channels))
                                   for _ in NB201_EDGES)

    def forward(self, x: torch.Tensor, arch: Arch) -> torch.Tensor:  # noqa: D102
        nodes = [x]
        for dst in (1, 2, 3):
            ins = [self.edges[k](nodes[src], arch[k]) for k, (src, d) in enumerate(NB201_EDGES) if d == dst]
            nodes.append(add_inputs(ins, x))
        return nodes[3]


class NB201Supernet(nn.Module):
    """The NAS-Bench-201 network with mixed edges.

    Args:
        num_classes: classifier outputs.
        C: first-stage channels (16 in the benchmark).
        N: cells per stage (5 in the benchmark).
        op_names: candidate ops per edge (default: the 5 NAS-Bench-201 ops).

    ``forward(x)`` uses the architecture last given to :meth:`set_arch` (default: all ops alive).
    """

    def __init__(self, num_classes: int = 10, C: int = 16, N: int = 5,
                 op_names: Sequence[str] = NB201_OP_NAMES) -> None:
        super().__init__()
        check_macro(num_classes, C, N)
        self.op_names = tuple(op_names)
        self.stem, layers, c_prev = nb201_macro_layers(C, N, lambda width: NB201SuperCell(self.op_names, width))
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)
        self.arch: Arch = full_nb201_arch(self.op_names)

    def set_arch(self, arch: Sequence[Sequence[str]]) -> "NB201Supernet":
        """Select the alive ops per edge (6 sequences of op names); returns ``self``.

        Raises:
            ConfigError: not 6 edges, or an op that is not a candidate of this supernet.
        """
        a = tuple(tuple(e) for e in arch)
        if len(a) != len(NB201_EDGES):
            raise ConfigError(f"a NAS-Bench-201 supernet architecture has 6 edges, got {len(a)}")
        for k, ops in enumerate(a):
            bad = [o for o in ops if o not in self.op_names]
            if bad:
                raise ConfigError(f"edge {k}: op(s) {bad} are not candidates of this supernet {self.op_names}")
        self.arch = a
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        out = self.stem(x)
        for layer in self.cells:
            out = layer(out, self.arch) if isinstance(layer, NB201SuperCell) else layer(out)
        out = self.global_pooling(self.lastact(out)).flatten(1)
        return self.classifier(out)
