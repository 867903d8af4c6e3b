"""``beta_eff`` of a neural capacitance probe: the line graph's weighted adjacency and its
mean-field resilience (neural capacitance paper, Eqs. 2, 3 and 8).

Nodes of the line graph ``G_B`` are the probe's synaptic weights ``w`` (entries of the weight
matrices ``W^(1..L)``). The link weight between a weight ``w_i`` of layer ``l`` and ``w_j`` of
layer ``l+1`` is the mixed second derivative of the training loss (Eq. 8)::

    P_ij = d^2 C / (d w_i d w_j),   w_i in W^(l), w_j in W^(l+1)   (0 for other layer pairs)

so, with ``H`` the loss Hessian over the probe weights,

* in-degrees  ``delta_in(W^(l))  = H[l, l+1] 1``  (row sums of ``P``),
* out-degrees ``delta_out(W^(l)) = H[l, l-1] 1``  (column sums of ``P``),
* ``beta_eff = 1^T P delta_in / 1^T P 1 = delta_out . delta_in / (1 . delta_in)`` (Eq. 3).

``P`` is never formed: one Hessian-vector product with the all-ones vector on layer ``l`` gives
``delta_in`` of layer ``l-1`` and ``delta_out`` of layer ``l+1`` at once (``L`` products in all).
``C`` is the mean cross-entropy over the observation batches (a Hessian is linear in the loss,
so degrees are averaged over batches). A small constant is added to the denominator (paper,
footnote 7).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ..errors import ConfigError, DataError
from .probe import CapacitanceProbe, find_probe

DENOM_EPS = 1e-12


def probe_degrees(probe: CapacitanceProbe, features: torch.Tensor,
                  targets: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """In- and out-degrees of every probe weight for one batch.

    Args:
        probe: the probe (evaluated in its current train/eval mode; use eval for determinism).
        features: the probe's inputs ``(B, ...)``.
        targets: class labels ``(B,)``.

    Returns:
        ``(delta_in, delta_out)``: one tensor per weight layer, shaped like the weight matrix.
        ``delta_in`` of the last layer and ``delta_out`` of the first are zero by definition.
    """
    weights = [lin.weight for lin in probe.linears]
    flags = [w.requires_grad for w in weights]
    try:
        for w in weights:
            w.requires_grad_(True)
        with torch.enable_grad():
            logits = probe(features.detach())
            loss = F.cross_entropy(logits.float(), targets)
            grads = torch.autograd.grad(loss, weights, create_graph=True)
            d_in = [torch.zeros_like(w) for w in weights]
            d_out = [torch.zeros_like(w) for w in weights]
            L = len(weights)
            for l in range(L):
                nbrs = [k for k in (l - 1, l + 1) if 0 <= k < L]
                if not nbrs:
                    continue
                hv = torch.autograd.grad(grads[l].sum(), [weights[k] for k in nbrs],
                                         retain_graph=True, allow_unused=True)
                for k, h in zip(nbrs, hv):
                    if h is None:
                        continue
                    if k == l - 1:
                        d_in[k] = d_in[k] + h.detach()     # H[l-1, l] 1
                    else:
                        d_out[k] = d_out[k] + h.detach()   # H[l+1, l] 1
    finally:
        for w, f in zip(weights, flags):
            w.requires_grad_(f)
    return d_in, d_out


def beta_from_degrees(delta_in: Sequence[torch.Tensor], delta_out: Sequence[torch.Tensor],
                      eps: float = DENOM_EPS) -> float:
    """``beta_eff = sum(delta_out * delta_in) / (sum(delta_in) + eps)`` (Eq. 3)."""
    if len(delta_in) != len(delta_out):
        raise ConfigError("delta_in and delta_out must list the same layers")
    num = sum(float((a.double() * b.double()).sum()) for a, b in zip(delta_in, delta_out))
    den = sum(float(a.double().sum()) for a in delta_in)
    return num / (den + eps)


def _capture_probe_inputs(model: nn.Module, probe: CapacitanceProbe, x: torch.Tensor) -> torch.Tensor:
    box: dict[str, torch.Tensor] = {}

    def hook(_m: nn.Module, inputs: tuple) -> None:
        box["x"] = inputs[0].detach()

    handle = probe.register_forward_pre_hook(hook)
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    if "x" not in box:
        raise ConfigError("the probe was not called during the model's forward pass")
    return box["x"]


def beta_eff(model: nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
             probe: CapacitanceProbe | None = None) -> float:
    """``beta_eff`` of the probe inside ``model`` on the given (training) batches.

    The model is evaluated in eval mode (BatchNorm running statistics, no dropout) and put
    back in its previous mode; nothing is updated.

    Args:
        model: a network holding one :class:`CapacitanceProbe` (see :func:`attach_probe`).
        batches: ``(images, labels)`` pairs, e.g. a few training batches.
        probe: the probe (default: found in ``model``).

    Raises:
        ConfigError: no probe in the model. DataError: no batches.
    """
    probe = find_probe(model) if probe is None else probe
    was_training = model.training
    model.eval()
    sum_in: list[torch.Tensor] | None = None
    sum_out: list[torch.Tensor] | None = None
    n = 0
    device = probe.linears[0].weight.device
    try:
        for x, y in batches:
            x, y = x.to(device), y.to(device)
            feats = _capture_probe_inputs(model, probe, x)
            d_in, d_out = probe_degrees(probe, feats, y)
            if sum_in is None:
                sum_in, sum_out = d_in, d_out
            else:
                sum_in = [a + b for a, b in zip(sum_in, d_in)]
                sum_out = [a + b for a, b in zip(sum_out, d_out)]  # type: ignore[arg-type]
            n += 1
    finally:
        model.train(was_training)
    if n == 0 or sum_in is None or sum_out is None:
        raise DataError("beta_eff needs at least one (images, labels) batch")
    return beta_from_degrees([a / n for a in sum_in], [b / n for b in sum_out])
