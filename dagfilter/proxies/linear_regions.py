"""Expressivity proxy of TE-NAS (Chen, Gong & Wang, ICLR 2021): the number of linear regions
of an untrained ReLU network, estimated on a set of inputs.

A ReLU network is piecewise linear; its pieces ("linear regions") are the sets of inputs that
share one activation pattern (which units of every ReLU are active, ``x > 0``). Over ``n``
sample inputs the estimate is the number of *distinct* activation patterns (between 1 and
``n``): a network without ReLUs is linear and has exactly one region.

Only ``nn.ReLU`` modules are seen (functional ``F.relu`` calls are not hooked). The network
is run in the mode it is in, under ``torch.no_grad``.

The registered proxy ``linear_regions`` uses TE-NAS's own setup by default, because the naive one
counts nothing: on whole 32x32 images, every image of a batch has its own activation pattern in the
NAS-Bench-201 network (C=16, N=5), so the count is the batch size (128 for every cell, measured on
all cells tried). TE-NAS instead counts patterns of a *thin* network (1 channel, 1 cell per stage)
over 1,000 random 3x3 input patches. So the proxy takes :data:`CROPS_PER_IMAGE` seeded 3x3 crops of
every minibatch image (1,024 inputs at batch 128) and, for a NAS-Bench-201 network, counts the
patterns of the same cell in the thin macro network :data:`THIN_NB201` (built from torch's global
RNG, which the scorer has just seeded, so it is deterministic). On 8 cells at batch 128 this gives
606-973 regions (the full network on the same crops saturates at the 1,013 distinct crops). Any
other network (DARTS) is counted as given, on the crops. :class:`searchers.tenas.TENASSearcher`
builds its own thin supernets and inputs (``lr_*`` sizes) and calls :func:`count_linear_regions`.
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


__all__ = ["activation_patterns", "count_patterns", "count_linear_regions", "patch_inputs", "thin_network"]


CROP = 3
"""Side of the input patches (TE-NAS: 3x3)."""
CROPS_PER_IMAGE = 8
"""Crops per minibatch image: 1,024 inputs at batch 128 (TE-NAS: 1,000)."""
THIN_NB201 = {"C": 1, "N": 1}
"""TE-NAS's linear-region network for NAS-Bench-201: 1 channel, 1 cell per stage."""
CROP_SEED = 0
"""Seed of the crop positions (the minibatch itself is seeded by the scoring setup)."""


def patch_inputs(images: torch.Tensor, size: int = CROP, per_image: int = CROPS_PER_IMAGE,
                 seed: int = CROP_SEED) -> torch.Tensor:
    """``per_image`` seeded random ``size x size`` crops of every image, ``(B * per_image, C, size, size)``."""
    n, _, h, w = images.shape
    if not 1 <= size <= min(h, w):
        raise ConfigError(f"crop size {size} does not fit the {h}x{w} images")
    g = torch.Generator().manual_seed(int(seed))
    src = torch.arange(n).repeat(int(per_image))
    ys = torch.randint(0, h - size + 1, (src.numel(),), generator=g)
    xs = torch.randint(0, w - size + 1, (src.numel(),), generator=g)
    return torch.stack([images[k, :, y:y + size, x:x + size] for k, y, x in zip(src.tolist(), ys.tolist(), xs.tolist())])


def thin_network(network: nn.Module) -> nn.Module | None:
    """The same NAS-Bench-201 cell in TE-NAS's thin network (:data:`THIN_NB201`), in ``network``'s
    mode; None for a network that is not a NAS-Bench-201 one."""
    from ..nets.nb201 import NB201Network

    if not isinstance(network, NB201Network):
        return None
    thin = NB201Network(network.ops_names, network.num_classes, **THIN_NB201)
    return thin.train(network.training)


@register_proxy("linear_regions", train_mode=True, needs_grad=False,
                description="TE-NAS expressivity: distinct ReLU patterns of the thin network over 3x3 crops")
def linear_regions_score(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
    """Distinct ReLU on/off patterns over :func:`patch_inputs` of the minibatch, in the
    :func:`thin_network` of an NB201 cell (else in ``network``); higher = more expressive. See the
    module docstring for why whole images in the full network would count only the batch size."""
    thin = thin_network(network)
    return float(count_linear_regions(network if thin is None else thin, patch_inputs(images)))
