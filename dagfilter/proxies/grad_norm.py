"""grad_norm (Abdelfattah et al., ICLR 2021): sum over layers of the L2 norm of the loss gradient.

``grad_norm = sum over Conv2d / Linear weights W of ||dL/dW||_2`` with ``L`` the cross-entropy of one
minibatch of real images and labels. Higher is better. Setup: BatchNorm on batch statistics, one
forward + backward of 64 images (the first 64 of our scoring batch).
"""
from __future__ import annotations

from typing import Iterable

import torch
from torch import nn

from .registry import register_proxy


def grad_norm_from(grads: Iterable[torch.Tensor]) -> float:
    """``sum_l ||g_l||_2``."""
    return float(sum(float(g.double().norm()) for g in grads))


@register_proxy("grad_norm", needs_grad=True,
                description="grad_norm: sum of per-layer L2 norms of dL/dW (batch 64)")
def grad_norm_score(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
    """grad_norm of ``network`` (higher = better)."""
    from .passes import compute_proxies

    return compute_proxies(network, images, labels, ("grad_norm",))["grad_norm"]
