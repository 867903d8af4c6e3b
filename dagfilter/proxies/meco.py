"""MeCo (Jiang et al., NeurIPS 2023): minimum eigenvalue of the correlation of feature maps.

For every module whose output is a 4-D feature map, take the map of *one* image ``(C, H, W)``, the
``C x C`` Pearson correlation matrix of its channels (each channel's ``H*W`` pixels as a vector; NaN
and inf entries -> 0, as in the paper's code) and its smallest eigenvalue; MeCo is the sum over
modules. Higher is better (eigenvalues of a correlation matrix are >= 0 up to rounding).

Networks with ``forward_features`` (NAS-Bench-201) are run through it, which calls every layer
directly: the container holding the layers is not hooked (its output repeats the last layer's).

Setup as in the paper: the network in ``train()`` mode (BatchNorm on the statistics of the forward
batch; our passes forward the first 64 images and read image 0), one forward pass, no labels.
"""
from __future__ import annotations

import torch

from .capture import Capture, shared_proxy


def min_corr_eigenvalue(fmap: torch.Tensor) -> float:
    """Smallest eigenvalue of the channel correlation matrix of one ``(C, H, W)`` feature map."""
    x = fmap.detach().reshape(fmap.shape[0], -1).double()
    if x.shape[0] < 2 or x.shape[1] < 2:
        return 0.0
    corr = torch.corrcoef(x)
    corr = torch.nan_to_num(corr, nan=0.0, posinf=0.0, neginf=0.0)
    return float(torch.linalg.eigvalsh(corr).min())


@shared_proxy("meco", needs=("module_maps",),
              description="MeCo: sum over modules of the min eigenvalue of one image's channel correlation")
def meco_from(cap: Capture) -> float:
    """MeCo from image 0's feature maps of every module (higher = better)."""
    return float(sum(min_corr_eigenvalue(m) for m in cap.module_maps))

