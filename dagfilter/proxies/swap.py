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

from .capture import Capture, shared_proxy


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
    if allp.shape[1] == 1:  # one word per unit: count the distinct words of the sorted column
        col = np.sort(allp[:, 0])
        return int(col.size and 1 + np.count_nonzero(col[1:] != col[:-1]))
    return int(np.unique(allp, axis=0).shape[0])


@shared_proxy("swap", needs=("relu_codes",),
              description="SWAP: number of distinct sample-wise ReLU activation patterns (batch 64)")
def swap_from(cap: Capture) -> float:
    """SWAP from the ReLU activation codes of the main pass (higher = better)."""
    return float(distinct_patterns(cap.relu_codes))
