"""Layerwise dynamical isometry (LDI) check of the NN-Mass gradient-propagation paper: the mean
singular value of the initial layerwise Jacobians ``J_{i,i-1} = d s_i / d x_{i-1}``.

For layer ``s_i = act(norm(W_i x_{i-1} + b_i))`` with ``x_{i-1}`` the concatenation of layer
``i-1``'s output and the long-range units, ``J = D_i S_i W_i``: ``D_i`` the diagonal of
``act'`` at the pre-activation, ``S_i`` the normalisation scale (identity for MLPs; for CNNs
BatchNorm's ``gamma / sqrt(batch var + eps)`` at initialization). For a convolution, ``W_i`` is
the ``w_c x 9 (w_c + k_i)`` matrix mapping the 3x3 input patch to the centre output pixel, with
``D_i`` taken at that pixel: the local block of the layer's (block-Toeplitz) Jacobian.

Initialization matters: with Kaiming (fan-in) scaling, or with BatchNorm dividing each output by
its batch standard deviation, the rows of ``J`` are normalised and the mean singular value hardly
depends on the long-range fan-in. The paper's trend (mean singular value growing with NN-Mass,
equal for equal width and NN-Mass) shows with Glorot initialization, the default of the MLPs of
:mod:`dagfilter.theory.nnmass` (measured: width-32 MLPs, NN-Mass 50 -> about 0.54 at depths 12
and 24, NN-Mass 200 -> about 0.60; seed-to-seed std 0.01-0.025).

Layers counted: layers ``1..d_c-1`` of every cell (layer 0 reads the input or the previous cell,
not a layer of the same cell). The result averages the mean singular value over samples, then
over layers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import ConfigError
from .nnmass import NNMassLayer, NNMassNet


@dataclass(frozen=True)
class LDIReport:
    """Mean singular values of the initial layerwise Jacobians.

    Attributes:
        mean_singular_value: average over the counted layers.
        per_layer: ``(cell, layer, mean singular value)`` per counted layer.
    """

    mean_singular_value: float
    per_layer: tuple[tuple[int, int, float], ...]

    def to_dict(self) -> dict:
        """JSON-able dict."""
        return {"mean_singular_value": self.mean_singular_value,
                "per_layer": [list(t) for t in self.per_layer]}


def _act_grad(name: str, pre: torch.Tensor) -> torch.Tensor:
    if name == "relu":
        return (pre > 0).to(pre.dtype)
    if name == "elu":
        return torch.where(pre > 0, torch.ones_like(pre), torch.exp(pre))
    if name == "tanh":
        return 1.0 - torch.tanh(pre) ** 2
    return torch.ones_like(pre)


def _layer_jacobians(layer: NNMassLayer) -> torch.Tensor:
    """``(N, w, fan_in)`` Jacobians of a layer from its recorded pre-activation."""
    pre = layer.last_pre
    assert pre is not None and layer.last_in is not None
    op = layer.op
    if isinstance(op, torch.nn.Linear):
        d = _act_grad(layer.activation, pre)                          # (N, w)
        return d[:, :, None] * op.weight[None, :, :]
    w = op.weight.reshape(op.weight.shape[0], -1)                     # (w, fan_in*9)
    conv_out = op(layer.last_in)                                      # pre-BN, batch statistics
    var = conv_out.var(dim=(0, 2, 3), unbiased=False)
    bn = layer.norm
    scale = bn.weight / torch.sqrt(var + bn.eps)                      # (w,)
    cy, cx = pre.shape[2] // 2, pre.shape[3] // 2
    d = _act_grad("relu", pre[:, :, cy, cx]) * scale[None, :]         # (N, w)
    return d[:, :, None] * w[None, :, :]


@torch.no_grad()
def mean_jacobian_singular_value(net: NNMassNet, inputs: torch.Tensor) -> LDIReport:
    """LDI of ``net`` (at its current, normally initial, weights) on a batch of ``inputs``.

    Raises:
        ConfigError: no cell has a layer 1 (all ``d_c == 1``), or the batch is empty.
    """
    if not isinstance(net, NNMassNet):
        raise ConfigError(f"expected an NNMassNet, got {type(net).__name__}")
    if inputs.shape[0] < 2:
        raise ConfigError(f"need a batch of at least 2 inputs, got {tuple(inputs.shape)}")
    if all(d < 2 for d in net.spec.depths):
        raise ConfigError("LDI needs a cell with at least 2 layers (d_c >= 2)")
    was_training = net.training
    net.train()  # BatchNorm with batch statistics, as at the start of training
    layers = [(c, i, layer) for c, cell in enumerate(net.cells) for i, layer in enumerate(cell) if i >= 1]
    for _, _, layer in layers:
        layer.record = True
    try:
        snapshot = {k: v.clone() for k, v in net.state_dict().items() if "running" in k or "num_batches" in k}
        net(inputs)
        per_layer = []
        for c, i, layer in layers:
            jac = _layer_jacobians(layer).double()
            sv = torch.linalg.svdvals(jac)                            # (N, min(w, fan_in))
            per_layer.append((c, i, float(sv.mean())))
        net.load_state_dict(snapshot, strict=False)                   # undo BN running-stat updates
    finally:
        for _, _, layer in layers:
            layer.record = False
            layer.last_pre = layer.last_in = None
        net.train(was_training)
    return LDIReport(float(np.mean([v for _, _, v in per_layer])), tuple(per_layer))
