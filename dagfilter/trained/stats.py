"""Rank correlation used to compare predicted and benchmark orders."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..errors import DataError


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Kendall's tau-b between ``x`` and ``y``, over the pairs where both are finite.

    Returns None when fewer than two finite pairs remain or a side is constant.

    Raises:
        DataError: ``x`` and ``y`` differ in length.
    """
    from scipy.stats import kendalltau

    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape:
        raise DataError(f"kendall_tau needs equal lengths, got {a.size} and {b.size}")
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 2:
        return None
    tau = kendalltau(a[keep], b[keep]).statistic
    return None if tau is None or math.isnan(tau) else float(tau)
