"""Trainability proxy of TE-NAS (Chen, Gong & Wang, ICLR 2021): the condition number of the
empirical neural tangent kernel (NTK) of an untrained network on one minibatch.

For a minibatch ``x_1..x_B`` let ``g_i`` be the gradient, with respect to all trainable
parameters, of the summed logits of sample ``i`` (``sum_k f_k(x_i)``, as TE-NAS does). The
empirical NTK is the Gram matrix ``Theta[i, j] = <g_i, g_j>`` and the score is

    kappa = lambda_max(Theta) / lambda_min(Theta)

(lower = better trainability). A kernel whose smallest eigenvalue is not positive (e.g. a
network whose output does not depend on its parameters) has ``kappa = inf``.

The functions are pure: they leave the network's parameters and ``.grad`` fields as they were.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ..errors import ConfigError
from .registry import register_proxy


def network_logits(network: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``network(images)`` as a ``(B, K)`` tensor (the first element when a tuple is returned,
    as DARTS networks return ``(logits, aux_logits)``)."""
    out = network(images)
    if isinstance(out, (tuple, list)):
        out = out[0]
    return out.reshape(out.shape[0], -1)


def ntk_gram(network: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The empirical NTK ``(B, B)`` (float64) of ``network`` on ``images``.

    One forward pass and ``B`` backward passes (one per sample's summed logits). The network is
    used in the mode it is in (TE-NAS scores in ``train()`` mode).

    Raises:
        ConfigError: fewer than 2 images, or a network without trainable parameters.
    """
    if images.ndim < 2 or images.shape[0] < 2:
        raise ConfigError(f"the NTK needs a batch of at least 2 inputs, got shape {tuple(images.shape)}")
    params = [p for p in network.parameters() if p.requires_grad]
    if not params:
        raise ConfigError(f"{type(network).__name__} has no trainable parameters: its NTK is undefined")
    logits = network_logits(network, images)
    rows = []
    for i in range(logits.shape[0]):
        grads = torch.autograd.grad(logits[i].sum(), params, retain_graph=i + 1 < logits.shape[0],
                                    allow_unused=True)
        flat = [g.reshape(-1) for g in grads if g is not None]
        rows.append(torch.cat(flat).to(torch.float64) if flat else torch.zeros(1, dtype=torch.float64))
    jac = torch.stack(rows)
    return jac @ jac.T


def condition_number(kernel: torch.Tensor) -> float:
    """``lambda_max / lambda_min`` of a symmetric PSD matrix (``inf`` when ``lambda_min <= 0``
    or the matrix is not finite)."""
    k = kernel.to(torch.float64)
    if not bool(torch.isfinite(k).all()):
        return math.inf
    eig = torch.linalg.eigvalsh(k)
    lo, hi = float(eig[0]), float(eig[-1])
    if not lo > 0.0:
        return math.inf
    return hi / lo


def ntk_condition_number(network: nn.Module, images: torch.Tensor) -> float:
    """TE-NAS trainability score: the condition number of the empirical NTK (lower is better)."""
    return condition_number(ntk_gram(network, images))


__all__ = ["network_logits", "ntk_gram", "condition_number", "ntk_condition_number"]


@register_proxy("ntk", train_mode=True, needs_grad=True,
                description="TE-NAS trainability: minus the NTK condition number (higher = better)")
def ntk_score(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
    """``-kappa`` of the empirical NTK on the minibatch, so that higher means more trainable."""
    return -ntk_condition_number(network, images)
