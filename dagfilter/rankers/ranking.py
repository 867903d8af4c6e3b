"""Rank a set of cells (by default a whole enumerable space) under a ranker spec, as plain data.

>>> from dagfilter.rankers.ranking import rank_cells
>>> r = rank_cells("prior")                      # all 15,625 NAS-Bench-201 cells, no network built
>>> r.rows.head(3)[["rank", "index", "score", "cifar10_test"]]        # doctest: +SKIP
>>> r.quality["cifar10"]["spearman"]                                   # doctest: +SKIP
0.83...

The result carries the benchmark accuracies of every ranked cell where a shipped table knows
them (NAS-Bench-201: 200-epoch test accuracy on three data sets; DARTS space: the 725-genotype
table's CIFAR-10 validation accuracy) and how well the ranking agrees with them (Spearman,
Kendall tau-b, top-5 % precision, via :func:`dagfilter.rankers.evaluation.rank_quality`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError
from ..spaces import Space, get_space
from .base import Candidates, as_candidates
from .context import RankerContext
from .evaluation import rank_quality
from .registry import get_ranker

NB201_TRUTH = (("cifar10", "cifar10_test_200"), ("cifar100", "cifar100_test_200"),
               ("ImageNet16-120", "imagenet16_test_200"))
"""NAS-Bench-201 accuracy columns (200-epoch test accuracy) a ranking is compared with."""


@dataclass
class RankingResult:
    """A ranking of cells.

    Attributes:
        spec: canonical ranker spec.
        kind: ``"analytic"`` or ``"live"``.
        rows: ``pandas.DataFrame`` sorted best first with columns ``rank`` (1 = best; ties share
            the first position of their block), ``index`` (NAS-Bench-201 index or position in
            the input), ``cell`` (the architecture as text), ``score`` and one ``<dataset>_test``
            (or ``cifar10_val``) column per known benchmark accuracy.
        quality: ``{dataset: {"spearman", "kendall", "top_precision", "n"}}`` against those
            accuracies (empty when no table knows the cells).
        stats: live cost bookkeeping (forward passes, cache hits, isomorphism reuse).
        config: what produced the ranking (space, spec, context, filter).
    """

    spec: str
    kind: str
    rows: Any
    quality: dict[str, dict[str, float]] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    def top(self, k: int = 10) -> Any:
        """The best ``k`` rows."""
        return self.rows.head(int(k))

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-able plain data (all rows, or the best ``top``)."""
        rows = self.rows if top is None else self.rows.head(int(top))
        from ..jsonio import strict

        # plain Python values (pandas converts numpy scalars), then the project's JSON convention:
        # a non-finite score is null plus "<column>_status" ("-inf" for a singular NAS-WOT kernel)
        recs = strict(rows.to_dict(orient="records"))
        return {"spec": self.spec, "kind": self.kind, "config": self.config, "stats": self.stats,
                "quality": self.quality, "n": int(len(self.rows)), "rows": recs}


def rank_cells(spec: str, space: str | Space = "nb201", archs: Sequence[Any] | np.ndarray | None = None,
               context: RankerContext | None = None, filter: Any = None, combine: str | None = None,
               progress: bool = False, pool: Any = None) -> RankingResult:
    """Score ``archs`` (default: every cell of an enumerable space) with ``spec`` and sort them.

    Args:
        spec: ranker spec, e.g. ``"prior"``, ``"params"``, ``"naswot+prior"``.
        space: space of the cells.
        archs: cells in any encoding the space accepts; None = the whole space (NAS-Bench-201).
        context: ranker settings (data set, cache, ...).
        filter: a :class:`~dagfilter.filter.DAGFilter`; only accepted cells are ranked (and the
            filter is what ``window_distance`` measures against).
        combine: ``"rank"`` or ``"zscore"`` for multi-term specs.
        progress: progress bar for live scoring.
        pool: rank a pool's cells (:func:`dagfilter.pools.load_pool`: ``"darts725"`` or a file) instead
            of ``archs``; the pool's accuracies (if any) are the ``pool_acc`` column and the
            ``"pool"`` entry of ``quality``.

    Raises:
        ConfigError: no cells (or a non-enumerable space without ``archs``), a filter that
            accepts none of them, or a bad spec.
    """
    import pandas as pd

    sp = get_space(space)
    pool_acc = None
    if pool is not None:
        from ..pools import load_pool

        if archs is not None:
            raise ConfigError("pass either archs or pool to rank_cells, not both")
        pl = load_pool(pool, sp.name)
        archs = list(pl.archs)
        pool_acc = pl.accuracies
    if archs is None:
        if not sp.enumerable:
            raise ConfigError(f"space {sp.name!r} cannot be enumerated: pass the cells to rank")
        archs = np.arange(len(sp), dtype=np.int64)  # type: ignore[arg-type]
    if sp.name != "nb201" and not isinstance(archs, Candidates):
        archs = [sp.parse(a) for a in archs]
    cand = as_candidates(sp, archs)
    if len(cand) == 0:
        raise ConfigError("no cells to rank")
    ctx = context or RankerContext()
    if filter is not None:
        ctx = ctx.with_options(filter=filter)
        keep = np.asarray(filter.mask(cand.indices if cand.is_nb201 else cand.archs), dtype=bool)
        if not keep.any():
            raise ConfigError(f"the filter (centre {filter.center}, radius {filter.radius}, fraction "
                              f"{filter.fraction}) accepts none of the {len(cand)} cells")
        cand = _subset(cand, keep)
        if pool_acc is not None:
            pool_acc = pool_acc[keep]
    ranker = get_ranker(spec, ctx, combine=combine)
    out = ranker.evaluate(sp, cand, progress)
    scores = np.where(np.isnan(out.scores), -np.inf, out.scores)
    order = np.argsort(-scores, kind="stable")
    ids = cand.indices if cand.is_nb201 else np.arange(len(cand))
    if cand.is_nb201:
        from ..encodings.nb201 import index_strings

        labels = index_strings(cand.indices[order])
    else:
        labels = [_label(cand.archs[i]) for i in order]
    data: dict[str, Any] = {"index": ids[order], "cell": labels, "score": scores[order]}
    truth = _truth(sp, cand) if pool_acc is None else {"pool_acc": np.asarray(pool_acc, dtype=np.float64)}
    quality = {}
    for name, values in truth.items():
        data[name] = values[order]
        if np.isfinite(values).sum() >= 2:
            quality[name.rsplit("_", 1)[0]] = rank_quality(scores, values)
    rows = pd.DataFrame(data)
    s = rows["score"].to_numpy()
    first = np.r_[True, s[1:] != s[:-1]]
    rows.insert(0, "rank", np.maximum.accumulate(np.where(first, np.arange(1, len(s) + 1), 0)))
    config = {"space": sp.name, "spec": ranker.name, "combine": combine, "n": int(len(cand)),
              "context": ctx.to_dict()}
    if pool is not None:
        config["pool"] = pl.describe()
    stats = out.stats() if ranker.kind == "live" else {"forward_passes": 0}
    return RankingResult(ranker.name, ranker.kind, rows, quality, stats, config)


def _subset(cand: Candidates, keep: np.ndarray) -> Candidates:
    archs = [a for a, k in zip(cand.archs, keep) if k]
    return Candidates(cand.space, archs, None if cand.indices is None else cand.indices[keep])


def _label(arch: Any) -> str:
    from ..encodings.parse import arch_to_json

    return json.dumps(arch_to_json(arch), separators=(",", ":"))


def _truth(space: Space, cand: Candidates) -> dict[str, np.ndarray]:
    """Known benchmark accuracies of the candidates (NaN where unknown)."""
    from .. import bench

    if cand.is_nb201:
        try:
            table = bench.load("nb201").table()
        except Exception:  # noqa: BLE001 - no table: a ranking without accuracies
            return {}
        return {f"{ds}_test": table[col].to_numpy(np.float64)[cand.indices] for ds, col in NB201_TRUTH}
    if space.name != "darts":
        return {}
    try:
        b = bench.load("darts725")
        acc = b.table()["val_accuracy"].to_numpy(np.float64)
    except Exception:  # noqa: BLE001
        return {}
    rows = [b.query_index_by_arch(g) for g in cand.archs]
    vals = np.asarray([acc[r] if r >= 0 else np.nan for r in rows])
    return {"cifar10_val": vals} if np.isfinite(vals).any() else {}


__all__ = ["RankingResult", "rank_cells", "NB201_TRUTH"]
