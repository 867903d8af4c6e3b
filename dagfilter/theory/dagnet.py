"""Fully-connected networks shaped as a cell DAG (the paper's Eq. 1-2, Sec. 5.1 experiment).

Every node ``X(s)`` is a vector of width ``m``. An edge ``s -> t`` adds to ``X(t)``:

* ``param`` op: ``relu(W X(s))`` with ``W`` an ``m x m`` matrix. The paper writes this as
  ``sqrt(c_sigma / m) * relu(W X(s))`` with ``W ~ N(0, 1)`` and ``c_sigma = 2`` (Eq. 2); with
  ``parameterization="standard"`` (default, the Sec. 5.1 experiment) the same forward map is
  realised by Kaiming-normal weights ``N(0, 2/m)`` and no explicit scale; ``"ntk"`` keeps
  ``W ~ N(0, 1)`` and multiplies by ``sqrt(2/m)`` (the theory's parameterization; same
  function at initialization, different gradient scale).
* ``free`` op (skip, pooling, concat): ``X(s)`` (identity);
* ``zero`` op: nothing.

Nodes sum their incoming edges. Input nodes all receive ``X(0) = P x``, a linear (Kaiming-normal)
projection of the flattened input to width ``m``; the output ``u = a^T X(H)`` is a linear readout
to ``num_classes``. No biases (Eq. 1 has none).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ..cell import Cell
from ..errors import ConfigError
from ..ops import FREE, PARAM, ZERO

PARAMETERIZATIONS = ("standard", "ntk")


class _ParamEdge(nn.Module):
    def __init__(self, width: int, parameterization: str) -> None:
        super().__init__()
        self.linear = nn.Linear(width, width, bias=False)
        if parameterization == "ntk":
            nn.init.normal_(self.linear.weight, 0.0, 1.0)
            self.scale = math.sqrt(2.0 / width)
        else:
            nn.init.kaiming_normal_(self.linear.weight, nonlinearity="relu")
            self.scale = 1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.linear(x))
        return out * self.scale if self.scale != 1.0 else out


class DAGNet(nn.Module):
    """A fully-connected network whose hidden layers follow ``cell`` (see module docstring).

    Args:
        cell: the DAG; any :class:`~dagfilter.cell.Cell` (ops are used only through their kind).
        in_features: flattened input size (3072 for CIFAR-10).
        width: ``m``, the width of every node.
        num_classes: readout size.
        parameterization: ``"standard"`` (Kaiming normal) or ``"ntk"``.
        seed: seed of the weight initialization (the global torch RNG is left untouched).
    """

    def __init__(self, cell: Cell, in_features: int = 3072, width: int = 1024, num_classes: int = 10,
                 parameterization: str = "standard", seed: int = 0) -> None:
        super().__init__()
        for name, v in (("in_features", in_features), ("width", width), ("num_classes", num_classes)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"{name} must be a positive integer, got {v!r}")
        if parameterization not in PARAMETERIZATIONS:
            raise ConfigError(f"parameterization must be one of {PARAMETERIZATIONS}, got {parameterization!r}")
        self.cell = cell
        self.width = width
        gen_state = torch.random.get_rng_state()
        torch.manual_seed(int(seed))
        try:
            self.proj = nn.Linear(in_features, width, bias=False)
            nn.init.kaiming_normal_(self.proj.weight, nonlinearity="linear")
            self.edge_ops = nn.ModuleDict()
            self._plan: list[tuple[int, list[tuple[int, int, str]]]] = []
            incoming: dict[int, list[tuple[int, int, str]]] = {}
            for k, e in enumerate(cell.edges):
                code = cell.registry.code(e.op, where=f"edge {k}")
                if code == ZERO:
                    continue
                key = f"e{k}_{e.src}_{e.dst}"
                if code == PARAM:
                    self.edge_ops[key] = _ParamEdge(width, parameterization)
                kind = "param" if code == PARAM else "free"
                assert code in (PARAM, FREE)
                incoming.setdefault(e.dst, []).append((e.src, k, kind if code == FREE else key))
            for v in cell.topological_order:
                if v not in cell.inputs:
                    self._plan.append((v, incoming.get(v, [])))
            self.readout = nn.Linear(width, num_classes, bias=False)
            nn.init.kaiming_normal_(self.readout.weight, nonlinearity="linear")
        finally:
            torch.random.set_rng_state(gen_state)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch ``x`` of any shape ``(N, ...)`` with ``in_features`` entries per row."""
        return self.readout(self.node_features(self.proj(x.reshape(x.shape[0], -1))))

    def node_features(self, x0: torch.Tensor) -> torch.Tensor:
        """``X(H)``, the output node's features, for input-node features ``x0`` of shape ``(N, m)``
        (the hidden DAG without the input projection and the readout). The empirical NNGP kernel
        is ``X(H) X(H)^T`` (compare with Eq. 12 for inputs of unit squared norm)."""
        if x0.ndim != 2 or x0.shape[1] != self.width:
            raise ConfigError(f"input-node features must have shape (N, {self.width}), got {tuple(x0.shape)}")
        nodes: dict[int, torch.Tensor] = {v: x0 for v in self.cell.inputs}
        for v, ins in self._plan:
            acc = None
            for src, _k, how in ins:
                h = nodes.get(src)
                if h is None:
                    continue
                term = h if how == "free" else self.edge_ops[how](h)
                acc = term if acc is None else acc + term
            nodes[v] = acc if acc is not None else torch.zeros_like(x0)
        return nodes[self.cell.output]
