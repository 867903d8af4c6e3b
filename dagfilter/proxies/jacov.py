"""jacov (Mellor et al. 2020, "NAS without training" v1; in Abdelfattah et al., ICLR 2021).

``J`` holds one row per image: the gradient of the sum of the network's outputs with respect to
that image (flattened). With ``v`` the eigenvalues of the ``B x B`` correlation matrix of the rows,
``jacov = -sum (log(v + k) + 1 / (v + k))``, ``k = 1e-5``. Uncorrelated input Jacobians (a network
that tells images apart) give a higher score; higher is better. Setup: BatchNorm on batch statistics,
one forward + one backward to the input on 64 real images (the first 64 of our scoring batch), labels
unused. A degenerate ``J`` (all-zero rows, e.g. no input-output path) gives ``-inf``.
"""
from __future__ import annotations

import math

import torch

from .capture import Capture, shared_proxy

JACOV_K = 1e-5


def jacov_from_jacobian(jac: torch.Tensor) -> float:
    """jacov of a ``(B, ...)`` input-Jacobian (one row per image)."""
    j = jac.detach().reshape(jac.shape[0], -1).double()
    corr = torch.corrcoef(j)
    if not bool(torch.isfinite(corr).all()):
        return float("-inf")
    v = torch.linalg.eigvalsh(corr)
    s = -float((torch.log(v + JACOV_K) + 1.0 / (v + JACOV_K)).sum())
    return s if math.isfinite(s) else float("-inf")


@shared_proxy("jacov", needs=("graph", "input_grad"),
              description="jacov: -sum(log(v+k)+1/(v+k)) of the input-Jacobian correlation spectrum (batch 64)")
def jacov_from_capture(cap: Capture) -> float:
    """jacov: one backward of the summed logits to the input ``cap.x`` (higher = better)."""
    jac = torch.autograd.grad(cap.logits.sum(), cap.x, retain_graph=True)[0]
    return jacov_from_jacobian(jac)
