"""SWAP (Peng et al., ICLR 2024): the number of distinct sample-wise activation patterns.

Every ReLU unit (one channel at one pixel) of the untrained network, over a minibatch of ``B``
images, has a *sample-wise* pattern: the ``B`` bits "active on image b" (``x > 0`` at the ReLU's
input). SWAP is the number of distinct patterns over all units of all ReLUs (the paper's plain
SWAP-Score, without its parameter-count regularisation). More distinct patterns = a more expressive
network; higher is better.

Setup: ``train()`` mode (BatchNorm on batch statistics), one forward pass of the first 64 images of
the scoring batch, labels unused. ReLUs that read the same tensor are counted once (identical
patterns).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import torch
from torch import nn

from .registry import register_proxy


def distinct_patterns(codes: Iterable[torch.Tensor]) -> int:
    """Number of distinct columns over several ``(B, N_i)`` boolean activation matrices."""
    packed = []
    for c in codes:
        flat = c.reshape(c.shape[0], -1).T.contiguous().numpy().astype(np.uint8, copy=False)  # (N, B)
        bits = np.packbits(flat, axis=1)  # (N, ceil(B/8))
        pad = (-bits.shape[1]) % 8
        if pad:
            bits = np.pad(bits, ((0, 0), (0, pad)))
        packed.append(np.ascontiguousarray(bits).view(np.uint64))
    if not packed:
        return 0
    allp = np.concatenate(packed)
    if allp.shape[1] == 1:
        return int(np.unique(allp[:, 0]).size)
    return int(np.unique(allp, axis=0).shape[0])


class SwapHooks:
    """Forward pre-hooks on every ``nn.ReLU`` collecting ``input > 0`` once per distinct input tensor."""

    def __init__(self, network: nn.Module) -> None:
        self.codes: list[torch.Tensor] = []
        self._seen: list[torch.Tensor] = []
        self._handles = [m.register_forward_pre_hook(self._hook) for m in network.modules()
                         if isinstance(m, nn.ReLU)]

    def _hook(self, module: nn.Module, inputs: tuple) -> None:
        x = inputs[0]
        if any(x is s for s in self._seen[-8:]):
            return
        self._seen.append(x)
        self.codes.append(x.detach() > 0)

    def score(self) -> float:
        """The SWAP score of the collected patterns."""
        return float(distinct_patterns(self.codes))

    def remove(self) -> None:
        """Detach the hooks and drop references."""
        for h in self._handles:
            h.remove()
        self._seen.clear()


@register_proxy("swap", needs_grad=True,
                description="SWAP: number of distinct sample-wise ReLU activation patterns (batch 64)")
def swap_score(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
    """SWAP of ``network`` (higher = better)."""
    from .passes import compute_proxies

    return compute_proxies(network, images, labels, ("swap",))["swap"]
