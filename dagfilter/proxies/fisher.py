"""Fisher (Theis et al. 2018; as a zero-cost proxy in Abdelfattah et al., ICLR 2021).

For the output activation ``a`` (``B x C x H x W``, or ``B x C``) of every Conv2d / Linear layer and its
loss gradient ``dL/da``: per image and channel ``g_bc = sum over pixels of a * dL/da``; the layer's
channel saliencies are ``0.5 * mean_b g_bc^2`` and fisher is their sum over channels and layers.
Higher is better. Setup: BatchNorm on batch statistics, one forward + backward of 64 real images
with labels (the first 64 of our scoring batch).

Difference to the public zero-cost-nas code (``measures/fisher.py``): it computes the same per-channel
saliencies, then broadcasts each channel's value onto every weight of that output channel
("to be compatible with stuff downstream") before the final sum, so a channel counts
``C_in * kH * kW`` times (its fan-in; ``C_in`` for a Linear layer). We sum each channel once. The
two agree up to that per-layer fan-in weighting: equal for a network whose layers all have one
fan-in, and otherwise they can rank cells differently (wide-fan-in layers such as 3x3 convs weigh
9x more than 1x1 convs in the original).
"""
from __future__ import annotations

from typing import Iterable

import torch

from .capture import Capture, shared_proxy


def fisher_from(pairs: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Fisher from ``(activation, activation_grad)`` pairs."""
    total = 0.0
    for a, g in pairs:
        prod = (a.detach().double() * g.double())
        per = prod.sum(dim=(2, 3)) if prod.dim() == 4 else prod
        total += float((0.5 * per.pow(2).mean(dim=0)).sum())
    return total


@shared_proxy("fisher", needs=("act_grads",),
              description="fisher: sum of 0.5*mean_b (sum_pixels a*dL/da)^2 over conv/linear outputs (batch 64)")
def fisher_from_capture(cap: Capture) -> float:
    """Fisher from the main pass's layer outputs and their loss gradients (higher = better)."""
    return fisher_from(cap.act_pairs)
