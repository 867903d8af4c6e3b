"""SNIP (Lee et al., ICLR 2019) as a zero-cost proxy (Abdelfattah et al., ICLR 2021).

``snip = sum over Conv2d / Linear weights W of sum |W * dL/dW|`` with ``L`` the cross-entropy of one
minibatch of real images and labels. Higher is better. Setup as in Abdelfattah et al.: BatchNorm on
batch statistics (``train()``), one forward + backward of 64 images (the first 64 of our scoring
batch). A network without any path from input to output scores 0 here (all gradients vanish).
"""
from __future__ import annotations

from typing import Iterable

import torch

from .capture import Capture, shared_proxy, weighted_layers  # noqa: F401 (weighted_layers: old home)


def snip_from(pairs: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """``sum |w * g|`` over ``(weight, grad)`` pairs."""
    return float(sum(float((w.detach().double() * g.double()).abs().sum()) for w, g in pairs))


@shared_proxy("snip", needs=("loss_grads",),
              description="SNIP: sum |w * dL/dw| over conv/linear weights (batch 64)")
def snip_from_capture(cap: Capture) -> float:
    """SNIP from the main pass's loss gradients (higher = better)."""
    return snip_from((m.weight, cap.weight_grads[n]) for n, m in cap.layers)
