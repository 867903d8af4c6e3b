"""ZiCo (Li et al., ICLR 2023): inverse coefficient of variation of the gradients.

For every Conv2d / Linear weight ``W`` and ``K >= 2`` minibatches with gradients ``g_1 .. g_K`` of
the cross-entropy loss, per element ``mu = mean_k |g_k|`` and ``sigma = std_k g_k`` (population std);
the layer's term is ``log(sum over elements with sigma > 0 of mu / sigma)`` (skipped if that sum is
0) and ZiCo is the sum over layers. Higher is better.

Setup as in the paper on NAS-Bench-201: two minibatches of 64 real training images with their labels
(our passes split the 128-image scoring batch in two), BatchNorm on batch statistics, one
forward + backward per minibatch. ``-inf`` when no layer has a usable gradient.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import torch

from .capture import Capture, shared_proxy


def zico_from_grads(grads: Sequence[Mapping[str, torch.Tensor]]) -> float:
    """ZiCo from per-minibatch gradients ``[{layer: grad}, ...]`` (at least two minibatches)."""
    if len(grads) < 2:
        from ..errors import ConfigError

        raise ConfigError(f"ZiCo needs gradients of at least 2 minibatches, got {len(grads)}")
    total, used = 0.0, 0
    for name in grads[0]:
        g = torch.stack([gr[name].reshape(-1) for gr in grads]).double()
        sd = g.std(dim=0, unbiased=False)
        mu = g.abs().mean(dim=0)
        nz = sd > 0
        s = float((mu[nz] / sd[nz]).sum())
        if s > 0:
            total += math.log(s)
            used += 1
    return total if used else float("-inf")


@shared_proxy("zico", needs=("loss_grads", "second_batch"),
              description="ZiCo: sum over layers of log(sum mean|g|/std g) over 2 minibatches of 64")
def zico_from_capture(cap: Capture) -> float:
    """ZiCo from the loss gradients of both halves of the batch (higher = better)."""
    return zico_from_grads([cap.weight_grads, cap.weight_grads_2])
