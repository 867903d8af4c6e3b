"""SNIP (Lee et al., ICLR 2019) as a zero-cost proxy (Abdelfattah et al., ICLR 2021).

``snip = sum over Conv2d / Linear weights W of sum |W * dL/dW|`` with ``L`` the cross-entropy of one
minibatch of real images and labels. Higher is better. Setup as in Abdelfattah et al.: BatchNorm on
batch statistics (``train()``), one forward + backward of 64 images (the first 64 of our scoring
batch). A network without any path from input to output scores 0 here (all gradients vanish).
"""
from __future__ import annotations

from typing import Iterable

import torch
from torch import nn

from .registry import register_proxy


def weighted_layers(network: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` of every Conv2d and Linear layer (the layers zero-cost proxies read)."""
    return [(n, m) for n, m in network.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def snip_from(pairs: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """``sum |w * g|`` over ``(weight, grad)`` pairs."""
    return float(sum(float((w.detach().double() * g.double()).abs().sum()) for w, g in pairs))


@register_proxy("snip", needs_grad=True, description="SNIP: sum |w * dL/dw| over conv/linear weights (batch 64)")
def snip_score(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
    """SNIP of ``network`` (higher = better)."""
    from .passes import compute_proxies

    return compute_proxies(network, images, labels, ("snip",))["snip"]
