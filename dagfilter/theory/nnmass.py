"""The NN-Mass network family (Bhardwaj et al., NN-Mass papers): DenseNet-like MLPs and CNNs
with random, seeded long-range concatenation links.

A network has ``N_c`` cells; cell ``c`` has ``d_c`` layers (numbered ``0..d_c-1``) of ``w_c``
neurons (MLP) or channels (CNN), and a cap ``t_c`` on long-range link candidates. Layer ``i``
gets short-range links from all of layer ``i-1`` and, for ``i >= 2``, long-range links from
``k_i = min(w_c (i-1), t_c)`` neurons/channels drawn uniformly without replacement (seeded) from
the ``w_c (i-1)`` outputs of layers ``0..i-2``; their outputs are concatenated to the input of
layer ``i``. Links never cross cells. Hence (papers' Eq. 1-3)

    rho_c = 2 sum_{i=2}^{d_c-1} k_i / (w_c (d_c-1)(d_c-2)),  NN-Mass = sum_c w_c d_c rho_c.

Layouts built here:

* MLP: cell 1's layer 0 reads the flattened input; layer 0 of cell ``c > 1`` reads the last
  layer of cell ``c-1``; layer ``i`` is ``act(W_i x_{i-1} + b_i)``; a linear readout follows the
  last layer. Glorot-normal weights by default (see ``init``), zero biases.
* CNN: a 3x3 stem convolution to ``w_1`` channels; every layer is conv3x3 -> BatchNorm -> ReLU;
  layer 0 of cell ``c > 1`` has stride 2 (the papers halve the feature map and, by convention,
  double the width at each cell); global average pooling and a linear readout. Total layers
  ``sum_c d_c + 2`` (the papers count ``3 d_c + 4`` for three cells; they do not detail the two
  extra layers).

FLOPs are multiply-accumulates of the convolution / linear layers for one input (the NAS
convention); parameters include biases and BatchNorm affine weights.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..errors import ConfigError
from ..metrics import nn_density, nn_mass

KINDS = ("mlp", "cnn")
ACTIVATIONS = ("relu", "elu", "tanh", "linear")
INITS = ("auto", "xavier", "kaiming")


@dataclass(frozen=True)
class NNMassSpec:
    """Architecture of an NN-Mass network.

    Attributes:
        depths: ``d_c`` per cell (>= 1).
        widths: ``w_c`` per cell (>= 1).
        tcs: ``t_c`` per cell (>= 0).
        kind: ``"mlp"`` or ``"cnn"``.
        in_features: MLP input size (3072 = flattened CIFAR-10).
        in_channels, image_size: CNN input shape.
        num_classes: readout size.
        activation: MLP non-linearity (``relu``, ``elu``, ``tanh``, ``linear``); CNNs use ReLU.
        init: weight initialization: ``"xavier"`` (Glorot normal, variance ``2 / (fan_in + fan_out)``),
            ``"kaiming"`` (Kaiming normal, fan-in, ReLU gain) or ``"auto"`` (xavier for MLPs,
            kaiming for CNNs). With xavier the variance depends on both layer sizes, so the mean
            singular value of a layer Jacobian grows with its long-range fan-in, as the
            gradient-propagation paper finds; with fan-in scaling it hardly changes (see
            :mod:`dagfilter.theory.ldi`).
        seed: seed of the random long-range links (and of the weights when built).
    """

    depths: tuple[int, ...]
    widths: tuple[int, ...]
    tcs: tuple[int, ...]
    kind: str = "mlp"
    in_features: int = 3072
    in_channels: int = 3
    image_size: int = 32
    num_classes: int = 10
    activation: str = "relu"
    init: str = "auto"
    seed: int = 0
    _links: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("depths", "widths", "tcs"):
            v = getattr(self, name)
            if isinstance(v, (int, np.integer)):
                v = (v,)
            object.__setattr__(self, name, tuple(int(x) if isinstance(x, (int, np.integer))
                                                 and not isinstance(x, bool) else x for x in v))
        nn_mass(self.depths, self.widths, self.tcs)  # validates lengths and values (DagFilterError)
        if self.kind not in KINDS:
            raise ConfigError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.init not in INITS:
            raise ConfigError(f"init must be one of {INITS}, got {self.init!r}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        for name in ("in_features", "in_channels", "image_size", "num_classes"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"{name} must be a positive integer, got {v!r}")
        if self.kind == "cnn" and self.image_size < 2 ** (len(self.depths) - 1):
            raise ConfigError(f"image_size {self.image_size} is too small for {len(self.depths)} cells "
                              "(each cell after the first halves it)")

    # ------------------------------------------------------------------ topology
    @property
    def num_cells(self) -> int:
        """N_c."""
        return len(self.depths)

    def long_range_counts(self) -> list[list[int]]:
        """``k_i = min(w_c (i-1), t_c)`` for every layer ``i`` of every cell (0 for ``i < 2``)."""
        return [[min(w * (i - 1), t) if i >= 2 else 0 for i in range(d)]
                for d, w, t in zip(self.depths, self.widths, self.tcs)]

    def _draw_links(self) -> tuple:
        out = []
        counts = self.long_range_counts()
        for c, (d, w, _t) in enumerate(zip(self.depths, self.widths, self.tcs)):
            cell = []
            for i, k in enumerate(counts[c]):
                if k == 0:
                    cell.append(np.zeros(0, dtype=np.int64))
                    continue
                rng = np.random.default_rng([int(self.seed), c, i, 0x4E4E])
                cell.append(np.sort(rng.choice(w * (i - 1), size=k, replace=False)).astype(np.int64))
            out.append(tuple(cell))
        return tuple(out)

    def links(self, cell: int, layer: int) -> np.ndarray:
        """Indices (into the concatenated outputs of layers ``0..layer-2`` of ``cell``, each of
        ``w_c`` units, in layer order) of the units that feed layer ``layer`` long-range."""
        if self._links is None:                                        # drawn on first use
            object.__setattr__(self, "_links", self._draw_links())
        assert self._links is not None
        return self._links[cell][layer]

    @property
    def nn_mass(self) -> float:
        """NN-Mass (papers' Eq. 3)."""
        return nn_mass(self.depths, self.widths, self.tcs)

    @property
    def nn_density(self) -> float:
        """NN-Density (papers' Eq. 2)."""
        return nn_density(self.depths, self.widths, self.tcs)

    @property
    def resolved_init(self) -> str:
        """The initialization actually used (``"auto"`` resolved by kind)."""
        if self.init != "auto":
            return self.init
        return "xavier" if self.kind == "mlp" else "kaiming"

    @property
    def num_layers(self) -> int:
        """Weight layers: MLP ``sum d_c + 1``; CNN ``sum d_c + 2`` (stem and readout)."""
        return sum(self.depths) + (1 if self.kind == "mlp" else 2)

    # ------------------------------------------------------------------ counting
    def _layer_shapes(self) -> list[tuple[int, int, int]]:
        """``(fan_in_units, out_units, spatial_side)`` of every cell layer in order."""
        shapes = []
        side = self.image_size
        prev = self.in_features if self.kind == "mlp" else self.widths[0]
        counts = self.long_range_counts()
        for c, (d, w) in enumerate(zip(self.depths, self.widths)):
            if self.kind == "cnn" and c > 0:
                side = (side + 1) // 2
            ks = counts[c]
            for i in range(d):
                fan_in = prev if i == 0 else w + ks[i]
                shapes.append((fan_in, w, side))
            prev = w
        return shapes

    def param_count(self) -> int:
        """Exact number of trainable parameters of the built network."""
        out = self.widths[-1]
        if self.kind == "mlp":
            body = sum(f * o + o for f, o, _ in self._layer_shapes())
            return body + out * self.num_classes + self.num_classes
        stem = 9 * self.in_channels * self.widths[0] + 2 * self.widths[0]
        body = sum(9 * f * o + 2 * o for f, o, _ in self._layer_shapes())
        return stem + body + out * self.num_classes + self.num_classes

    def flops(self) -> int:
        """Multiply-accumulates of the weight layers for one input."""
        if self.kind == "mlp":
            return sum(f * o for f, o, _ in self._layer_shapes()) + self.widths[-1] * self.num_classes
        s = self.image_size
        stem = 9 * self.in_channels * self.widths[0] * s * s
        body = sum(9 * f * o * side * side for f, o, side in self._layer_shapes())
        return stem + body + self.widths[-1] * self.num_classes

    def describe(self) -> dict:
        """JSON-able summary: configuration, NN-Mass, NN-Density, parameters, FLOPs."""
        return {"kind": self.kind, "depths": list(self.depths), "widths": list(self.widths),
                "tcs": list(self.tcs), "seed": self.seed, "init": self.resolved_init, "nn_mass": self.nn_mass,
                "nn_density": self.nn_density, "num_layers": self.num_layers,
                "params": self.param_count(), "flops": self.flops()}

    def build(self) -> "NNMassNet":
        """The PyTorch model (weights seeded by ``seed``)."""
        return NNMassNet(self)


def _act(name: str) -> nn.Module:
    return {"relu": nn.ReLU(), "elu": nn.ELU(), "tanh": nn.Tanh(), "linear": nn.Identity()}[name]


class NNMassLayer(nn.Module):
    """One layer: ``act(norm(W x + b))`` on the concatenation ``x`` of the previous layer's
    output and the selected long-range units. Keeps the last pre-activation when asked
    (``record=True``) for the LDI computation."""

    def __init__(self, fan_in: int, width: int, conv: bool, stride: int, activation: str,
                 init: str = "kaiming") -> None:
        super().__init__()
        if conv:
            self.op: nn.Module = nn.Conv2d(fan_in, width, 3, stride=stride, padding=1, bias=False)
            self.norm: nn.Module = nn.BatchNorm2d(width)
        else:
            self.op = nn.Linear(fan_in, width)
            self.norm = nn.Identity()
            nn.init.zeros_(self.op.bias)
        if init == "xavier":
            nn.init.xavier_normal_(self.op.weight)
        else:
            gain = "relu" if (conv or activation == "relu") else ("tanh" if activation == "tanh" else "linear")
            nn.init.kaiming_normal_(self.op.weight, nonlinearity=gain)
        self.act = _act(activation)
        self.activation = activation
        self.record = False
        self.last_pre: torch.Tensor | None = None
        self.last_in: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.norm(self.op(x))
        if self.record:
            self.last_pre, self.last_in = pre.detach(), x.detach()
        return self.act(pre)


class NNMassNet(nn.Module):
    """PyTorch model of an :class:`NNMassSpec` (see the module docstring for the layout)."""

    def __init__(self, spec: NNMassSpec) -> None:
        super().__init__()
        self.spec = spec
        conv = spec.kind == "cnn"
        state = torch.random.get_rng_state()
        torch.manual_seed(int(spec.seed))
        try:
            self.stem: nn.Module = nn.Identity()
            if conv:
                self.stem = nn.Sequential(
                    nn.Conv2d(spec.in_channels, spec.widths[0], 3, padding=1, bias=False),
                    nn.BatchNorm2d(spec.widths[0]), nn.ReLU())
                nn.init.kaiming_normal_(self.stem[0].weight, nonlinearity="relu")
            self.cells = nn.ModuleList()
            shapes = iter(spec._layer_shapes())
            for c, d in enumerate(spec.depths):
                layers = nn.ModuleList()
                for i in range(d):
                    fan_in, w, _ = next(shapes)
                    stride = 2 if (conv and c > 0 and i == 0) else 1
                    layers.append(NNMassLayer(fan_in, w, conv, stride, "relu" if conv else spec.activation,
                                              spec.resolved_init))
                self.cells.append(layers)
            self.readout = nn.Linear(spec.widths[-1], spec.num_classes)
        finally:
            torch.random.set_rng_state(state)
        for c in range(spec.num_cells):
            for i in range(spec.depths[c]):
                self.register_buffer(f"links_{c}_{i}", torch.as_tensor(spec.links(c, i)), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch (MLP: any shape with ``in_features`` values per row)."""
        conv = self.spec.kind == "cnn"
        h = self.stem(x) if conv else x.reshape(x.shape[0], -1)
        for c, layers in enumerate(self.cells):
            outs: list[torch.Tensor] = []
            for i, layer in enumerate(layers):
                if i == 0:
                    inp = h
                elif i == 1:
                    inp = outs[0]
                else:
                    idx = getattr(self, f"links_{c}_{i}")
                    prev = torch.cat(outs[:i - 1], dim=1) if i > 2 else outs[0]
                    inp = torch.cat([outs[i - 1], prev.index_select(1, idx)], dim=1) if idx.numel() else outs[i - 1]
                outs.append(layer(inp))
            h = outs[-1]
        if conv:
            h = h.mean(dim=(2, 3))
        return self.readout(h)


def nnmass_spec(depth: int | Sequence[int], width: int | Sequence[int], tc: int | Sequence[int],
                cells: int | None = None, **kw) -> NNMassSpec:
    """Convenience constructor: scalars are broadcast to ``cells`` cells (default: the longest
    given sequence, or 1)."""
    seqs = [v for v in (depth, width, tc) if not isinstance(v, (int, np.integer))]
    n = cells or (max(len(v) for v in seqs) if seqs else 1)

    def spread(v: int | Sequence[int]) -> tuple[int, ...]:
        if isinstance(v, (int, np.integer)):
            return (int(v),) * n
        if len(v) != n:
            raise ConfigError(f"per-cell values must have {n} entries, got {list(v)}")
        return tuple(v)

    return NNMassSpec(spread(depth), spread(width), spread(tc), **kw)


def nnmass_model_factory(spec: NNMassSpec):
    """A model factory for :func:`dagfilter.train.train` (``factory(config, num_classes)``):
    builds ``spec``'s network with the data set's number of classes."""
    import dataclasses

    def factory(config: object, num_classes: int) -> NNMassNet:
        return dataclasses.replace(spec, num_classes=int(num_classes)).build()

    return factory
