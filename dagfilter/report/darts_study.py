"""The DARTS-space window study and pool-search simulation on a measured pool (``darts725``).

Pure functions over per-cell arrays (accuracy, d̄/m̄ of both cells, scores), so every number can be
recomputed from the table:

* :func:`study_filters` - the candidate windows: families ``space`` (derived from the DARTS space),
  ``paper`` (published centre/radius) and ``code`` (the authors' code's range), fractions, parts;
* :func:`window_table` - share of the pool kept and share of its top-10 % kept per window;
* :func:`choose_default` - the rule that picks the DARTS default from those two columns
  (``docs/results/darts.md``);
* :func:`simulate_search` - the pool search of :class:`searchers.base.Searcher` (``pool=``) for many
  seeds at once: same seeded permutation, same draw, same argmax (earliest on ties); so the
  simulated choice of a seed is exactly what ``searcher.search(..., pool=...)`` returns;
* :func:`cv_recipes` - a ranker recipe chosen by 2-fold cross-validation over the cells.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import ConfigError
from ..filter import WINDOW_FAMILIES, DAGFilter

FAMILIES = WINDOW_FAMILIES
FRACTIONS = (0.25, 0.5, 0.75, 1.0)
PARTS = ("normal", "both")
TOP_SHARE = 0.10
KEEP_BAND = (0.20, 0.60)
"""The default rule's eligible band of the share of the pool kept."""


def code_filter(fraction: float = 0.5, part: str = "normal") -> DAGFilter:
    """The authors' code's range (:data:`dagfilter.filter.CODE_WINDOWS`): fraction 0.5 is d̄ in [0.5, 1.6],
    m̄ in [4, 12]."""
    return DAGFilter.code("darts", fraction, part)


def study_filter(family: str, fraction: float, part: str) -> DAGFilter:
    """One candidate window of the study (:meth:`DAGFilter.family` in the DARTS space)."""
    return DAGFilter.family(family, "darts", fraction, part)


def study_filters(families: Sequence[str] = FAMILIES, fractions: Sequence[float] = FRACTIONS,
                  parts: Sequence[str] = PARTS) -> list[tuple[str, float, str, DAGFilter]]:
    """``(family, fraction, part, filter)`` for every combination."""
    return [(fam, f, part, study_filter(fam, f, part)) for fam in families for part in parts for f in fractions]


def keep_mask(flt: DAGFilter, metrics: Mapping[str, np.ndarray]) -> np.ndarray:
    """Cells a filter accepts, from per-cell ``d_bar_normal``, ``m_bar_normal``, ``d_bar_reduce``,
    ``m_bar_reduce`` arrays (the ``darts725`` table's columns)."""
    parts = ("normal", "reduce") if flt.part == "both" else (flt.part,)
    ok = np.ones(len(metrics["d_bar_normal"]), dtype=bool)
    for p in parts:
        ok &= np.asarray(flt.accepts_metrics(metrics[f"d_bar_{p}"], metrics[f"m_bar_{p}"]), dtype=bool)
    return ok


def top_mask(accuracy: np.ndarray, share: float = TOP_SHARE) -> np.ndarray:
    """The ``int(share * n)`` cells with the highest accuracy (ties broken by row order)."""
    acc = np.asarray(accuracy, dtype=np.float64)
    k = int(share * len(acc))
    out = np.zeros(len(acc), dtype=bool)
    out[np.argsort(-acc, kind="stable")[:k]] = True
    return out


def window_table(metrics: Mapping[str, np.ndarray], accuracy: np.ndarray,
                 filters: Sequence[tuple[str, float, str, DAGFilter]] | None = None) -> Any:
    """One row per window: family, fraction, part, window bounds, ``kept`` (share of the pool),
    ``top_kept`` (share of the top-10 % kept), ``enrichment`` (their ratio), ``n_kept``."""
    import pandas as pd

    top = top_mask(accuracy)
    rows = []
    for fam, f, part, flt in filters if filters is not None else study_filters():
        keep = keep_mask(flt, metrics)
        (d0, d1), (m0, m1) = flt.window
        kept = float(keep.mean())
        top_kept = float(keep[top].mean())
        rows.append({"family": fam, "fraction": f, "part": part, "d_lo": d0, "d_hi": d1, "m_lo": m0, "m_hi": m1,
                     "n_kept": int(keep.sum()), "kept": kept, "top_kept": top_kept,
                     "enrichment": top_kept / kept if kept > 0 else float("nan")})
    return pd.DataFrame(rows)


def choose_default(table: Any, band: tuple[float, float] = KEEP_BAND) -> int:
    """Row label of the default window under the written rule (``docs/results/darts.md``):
    share kept within ``band``; the largest share of the top-10 % kept; ties: smaller share kept,
    normal before both, families in :data:`FAMILIES` order, smaller fraction.

    Raises:
        ConfigError: no window keeps a share within the band.
    """
    t = table[(table["kept"] >= band[0]) & (table["kept"] <= band[1])]
    if t.empty:
        raise ConfigError(f"no window keeps between {band[0]:.0%} and {band[1]:.0%} of the pool")
    key = t.assign(_part=t["part"].map({"normal": 0, "both": 1}),
                   _fam=t["family"].map({f: i for i, f in enumerate(FAMILIES)}),
                   _neg_top=-t["top_kept"])
    key = key.sort_values(["_neg_top", "kept", "_part", "_fam", "fraction"], kind="stable")
    return key.index[0]


@dataclass(frozen=True)
class SearchSim:
    """Per-seed outcome of simulated pool searches: chosen row (-1 = nothing accepted), its
    accuracy (NaN then) and the number of cells scored."""

    chosen: np.ndarray
    accuracy: np.ndarray
    scored: np.ndarray

    def summary(self, best: float) -> dict[str, float]:
        """Mean/std accuracy over seeds with a choice, mean regret, cells scored, empty searches."""
        ok = self.chosen >= 0
        acc = self.accuracy[ok]
        return {"acc_mean": float(acc.mean()) if ok.any() else float("nan"),
                "acc_std": float(acc.std(ddof=1)) if ok.sum() > 1 else 0.0,
                "regret": float(best - acc.mean()) if ok.any() else float("nan"),
                "scored": float(self.scored.mean()), "empty": int((~ok).sum()), "seeds": int(len(ok))}


def draw_orders(n_pool: int, budget: int, seeds: Sequence[int]) -> np.ndarray:
    """``(len(seeds), budget)`` pool rows drawn per seed (``default_rng(seed).permutation``, first ``budget``)."""
    if budget > n_pool:
        raise ConfigError(f"the pool holds {n_pool} cells; cannot draw {budget}")
    return np.stack([np.random.default_rng(int(s)).permutation(n_pool)[:budget] for s in seeds])


def simulate_search(orders: np.ndarray, keep: np.ndarray | None, accuracy: np.ndarray,
                    score: np.ndarray | Callable[[np.ndarray], np.ndarray]) -> SearchSim:
    """Simulated ``budget_mode="drawn"`` pool searches.

    Args:
        orders: :func:`draw_orders`.
        keep: per-cell filter mask (None = no filter).
        accuracy: per-cell accuracy.
        score: per-cell score (higher = better; NaN/-inf rank last), or a function of the accepted
            rows of one search returning their scores (for rank combinations among candidates).
    """
    acc = np.asarray(accuracy, dtype=np.float64)
    chosen = np.full(len(orders), -1, dtype=np.int64)
    scored = np.zeros(len(orders), dtype=np.int64)
    for k, drawn in enumerate(orders):
        rows = drawn if keep is None else drawn[keep[drawn]]
        scored[k] = len(rows)
        if not len(rows):
            continue
        s = score(rows) if callable(score) else np.asarray(score, dtype=np.float64)[rows]
        s = np.where(np.isnan(s), -np.inf, s)
        chosen[k] = rows[int(np.argmax(s))]
    out_acc = np.where(chosen >= 0, acc[np.maximum(chosen, 0)], np.nan)
    return SearchSim(chosen, out_acc, scored)


def rank_combination(features: Mapping[str, np.ndarray], recipe: Sequence[tuple[str, float]]) -> Callable[
        [np.ndarray], np.ndarray]:
    """Scores of a rank combination among the given rows (as the ``ranked`` searcher computes them)."""
    from ..rankers.combine import combine

    names = [n for n, _ in recipe]
    weights = [w for _, w in recipe]

    def fn(rows: np.ndarray) -> np.ndarray:
        arrays = [np.asarray(features[n], dtype=np.float64)[rows] for n in names]
        return arrays[0] * weights[0] if len(arrays) == 1 else combine(arrays, weights, "rank")

    return fn


def study_inputs(scores: "str | None" = None) -> dict[str, Any]:
    """The study's per-cell arrays for the ``darts725`` pool: ``pool``, ``accuracy``, ``metrics``
    (d̄/m̄ of both cells, from the table), ``features`` (raw scores of the analytic rankers params,
    flops, d_bar, m_bar, d_bar:reduce, m_bar:reduce, nn_mass, plus the shipped NAS-WOT scores as
    ``naswot``) and ``naswot_meta`` (the scores' setup)."""
    from .. import bench
    from ..pools import load_pool
    from ..proxies.shipped import load_darts725_scores
    from ..rankers import get_ranker

    pool = load_pool("darts725")
    table = bench.load("darts725").table()
    metrics = {c: table[c].to_numpy(np.float64) for c in ("d_bar_normal", "m_bar_normal", "d_bar_reduce",
                                                           "m_bar_reduce")}
    archs = list(pool.archs)
    feats = {name: np.asarray(get_ranker(name).scores("darts", archs), dtype=np.float64)
             for name in ("params", "flops", "d_bar", "m_bar", "d_bar:reduce", "m_bar:reduce", "nn_mass")}
    shipped = load_darts725_scores(scores)
    feats["naswot"] = np.asarray(shipped.scores, dtype=np.float64)
    return {"pool": pool, "accuracy": np.asarray(pool.accuracies), "metrics": metrics, "features": feats,
            "naswot_meta": shipped.meta}


def default_searches(features: Mapping[str, np.ndarray], accuracy: np.ndarray) -> dict[str, Any]:
    """The study's searchers: NAS-WOT (shipped scores), random (best measured accuracy among the
    scored cells) and the default ``prior`` (params + d_bar rank-sum among the candidates)."""
    from ..rankers.analytic import DEFAULT_PRIOR

    return {"naswot": features["naswot"], "random": accuracy, "prior": rank_combination(features, DEFAULT_PRIOR)}


def window_study(metrics: Mapping[str, np.ndarray], accuracy: np.ndarray, searches: Mapping[str, Any],
                 budget: int = 100, seeds: Sequence[int] = range(1000),
                 filters: Sequence[tuple[str, float, str, DAGFilter]] | None = None) -> Any:
    """:func:`window_table` plus, per searcher, ``<name>_acc`` (mean accuracy of the chosen cells),
    ``<name>_std``, ``<name>_scored`` (mean cells scored per search) and ``<name>_empty`` (searches with
    no accepted cell); the first row (family ``none``) is the unfiltered search."""
    import pandas as pd

    acc = np.asarray(accuracy, dtype=np.float64)
    best = float(acc.max())
    orders = draw_orders(len(acc), budget, seeds)
    table = window_table(metrics, acc, filters)
    fl = filters if filters is not None else study_filters()
    none_row = {"family": "none", "fraction": float("nan"), "part": "-", "d_lo": float("nan"),
                "d_hi": float("nan"), "m_lo": float("nan"), "m_hi": float("nan"), "n_kept": len(acc), "kept": 1.0,
                "top_kept": 1.0, "enrichment": 1.0}
    rows = [none_row] + table.to_dict("records")
    masks = [None] + [keep_mask(f, metrics) for *_, f in fl]
    for row, keep in zip(rows, masks):
        for name, score in searches.items():
            sm = simulate_search(orders, keep, acc, score).summary(best)
            row.update({f"{name}_acc": sm["acc_mean"], f"{name}_std": sm["acc_std"],
                        f"{name}_scored": sm["scored"], f"{name}_empty": sm["empty"]})
    out = pd.DataFrame(rows)
    out.attrs.update(budget=int(budget), seeds=len(orders), best=best)
    return out


# ---------------------------------------------------------------------------- ranker recipes
def recipe_spec(recipe: Sequence[tuple[str, float]]) -> str:
    """The ranker spec of a recipe (``-d_bar+-m_bar+naswot``: usable as ``--score`` /
    :func:`dagfilter.rankers.get_ranker`)."""
    terms = []
    for name, w in recipe:
        mag = abs(w)
        terms.append(("-" if w < 0 else "") + ("" if mag == 1 else f"{mag:g}*") + name)
    return "+".join(terms)


def candidate_recipes(names: Sequence[str], max_terms: int = 3) -> list[tuple[tuple[str, float], ...]]:
    """Every rank-sum of 1..``max_terms`` distinct features, each with weight +1 or -1 (a single
    feature's sign picks its direction)."""
    out = []
    for k in range(1, max_terms + 1):
        for combo in itertools.combinations(names, k):
            for signs in itertools.product((1.0, -1.0), repeat=k):
                out.append(tuple(zip(combo, signs)))
    return out


def recipe_spearman(features: Mapping[str, np.ndarray], accuracy: np.ndarray, rows: np.ndarray,
                    recipe: Sequence[tuple[str, float]]) -> float:
    """Spearman rho between a recipe's scores over ``rows`` (ranks among those rows) and accuracy."""
    from scipy.stats import spearmanr

    s = rank_combination(features, recipe)(rows)
    s = np.where(np.isfinite(s), s, np.nanmin(np.where(np.isfinite(s), s, np.nan)) - 1)
    return float(spearmanr(s, np.asarray(accuracy)[rows]).statistic)


def cv_recipes(features: Mapping[str, np.ndarray], accuracy: np.ndarray, seed: int = 0, max_terms: int = 3,
               recipes: Sequence[Sequence[tuple[str, float]]] | None = None) -> list[dict[str, Any]]:
    """2-fold cross-validation of ranker recipes: the cells are split in two halves (seeded); the
    recipe with the best Spearman on one half is reported on the other, both directions.

    Returns:
        One dict per direction: ``fold`` ("A->B" / "B->A"), ``chosen`` (spec), ``train_spearman``,
        ``test_spearman``, ``n_train``, ``n_test``, ``candidates``.
    """
    n = len(accuracy)
    perm = np.random.default_rng([int(seed), 0xC5]).permutation(n)
    halves = (np.sort(perm[: n // 2]), np.sort(perm[n // 2:]))
    cands = list(recipes) if recipes is not None else candidate_recipes(list(features), max_terms)
    out = []
    for name, (train, test) in (("A->B", halves), ("B->A", halves[::-1])):
        scored = [(recipe_spearman(features, accuracy, train, r), k) for k, r in enumerate(cands)]
        best_rho, best_k = max(scored, key=lambda t: (t[0], -t[1]))
        out.append({"fold": name, "chosen": recipe_spec(cands[best_k]), "recipe": cands[best_k],
                    "train_spearman": best_rho,
                    "test_spearman": recipe_spearman(features, accuracy, test, cands[best_k]),
                    "n_train": int(len(train)), "n_test": int(len(test)), "candidates": len(cands)})
    return out


__all__ = ["FAMILIES", "FRACTIONS", "PARTS", "code_filter", "study_filter", "study_filters",
           "keep_mask", "top_mask", "window_table", "choose_default", "study_inputs", "default_searches",
           "window_study", "SearchSim", "draw_orders",
           "simulate_search", "rank_combination", "recipe_spec", "candidate_recipes", "recipe_spearman",
           "cv_recipes"]
