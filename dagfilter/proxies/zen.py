"""Zen-score (Lin et al., ICCV 2021).

On a copy of the network re-initialised with standard Gaussian weights (Conv2d / Linear weights
``N(0, 1)``, BatchNorm weight 1 and bias 0), in ``train()`` mode, with a Gaussian input ``x`` and a
perturbed input ``x' = x + 0.01 * eps``: ``Delta = mean over images of sum |f(x) - f(x')|`` where
``f`` is the feature map before global pooling, and
``zen = log Delta + sum over BatchNorm layers of log sqrt(mean_c running_var_c)``, the running
variances as they stand after the two forwards (fresh BatchNorm, default momentum 0.1, as in
Zen-NAS's code). Data-free (images only give the shape and batch size; the
paper uses batch 64 of Gaussian noise; our passes use the first 64). Higher is better; ``-inf`` when
``Delta`` is 0 (the output does not depend on the input).
"""
from __future__ import annotations

import copy
import math

import torch
from torch import nn

from .capture import Capture, shared_proxy

ZEN_MIXUP = 1e-2


def zen_of(network: nn.Module, input_shape: tuple[int, ...], generator: torch.Generator) -> float:
    """Zen-score of a copy of ``network`` for a Gaussian batch of ``input_shape`` ``(B, C, H, W)``.

    The network must offer ``pre_pool(x)`` (the feature map before global pooling)."""
    return zen_on_copy(copy.deepcopy(network), input_shape, generator)


def zen_on_copy(net: nn.Module, input_shape: tuple[int, ...], generator: torch.Generator) -> float:
    """Zen-score of ``net``, a copy the caller gives away (re-initialised in place)."""
    net = net.train()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator))
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.reset_running_stats()
                if m.affine:
                    m.weight.fill_(1.0)
                    m.bias.zero_()
        x = torch.randn(input_shape, generator=generator)
        x2 = x + ZEN_MIXUP * torch.randn(input_shape, generator=generator)
        f1 = net.pre_pool(x)
        f2 = net.pre_pool(x2)
        delta = float((f1.double() - f2.double()).abs().sum(dim=(1, 2, 3)).mean())
        log_bn = [0.5 * math.log(float(m.running_var.double().mean())) for m in net.modules()
                  if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.running_var is not None]
    if not delta > 0:
        return float("-inf")
    s = math.log(delta) + sum(log_bn)
    return s if not math.isnan(s) else float("-inf")


@shared_proxy("zen", own_pass=True, stream="zen",
              description="Zen-score: log E|f(x)-f(x+0.01e)| + sum log BN scale, Gaussian init and input")
def zen_from_capture(cap: Capture) -> float:
    """Zen-score on a fresh copy of the network (``images`` give only the shape; higher = better)."""
    return zen_on_copy(cap.clone(), tuple(cap.images.shape), cap.generator)
