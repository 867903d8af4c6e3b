"""How well a score ranks architectures: Spearman, Kendall tau-b, top-fraction precision."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..errors import DataError


def top_fraction_precision(scores: Sequence[float], truth: Sequence[float], fraction: float = 0.05) -> float:
    """Share of the top ``fraction`` by ``truth`` that is also in the top ``fraction`` by ``scores``.

    ``k = max(1, round(fraction * n))``; ties are broken by position (stable sort), NaN scores
    count as worst.

    Raises:
        DataError: unequal lengths or a fraction outside (0, 1].
    """
    s, t = np.asarray(scores, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    if s.shape != t.shape:
        raise DataError(f"scores and truth differ in length: {s.size} vs {t.size}")
    if not 0 < fraction <= 1:
        raise DataError(f"fraction must be in (0, 1], got {fraction!r}")
    k = max(1, int(round(fraction * s.size)))
    s = np.where(np.isnan(s), -np.inf, s)
    top_s = set(np.argsort(-s, kind="stable")[:k].tolist())
    top_t = set(np.argsort(-t, kind="stable")[:k].tolist())
    return len(top_s & top_t) / k


def rank_quality(scores: Sequence[float], truth: Sequence[float], fraction: float = 0.05) -> dict[str, float]:
    """``{"spearman", "kendall", "top_precision", "n"}`` over the pairs where ``truth`` is finite
    (non-finite scores rank last via ranks: ``-inf``/NaN become the minimum)."""
    from scipy.stats import kendalltau, spearmanr

    s, t = np.asarray(scores, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    if s.shape != t.shape:
        raise DataError(f"scores and truth differ in length: {s.size} vs {t.size}")
    keep = np.isfinite(t)
    s, t = s[keep], t[keep]
    s = np.where(np.isfinite(s), s, np.nan)
    if np.isnan(s).any():
        lo = np.nanmin(s) if (~np.isnan(s)).any() else 0.0
        s = np.where(np.isnan(s), lo - 1.0, s)
    if s.size < 2:
        return {"spearman": math.nan, "kendall": math.nan, "top_precision": math.nan, "n": int(s.size)}
    return {"spearman": float(spearmanr(s, t).statistic), "kendall": float(kendalltau(s, t).statistic),
            "top_precision": top_fraction_precision(s, t, fraction), "n": int(s.size)}
