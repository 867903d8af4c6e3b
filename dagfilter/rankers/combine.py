"""Combine several score vectors into one: rank-sum, log-rank sum or z-score sum (pure functions).

Both treat NaN as ``-inf`` (worst). Rank combination uses average ranks for ties
(:func:`average_ranks`, as ``scipy.stats.rankdata``), so it depends only on the *order* of each input: it is
invariant to any strictly increasing transform of any input. z-score combination standardises
each input over its finite values (non-finite values are placed one unit below the lowest / above
the highest finite z), so it is invariant to increasing *affine* transforms only.

``logrank`` is AZ-NAS's aggregation (Lee & Ham, CVPR 2024): the sum of ``log(rank / N)`` with rank
``N`` the best. Like ``rank`` it depends only on each input's order, but a cell ranked last by one
input is punished much harder than it is rewarded for being first by another (``log(1/N)`` vs 0),
so it favours cells that no input ranks badly.

Ranks are always taken among the candidates passed in: in a search that is the N sampled
(and accepted) cells, not the whole space.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import ConfigError

METHODS = ("rank", "zscore", "logrank")


def _clean(s: np.ndarray) -> np.ndarray:
    a = np.asarray(s, dtype=np.float64).copy()
    a[np.isnan(a)] = -np.inf
    return a


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of a 1-d array, ties sharing their mean rank (``scipy.stats.rankdata(method=
    "average")``, in numpy: importing ``scipy.stats`` costs seconds, and analytic rankers start fast)."""
    a = np.asarray(values).ravel()
    order = np.argsort(a, kind="mergesort")
    inverse = np.empty(a.size, dtype=np.intp)
    inverse[order] = np.arange(a.size)
    s = a[order]
    first = np.r_[True, s[1:] != s[:-1]]  # start of each run of equal values
    group = np.cumsum(first)[inverse]  # 1-based run of every element
    bounds = np.r_[np.flatnonzero(first), a.size]  # run g spans sorted positions bounds[g-1] .. bounds[g]-1
    return 0.5 * (bounds[group] + bounds[group - 1] + 1)


def normalized_ranks(scores: Sequence[float]) -> np.ndarray:
    """Average ranks divided by N, in ``(0, 1]`` (1 = best); ties share their mean rank."""
    a = _clean(np.asarray(scores))
    if a.size == 0:
        return a
    return average_ranks(a) / a.size


def zscores(scores: Sequence[float]) -> np.ndarray:
    """Standardised scores over the finite values (0 when they are constant); ``-inf``/NaN get
    ``min - 1``, ``+inf`` gets ``max + 1``."""
    a = _clean(np.asarray(scores))
    out = np.zeros(a.size)
    fin = np.isfinite(a)
    if fin.any():
        v = a[fin]
        sd = v.std()
        out[fin] = (v - v.mean()) / sd if sd > 0 else 0.0
        lo, hi = out[fin].min(), out[fin].max()
    else:
        lo = hi = 0.0
    out[a == -np.inf] = lo - 1.0
    out[a == np.inf] = hi + 1.0
    return out


def combine(score_arrays: Sequence[Sequence[float]], weights: Sequence[float] | None = None,
            method: str = "rank") -> np.ndarray:
    """Weighted combination of equally long score vectors (higher = better).

    ``rank``: ``sum_i w_i r_i / sum_i |w_i|`` with ``r_i`` the :func:`normalized_ranks` of input
    ``i``; ``zscore``: the same with :func:`zscores`; ``logrank``: ``sum_i |w_i| log r_i / sum_i |w_i|``
    with ``r_i`` the normalised ranks of ``sign(w_i) * input_i``. A negative weight prefers low values.

    Raises:
        ConfigError: unknown method, no inputs, unequal lengths, bad or all-zero weights.
    """
    if method not in METHODS:
        raise ConfigError(f"unknown combination method {method!r}; choose one of {', '.join(METHODS)}")
    arrays = [np.asarray(s, dtype=np.float64) for s in score_arrays]
    if not arrays:
        raise ConfigError("nothing to combine: no score arrays given")
    if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
        raise ConfigError(f"score arrays must be 1-D and equally long, got shapes {[a.shape for a in arrays]}")
    w = np.ones(len(arrays)) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (len(arrays),) or not np.isfinite(w).all():
        raise ConfigError(f"need {len(arrays)} finite weights, got {weights!r}")
    if not np.abs(w).sum() > 0:
        raise ConfigError(f"weights must not all be zero, got {weights!r}")
    total = np.zeros(arrays[0].size)
    if method == "logrank":
        for wi, a in zip(w, arrays):
            if wi != 0:
                total += abs(wi) * np.log(normalized_ranks(np.sign(wi) * _clean(a)))
        return total / np.abs(w).sum()
    f = normalized_ranks if method == "rank" else zscores
    for wi, a in zip(w, arrays):
        total += wi * f(a)
    return total / np.abs(w).sum()
