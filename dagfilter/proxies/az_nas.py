"""AZ-NAS (Lee & Ham, CVPR 2024): expressivity, progressivity and trainability of an untrained network.

AZ-NAS scores a network by four terms whose *log-ranks* are summed (``logrank(...)`` in the ranker
grammar); the fourth, complexity, is FLOPs (the analytic ``flops`` ranker). The three live terms read
the feature maps ``f_0 .. f_L`` after the stem and after every layer (NAS-Bench-201: 3N cells and the
two reduction blocks, :meth:`~dagfilter.nets.nb201.NB201Network.forward_features`):

* **expressivity** ``sum_l H(f_l)``: ``H`` is the entropy of the normalised eigenvalue spectrum of the
  channel covariance of ``f_l`` (pixels of all images as samples), i.e. how isotropically the
  features fill their channel space;
* **progressivity** ``min_l (H(f_l) - H(f_{l-1}))``: expressivity must grow layer after layer;
* **trainability** ``mean_l (2 - s_l - 1/s_l)`` with ``s_l`` the largest singular value of the
  block Jacobian estimated with a Rademacher probe ``g_out`` backpropagated from ``f_l`` to ``f_{l-1}``
  (``s = 1`` is ideal; the term is <= 0). A block whose input gradient equals the probe exactly (an
  identity block) makes the term ``-inf``, as in the paper's code.

Setup: BatchNorm on batch statistics (``train()``), one minibatch of 64 real training images (as in
the paper; our passes use the first 64 of the scoring batch), labels unused, PyTorch's default
initialisation (the paper's code re-initialises with Kaiming-normal fan-in; on NAS-Bench-201 that
cost 0.12 of Spearman rho on held-out cells - see :mod:`dagfilter.proxies.passes`). Higher is better for all three. NaN (degenerate features, e.g. an
all-zero feature map) becomes ``-inf``.

Precision: :func:`spectral_entropy` forms the channel covariance and its eigenvalues in float64. The
public AZ-NAS code does both in float32, where rounding leaves small negative eigenvalues of a nearly
rank-deficient covariance; ``log`` of the resulting negative ``p + 1e-8`` is NaN and the term becomes
``-inf``. Run side by side on 20 NAS-Bench-201 cells (issue 29), the original gave ``-inf`` on 5
cells where ours is finite; on the other cells the two agree to float32 precision.
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from .capture import Capture, shared_proxy


def spectral_entropy(feat: torch.Tensor) -> float:
    """Entropy of the normalised eigenvalues of the channel covariance of a ``(B, C, H, W)`` map.

    NaN when the covariance is zero (a constant feature map)."""
    b, c, h, w = feat.shape
    x = feat.detach().permute(0, 2, 3, 1).reshape(b * h * w, c).double()
    x = x - x.mean(dim=0, keepdim=True)
    sigma = x.T @ x / x.shape[0]
    s = torch.linalg.eigvalsh(sigma)
    p = s / s.sum()
    return float((-p * torch.log(p + 1e-8)).sum())


def expressivity_progressivity(feats: Sequence[torch.Tensor]) -> tuple[float, float]:
    """``(expressivity, progressivity)`` of the feature maps ``f_0 .. f_L`` (NaN -> ``-inf``)."""
    h = [spectral_entropy(f) for f in feats]
    expr = sum(h)
    prog = min(b - a for a, b in zip(h[:-1], h[1:])) if len(h) > 1 else float("nan")
    return (_finite_or_ninf(expr), _finite_or_ninf(prog))


def block_trainability(g_in: torch.Tensor, g_out: torch.Tensor) -> float:
    """``2 - s - 1/s`` for one block, ``s`` the top singular value of ``E[g_in g_out^T]`` over pixels.

    ``g_in`` is the probe ``g_out`` pulled back to the block input; when the block halves the
    resolution ``g_in`` is pixel-unshuffled to the output resolution first. ``-inf`` when
    ``g_in == g_out`` exactly (identity block)."""
    if g_in.shape == g_out.shape and torch.equal(g_in, g_out):
        return float("-inf")
    if g_in.shape[2:] != g_out.shape[2:]:
        g_in = nn.functional.pixel_unshuffle(g_in, g_in.shape[2] // g_out.shape[2])
    bo, co, ho, wo = g_out.shape
    gi = g_in.permute(0, 2, 3, 1).reshape(-1, g_in.shape[1]).double()
    go = g_out.permute(0, 2, 3, 1).reshape(-1, co).double()
    s = float(torch.linalg.svdvals(gi.T @ go / (bo * ho * wo)).max())
    return 2.0 - s - 1.0 / (s + 1e-6)


def trainability(feats: Sequence[torch.Tensor], generator: torch.Generator) -> float:
    """Mean :func:`block_trainability` over consecutive feature maps (last block first).

    ``feats`` must still be attached to the autograd graph; the graph is retained."""
    scores = []
    for i in reversed(range(1, len(feats))):
        f_out, f_in = feats[i], feats[i - 1]
        # Rademacher probe: rand < 0.5 draws the very bits of torch.bernoulli(0.5) (same stream, checked
        # in tests/test_proxies_pass_equivalence.py), 4x faster on CPU
        probe = (torch.rand(f_out.shape, generator=generator) < 0.5).to(f_out.dtype).mul_(2).sub_(1)
        g_in = torch.autograd.grad(f_out, f_in, grad_outputs=probe, retain_graph=True, allow_unused=True)[0]
        if g_in is None:
            g_in = torch.zeros_like(f_in)
        scores.append(block_trainability(g_in, probe))
    return _finite_or_ninf(sum(scores) / len(scores)) if scores else float("-inf")


def _finite_or_ninf(v: float) -> float:
    return float("-inf") if math.isnan(v) else float(v)


def _entropy_terms(cap: Capture) -> tuple[float, float]:
    if "az_entropy" not in cap.memo:  # both terms read the same entropies: compute them once per pass
        cap.memo["az_entropy"] = expressivity_progressivity(cap.feats)
    return cap.memo["az_entropy"]


@shared_proxy("az_expressivity", needs=("features",),
              description="AZ-NAS expressivity: sum of per-layer spectral entropies of feature maps (batch 64, BN train)")
def az_expressivity_from(cap: Capture) -> float:
    """AZ-NAS expressivity of the captured feature maps (higher = better)."""
    return _entropy_terms(cap)[0]


@shared_proxy("az_progressivity", needs=("features",),
              description="AZ-NAS progressivity: min growth of spectral entropy between layers (batch 64, BN train)")
def az_progressivity_from(cap: Capture) -> float:
    """AZ-NAS progressivity of the captured feature maps (higher = better)."""
    return _entropy_terms(cap)[1]


@shared_proxy("az_trainability", needs=("features", "graph"),
              description="AZ-NAS trainability: mean 2-s-1/s of block Jacobian spectral norms (batch 64, BN train)")
def az_trainability_from(cap: Capture) -> float:
    """AZ-NAS trainability: Rademacher probes (from ``cap.generator``) back through every block."""
    return trainability(cap.feats, cap.generator)
