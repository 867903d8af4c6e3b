"""The mixed operation of a supernet edge: every candidate op, evaluated on the *alive* subset.

An edge holds one module per op name. Its output for a set of alive ops is their uniform
average (TE-NAS's supernet with equal architecture weights on the remaining ops); with a single
alive op it is that op alone, i.e. a single path (what FP-NAS trains); with no alive op the
edge is absent and :meth:`MixedOp.forward` returns ``None``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from ..errors import UnknownOpError


class MixedOp(nn.Module):
    """All candidate ops of one edge.

    Args:
        op_names: the candidate op names (order kept).
        factory: ``factory(name) -> nn.Module`` building one op.
    """

    def __init__(self, op_names: Sequence[str], factory: Callable[[str], nn.Module]) -> None:
        super().__init__()
        self.op_names = tuple(op_names)
        self.ops = nn.ModuleDict({name: factory(name) for name in self.op_names})

    def forward(self, x: torch.Tensor, alive: Sequence[str]) -> torch.Tensor | None:  # noqa: D102
        if not alive:
            return None
        total = None
        for name in alive:
            if name not in self.ops:
                raise UnknownOpError(name, list(self.op_names), where="supernet edge")
            y = self.ops[name](x)
            total = y if total is None else total + y
        return total if len(alive) == 1 else total / float(len(alive))


def add_inputs(parts: Sequence[torch.Tensor | None], like: torch.Tensor) -> torch.Tensor:
    """Sum of the non-``None`` tensors (zeros shaped like ``like`` when all are ``None``)."""
    total = None
    for p in parts:
        if p is not None:
            total = p if total is None else total + p
    return torch.zeros_like(like) if total is None else total
