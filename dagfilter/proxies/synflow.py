"""SynFlow (Tanaka et al., NeurIPS 2020; as a zero-cost proxy in Abdelfattah et al., ICLR 2021).

On a float64 copy of the network with every parameter replaced by its absolute value, the input an
all-ones image, ``R = sum of the outputs``; ``synflow = sum over Conv2d / Linear weights W of
sum W * dR/dW``. Data-independent (no images, no labels). BatchNorm is switched off as in
Abdelfattah et al. (``bn=False``), but not in the same way: their code builds its copy *without*
BatchNorm layers (an exact identity); our copy keeps them and runs them in ``eval()`` mode with
running mean 0 and variance 1, i.e. ``x / sqrt(1 + eps) * |gamma| + |beta|`` = ``x / sqrt(1 + 1e-5)``
at the default initialisation (``gamma = 1``, ``beta = 0``). So a path through ``k`` BatchNorm
layers is scaled by ``(1 + 1e-5)^(-k/2)`` (about ``1 - 5e-6 k``): our score is the original's up
to relative differences of order ``1e-4`` for NAS-Bench-201-sized networks - equal rankings in
practice, not equal numbers. Higher is better; a network without any input-output path scores 0.

Initialisation: the network's own (PyTorch default, seeded), as in Abdelfattah et al.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from .capture import Capture, shared_proxy
from .ntk import network_logits


def synflow_of(network: nn.Module, input_shape: tuple[int, ...]) -> float:
    """SynFlow of ``network`` for inputs of shape ``(C, H, W)`` (works on a float64 copy)."""
    return synflow_on_copy(copy.deepcopy(network), input_shape)


def synflow_on_copy(net: nn.Module, input_shape: tuple[int, ...]) -> float:
    """SynFlow of ``net``, a copy the caller gives away (it is turned into float64 with |weights|)."""
    net = net.double()
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            if m.running_mean is not None:
                m.running_mean.zero_()
                m.running_var.fill_(1.0)
    net.eval()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad(set_to_none=True)
    x = torch.ones((1, *input_shape), dtype=torch.float64)
    with torch.enable_grad():
        network_logits(net, x).sum().backward()
    total = 0.0
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.grad is not None:
            total += float((m.weight.detach() * m.weight.grad).sum())
    return total


@shared_proxy("synflow", own_pass=True, stream="synflow",
              description="SynFlow: sum W*dR/dW with |params|, all-ones input, BN off (data-free)")
def synflow_from_capture(cap: Capture) -> float:
    """SynFlow on a fresh copy of the network (``images`` give only the input shape; higher = better)."""
    return synflow_on_copy(cap.clone(), tuple(cap.images.shape[1:]))
