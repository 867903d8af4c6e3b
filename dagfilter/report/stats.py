"""Pure statistics behind the report: multiple correlation, (d_bar, m_bar) groups, the
reachable-region envelope, top-k sets, rank correlations and simulated proxy searches.

Every function takes and returns plain numpy arrays / pandas frames and has no side effects.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError


def _as_1d(name: str, values: object) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise DataError(f"{name} must be a 1-D array, got shape {arr.shape}")
    return arr


def multiple_correlation(y: Sequence[float], *xs: Sequence[float]) -> float:
    """Multiple correlation coefficient R of ``y`` on the predictors ``xs``.

    R = sqrt(R^2), where R^2 is the coefficient of determination of the ordinary
    least-squares fit ``y ~ 1 + x_1 + ... + x_k`` (with intercept). It equals the Pearson
    correlation between ``y`` and the fitted values, lies in [0, 1], and reduces to ``|r|``
    for one predictor. Rows with a NaN anywhere are dropped. Returns NaN when fewer than
    ``k + 2`` rows remain or ``y`` is constant.

    Raises:
        DataError: no predictor, or arrays of different lengths.
    """
    if not xs:
        raise DataError("multiple_correlation needs at least one predictor")
    yy = _as_1d("y", y)
    cols = [_as_1d(f"x{i + 1}", x) for i, x in enumerate(xs)]
    for i, c in enumerate(cols):
        if len(c) != len(yy):
            raise DataError(f"predictor x{i + 1} has {len(c)} values but y has {len(yy)}")
    X = np.column_stack([np.ones_like(yy), *cols])
    ok = np.isfinite(yy) & np.isfinite(X).all(axis=1)
    yy, X = yy[ok], X[ok]
    if len(yy) < X.shape[1] + 1:
        return float("nan")
    resid_total = yy - yy.mean()
    sst = float(resid_total @ resid_total)
    if sst == 0.0:
        return float("nan")
    coef, *_ = np.linalg.lstsq(X, yy, rcond=None)
    resid = yy - X @ coef
    r2 = 1.0 - float(resid @ resid) / sst
    return float(np.sqrt(min(max(r2, 0.0), 1.0)))


def dm_groups(d_bar: Sequence[float], m_bar: Sequence[float], accuracy: Sequence[float],
              decimals: int = 9) -> pd.DataFrame:
    """One row per distinct (d_bar, m_bar) pair: ``d_bar, m_bar, n, mean, var, std, min, max``.

    Values are grouped after rounding to ``decimals`` places (so 1/3 computed two ways is one
    pair). ``var`` is the population variance (``ddof=0``; 0 for a single cell). Cells with a
    NaN accuracy are left out. Sorted by (d_bar, m_bar).
    """
    d, m, a = _as_1d("d_bar", d_bar), _as_1d("m_bar", m_bar), _as_1d("accuracy", accuracy)
    if not len(d) == len(m) == len(a):
        raise DataError(f"d_bar, m_bar and accuracy differ in length: {len(d)}, {len(m)}, {len(a)}")
    ok = np.isfinite(a) & np.isfinite(d) & np.isfinite(m)
    frame = pd.DataFrame({"d_bar": np.round(d[ok], decimals), "m_bar": np.round(m[ok], decimals), "acc": a[ok]})
    g = frame.groupby(["d_bar", "m_bar"], sort=True)["acc"]
    out = pd.DataFrame({"n": g.size(), "mean": g.mean(), "var": g.var(ddof=0), "std": g.std(ddof=0),
                        "min": g.min(), "max": g.max()}).reset_index()
    return out


def upper_envelope(d_bar: Sequence[float], m_bar: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Upper boundary of the convex hull of the points ``(d_bar, m_bar)``, left to right.

    No point lies above the returned polyline (monotone-chain algorithm), so the region above
    it - and outside ``[min d_bar, max d_bar]`` - holds no cell of the given set.
    """
    d, m = _as_1d("d_bar", d_bar), _as_1d("m_bar", m_bar)
    ok = np.isfinite(d) & np.isfinite(m)
    pts = sorted(set(zip(np.round(d[ok], 12).tolist(), np.round(m[ok], 12).tolist())))
    if not pts:
        raise DataError("upper_envelope needs at least one finite point")
    hull: list[tuple[float, float]] = []
    for p in reversed(pts):  # right to left keeps the upper chain with this orientation test
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) <= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    hull.reverse()
    xs = np.array([p[0] for p in hull])
    ys = np.array([p[1] for p in hull])
    return xs, ys


def top_k_mask(accuracy: Sequence[float], k: int) -> np.ndarray:
    """Boolean mask of the ``k`` most accurate entries (NaN never selected; ties broken by
    position, earlier first)."""
    a = _as_1d("accuracy", accuracy)
    if isinstance(k, bool) or int(k) != k or k < 0:
        raise DataError(f"k must be a non-negative integer, got {k!r}")
    key = np.where(np.isfinite(a), a, -np.inf)
    order = np.lexsort((np.arange(len(a)), -key))  # primary: accuracy desc, secondary: position asc
    finite = int(np.isfinite(a).sum())
    mask = np.zeros(len(a), dtype=bool)
    mask[order[:min(int(k), finite)]] = True
    return mask


def top_fraction_count(n: int, fraction: float) -> int:
    """How many entries "the top ``fraction``" of ``n`` means: ``ceil(fraction * n)`` (at least 1)."""
    return max(1, int(np.ceil(fraction * n - 1e-9)))


def _rankable(x: np.ndarray) -> np.ndarray:
    """Replace -inf (e.g. a singular NAS-WOT kernel, which ranks last) by a value below every finite one."""
    out = x.copy()
    neg = np.isneginf(out)
    if neg.any():
        fin = out[np.isfinite(out)]
        out[neg] = (fin.min() - 1.0) if fin.size else -1.0
    return out


MIN_CORRELATION_N = 30
"""Fewest cells a reported rank correlation may rest on: below it (standard error of Spearman's rho
about ``1 / sqrt(n - 3)``, 0.19 at n = 30) the report shows n and no coefficient."""


def rank_correlations(metrics: Mapping[str, Sequence[float]], accuracy: Sequence[float],
                      min_n: int = MIN_CORRELATION_N) -> pd.DataFrame:
    """Spearman's rho and Kendall's tau-b of every metric with ``accuracy``.

    Each metric uses the rows where both it and the accuracy are known (NaN = unknown; -inf
    ranks below every finite value). Returns columns ``metric, n, spearman, kendall``
    (NaN when fewer than ``max(3, min_n)`` rows - :data:`MIN_CORRELATION_N` by default - or a
    constant column; ``n`` is always given).
    """
    from scipy import stats

    a = _as_1d("accuracy", accuracy)
    rows = []
    for name, values in metrics.items():
        x = _as_1d(name, values)
        if len(x) != len(a):
            raise DataError(f"metric {name!r} has {len(x)} values but the accuracy has {len(a)}")
        ok = ~np.isnan(x) & np.isfinite(a)
        xs, ys = _rankable(x[ok]), a[ok]
        if ok.sum() < max(3, int(min_n)) or np.ptp(xs) == 0 or np.ptp(ys) == 0:
            rho = tau = float("nan")
        else:
            rho = float(stats.spearmanr(xs, ys).statistic)
            tau = float(stats.kendalltau(xs, ys).statistic)
        rows.append({"metric": name, "n": int(ok.sum()), "spearman": rho, "kendall": tau})
    return pd.DataFrame(rows, columns=["metric", "n", "spearman", "kendall"])


def simulate_proxy_search(score: Sequence[float], keep: Sequence[bool], budget: int = 100,
                          seeds: Sequence[int] = tuple(range(20))) -> tuple[np.ndarray, np.ndarray]:
    """Replay a proxy search (e.g. NAS-WOT) from stored scores, one run per seed.

    The pool is every row with a known score (not NaN). Seed ``s`` permutes the pool with
    ``numpy.random.default_rng(s)`` and draws its first ``budget`` rows; the rows ``keep``
    rejects are skipped; the accepted row with the highest score is chosen (-inf last, the
    earliest drawn on ties) - the same rule as :mod:`searchers.base`, but drawing from the
    scored pool rather than the whole space.

    Returns:
        ``(chosen, evaluated)``: per seed the chosen row (-1 when the window accepted none of
        the drawn rows) and how many rows were evaluated.

    Raises:
        DataError: lengths differ, an empty pool, or a non-positive budget.
    """
    s = _as_1d("score", score)
    k = np.asarray(keep, dtype=bool)
    if k.shape != s.shape:
        raise DataError(f"keep has shape {k.shape} but score has {s.shape}")
    if isinstance(budget, bool) or int(budget) != budget or budget < 1:
        raise DataError(f"budget must be a positive integer, got {budget!r}")
    pool = np.flatnonzero(~np.isnan(s))
    if pool.size == 0:
        raise DataError("no row has a score: nothing to search over")
    chosen = np.full(len(seeds), -1, dtype=np.int64)
    evaluated = np.zeros(len(seeds), dtype=np.int64)
    for j, seed in enumerate(seeds):
        drawn = np.random.default_rng(int(seed)).permutation(pool)[:int(budget)]
        acc = drawn[k[drawn]]
        evaluated[j] = acc.size
        if acc.size:
            chosen[j] = acc[int(np.argmax(s[acc]))]  # argmax returns the first maximum; -inf < finite
    return chosen, evaluated


def mean_std(values: Sequence[float], ddof: int = 0) -> tuple[float, float, int]:
    """(mean, std, n) over the finite values (NaN, NaN, 0 when none).

    ``ddof=0`` (population std) follows the convention of NAS papers reporting "mean (std)"
    over a few seeds."""
    v = _as_1d("values", values)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    return float(v.mean()), float(v.std(ddof=ddof)), int(v.size)


__all__ = ["multiple_correlation", "dm_groups", "upper_envelope", "top_k_mask", "top_fraction_count",
           "rank_correlations", "MIN_CORRELATION_N", "simulate_proxy_search", "mean_std"]
