"""Expressivity proxy of TE-NAS (Chen, Gong & Wang, ICLR 2021): the number of linear regions
of an untrained ReLU network, estimated on a set of inputs.

A ReLU network is piecewise linear; its pieces ("linear regions") are the sets of inputs that
share one activation pattern (which units of every ReLU are active, ``x > 0``). Over ``n``
sample inputs the estimate is the number of *distinct* activation patterns (between 1 and
``n``): a network without ReLUs is linear and has exactly one region.

Only ``nn.ReLU`` modules are seen (functional ``F.relu`` calls are not hooked). The network
is run in the mode it is in, under ``torch.no_grad``.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..errors import ConfigError
from .registry import register_proxy


def activation_patterns(network: nn.Module, inputs: torch.Tensor, batch_size: int | None = None) -> np.ndarray:
    """Binary activation patterns, one row per input, bit-packed.

    Args:
        network: the network (its ``nn.ReLU`` modules are hooked).
        inputs: ``(n, ...)`` inputs.
        batch_size: forward the inputs in chunks of this size (default: all at once). With
            BatchNorm in training mode, chunking changes the normalisation, so keep the default
            when the patterns must match one full-batch forward pass.

    Returns:
        ``(n, ceil(U / 8))`` uint8 array for ``U`` ReLU units in total (``(n, 0)`` without ReLUs).
    """
    if inputs.ndim < 1 or inputs.shape[0] < 1:
        raise ConfigError(f"need at least one input, got shape {tuple(inputs.shape)}")
    n = inputs.shape[0]
    step = n if batch_size is None else int(batch_size)
    if step < 1:
        raise ConfigError(f"batch_size must be positive, got {batch_size!r}")
    relus = [m for m in network.modules() if isinstance(m, nn.ReLU)]
    chunks: list[np.ndarray] = []
    current: list[torch.Tensor] = []

    def hook(module: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
        current.append((args[0].detach() > 0).reshape(args[0].shape[0], -1))

    handles = [m.register_forward_pre_hook(hook) for m in relus]
    try:
        with torch.no_grad():
            for start in range(0, n, step):
                current.clear()
                network(inputs[start:start + step])
                if current:
                    bits = torch.cat(current, dim=1).cpu().numpy()
                    chunks.append(np.packbits(bits, axis=1))
                else:
                    chunks.append(np.zeros((min(step, n - start), 0), dtype=np.uint8))
    finally:
        for h in handles:
            h.remove()
    return np.concatenate(chunks, axis=0)


def count_patterns(patterns: np.ndarray) -> int:
    """Number of distinct rows of a 2-D pattern array (1 for an empty row width and n >= 1)."""
    p = np.ascontiguousarray(patterns)
    if p.ndim != 2:
        raise ConfigError(f"patterns must be a 2-D array, got shape {p.shape}")
    if p.shape[0] == 0:
        return 0
    if p.shape[1] == 0:
        return 1
    rows = p.view(np.dtype((np.void, p.shape[1]))).ravel()
    return int(len(np.unique(rows)))


def count_linear_regions(network: nn.Module, inputs: torch.Tensor, batch_size: int | None = None) -> int:
    """TE-NAS expressivity score: distinct ReLU activation patterns over ``inputs`` (higher is better)."""
    return count_patterns(activation_patterns(network, inputs, batch_size))


__all__ = ["activation_patterns", "count_patterns", "count_linear_regions"]


@register_proxy("linear_regions", train_mode=True, needs_grad=False,
                description="TE-NAS expressivity: distinct ReLU activation patterns over the minibatch")
def linear_regions_score(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
    """Number of distinct ReLU on/off patterns over the minibatch's images (higher = more expressive)."""
    return float(count_linear_regions(network, images))
