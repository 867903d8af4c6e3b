"""grad_norm (Abdelfattah et al., ICLR 2021): sum over layers of the L2 norm of the loss gradient.

``grad_norm = sum over Conv2d / Linear weights W of ||dL/dW||_2`` with ``L`` the cross-entropy of one
minibatch of real images and labels. Higher is better. Setup: BatchNorm on batch statistics, one
forward + backward of 64 images (the first 64 of our scoring batch).
"""
from __future__ import annotations

from typing import Iterable

import torch

from .capture import Capture, shared_proxy


def grad_norm_from(grads: Iterable[torch.Tensor]) -> float:
    """``sum_l ||g_l||_2``."""
    return float(sum(float(g.double().norm()) for g in grads))


@shared_proxy("grad_norm", needs=("loss_grads",),
              description="grad_norm: sum of per-layer L2 norms of dL/dW (batch 64)")
def grad_norm_from_capture(cap: Capture) -> float:
    """grad_norm from the main pass's loss gradients (higher = better)."""
    return grad_norm_from(cap.weight_grads.values())
