"""Random sampling + selection by any ranker spec: ``naswot``, ``prior``, ``naswot+prior``, ...

Sampling, filtering and bookkeeping are the shared ones of :class:`searchers.base.Searcher`
(same seeded candidate stream, rejected cells skipped before any scoring). The accepted
candidates are scored together by :func:`dagfilter.rankers.get_ranker` ``(score)``, so a
combination ranks among *those* candidates. Live parts (NAS-WOT) are computed only for
accepted candidates and, on NAS-Bench-201, once per isomorphism class (``iso="search"``):
a search never pays twice for the same computation.

The result's ``config`` records ``score`` (canonical spec), ``score_kind``, ``combine`` and
``score_stats``: ``forward_passes`` (live evaluations at cold cost: cache hits count, reuse
does not), ``iso_reused`` (candidates that took an isomorphic cell's score), ``live_cached``,
``live_computed``, ``live_candidates`` (accepted candidates a live ranker had to judge).
"""
from __future__ import annotations

import os
from typing import Any

from dagfilter.filter import DAGFilter
from dagfilter.proxies.config import Execution
from dagfilter.rankers import RankerContext, get_ranker
from dagfilter.rankers.spec import parse_spec
from dagfilter.spaces import Space

from .base import Evaluation, Searcher, SearchResult
from .benchmark import NB201Table, try_load_table
from .registry import register


@register("ranked")
class RankedSearcher(Searcher):
    """Pick the drawn cell with the best score under a ranker spec.

    Options:
        score: ranker spec (grammar in :mod:`dagfilter.rankers.spec`), e.g. ``"naswot+prior"``.
        combine: ``"rank"`` (default) or ``"zscore"`` for multi-term specs without ``METHOD(...)``.
        dataset, data_dir, batch_size, score_seed, n_jobs, backend, scheduler, chunk_size, cache:
            as for the ``naswot`` searcher (live parts only; ``dataset`` also picks the
            params/FLOPs head).
        iso: ``"search"`` (default), ``"cache"`` or ``"off"`` (see :mod:`dagfilter.rankers.live`).
        cache_only: live parts read the cache only (a missing cell is an error).
        table: NAS-Bench-201 table for reporting accuracies (``False`` = do not report).
        network: size options of the network live parts score on (default: the space's scoring
            network, :data:`dagfilter.proxies.config.SCORING_NETWORKS`).
    """

    def __init__(self, score: str = "naswot", combine: str | None = None, dataset: str = "cifar10",
                 data_dir: str | os.PathLike | None = None, batch_size: int = 128, score_seed: int = 0,
                 n_jobs: int = 1, backend: str = "loky", scheduler: str | None = None, chunk_size: int = 4,
                 cache: Any = None, iso: str = "search", cache_only: bool = False,
                 table: str | os.PathLike | bool | None = None, network: Any = None) -> None:
        self.spec = parse_spec(score, combine)
        self.context = RankerContext(dataset=dataset, data_dir=data_dir, batch_size=batch_size,
                                     score_seed=int(score_seed), cache=cache, cache_only=cache_only,
                                     execution=Execution(n_jobs, backend, scheduler, chunk_size), iso=iso,
                                     network=network)
        self.ranker = get_ranker(self.spec, self.context)
        self._table: NB201Table | None = None if table is False else try_load_table(
            None if table in (None, True) else table)  # type: ignore[arg-type]
        self._stats: dict[str, int] = {}

    def options(self) -> dict[str, Any]:
        return {"score": str(self.spec), "score_kind": self.ranker.kind, "combine": self.spec.method,
                **self.context.to_dict()}

    def evaluate(self, archs: list[Any], space: Space, seed: int, progress: bool,
                 postfix: dict[str, Any]) -> list[Evaluation]:
        out = self.ranker.evaluate(space, archs, progress)
        live = self.ranker.kind == "live"
        self._stats = {**out.stats(), "live_candidates": len(archs) if live else 0}
        return [Evaluation(float(s), float(t) if live else None, bool(c))
                for s, t, c in zip(out.scores, out.seconds, out.cached)]

    def search(self, space: str | Space = "nb201", budget: int = 100, seed: int = 0,
               filter: DAGFilter | None = None, budget_mode: str = "drawn",
               progress: bool = True, pool: Any = None) -> SearchResult:
        """As :meth:`Searcher.search`; adds ``score_stats`` to the result's config."""
        self._stats = {"forward_passes": 0, "live_cached": 0, "iso_reused": 0, "live_computed": 0,
                       "live_candidates": 0}
        res = super().search(space, budget, seed, filter, budget_mode, progress, pool=pool)
        res.config["score_stats"] = dict(self._stats)
        return res



def forward_passes(result: SearchResult) -> int:
    """Forward passes a ``ranked`` search spent (cold cost); NAS-WOT-style searchers: ``evaluated``."""
    stats = result.config.get("score_stats")
    return int(stats["forward_passes"]) if stats else int(result.evaluated)


__all__ = ["RankedSearcher", "forward_passes"]
