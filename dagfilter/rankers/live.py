"""Live rankers: a training-free proxy (NAS-WOT, ...) computed on a seeded untrained network and
one real minibatch, through :func:`dagfilter.proxies.score_cells` and the score cache.

Isomorphism-aware scoring (NAS-Bench-201, ``RankerContext.iso``): candidates are grouped by
their isomorphism class (:func:`dagfilter.bench.nb201_iso_classes`, the NAS-Bench-201
convention: 6,466 classes). Within one call each class is scored once - by a member whose score
is already cached if there is one, else by its first member - and the other members reuse
that score (``reused``; no forward pass). With ``iso="cache"`` a class whose *any* member (in
the whole space) is cached is not scored at all. Reused scores are the proxy value of an
isomorphic network: the same function, but its random initialisation differs, so the value is
not bit-identical to what the cell itself would get.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError, DataError
from ..spaces import Space
from .base import Candidates, Ranker, RankerOutput, as_candidates
from .context import RankerContext


class LiveProxyRanker(Ranker):
    """Scores cells with a registered proxy (``cost`` = 1 forward pass per scored cell).

    Args:
        proxy: a name from :func:`dagfilter.proxies.available_proxies`.
        context: data set, cache, parallelism, isomorphism mode.
    """

    kind = "live"
    cost = 1

    def __init__(self, proxy: str, context: RankerContext) -> None:
        self.ctx = context
        self.setup = context.scoring_setup(proxy)
        self.proxy = self.setup.proxy
        super().__init__(self.proxy)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "dataset": self.ctx.dataset, "batch_size": self.ctx.batch_size,
                "score_seed": self.ctx.score_seed, "iso": self.ctx.iso}

    # ------------------------------------------------------------------ helpers
    def _keys(self, cand: Candidates) -> list[str]:
        if cand.is_nb201:
            from ..encodings.nb201 import index_strings

            return index_strings(cand.indices)
        from ..proxies.scoring import cell_key

        return [cell_key(a)[0] for a in cand.archs]

    def setup_for(self, space: str) -> Any:
        """The :class:`~dagfilter.proxies.ScoringSetup` of this ranker on ``space`` (its scoring
        network: :func:`dagfilter.proxies.config.scoring_network`)."""
        return self.setup if space == self.setup.space else self.ctx.scoring_setup(self.proxy, space)

    def _cache_lookup(self, keys: Sequence[str], space: str = "nb201") -> dict[str, tuple[float, float | None]]:
        c = self.ctx
        if c.cache is None:
            return {}
        return c.cache.get_many(keys, self.setup_for(space).key)

    def _cached_by_index(self) -> dict[int, tuple[float, float | None]]:
        """Every cached NB201 score of this setup, by index (for ``iso="cache"``)."""
        c = self.ctx
        if c.cache is None:
            return {}
        return {i: (r.score, r.seconds)
                for i, r in c.cache.by_nb201_index(self.setup.key).items()}

    def _compute(self, keys: list[str], space: Space, progress: bool) -> dict[str, tuple[float, float | None, bool]]:
        """``{key: (score, seconds, cached)}`` for the keys to pay for."""
        c = self.ctx
        if not keys:
            return {}
        if c.cache_only:
            got = self._cache_lookup(keys, space.name)
            missing = [k for k in keys if k not in got]
            if missing:
                raise DataError(f"{len(missing)} cell(s) are not in the score cache (cache_only=True), "
                                f"e.g. {missing[0]!r}")
            return {k: (got[k][0], got[k][1], True) for k in keys}
        from ..proxies.scoring import score_cells

        res = score_cells(keys, self.setup_for(space.name), c.cache, c.execution_for(progress, self.proxy))
        return {r.cell: (r.score, r.seconds, r.cached) for r in res}

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, space: str | Space, archs: Any, progress: bool = False) -> RankerOutput:
        cand = as_candidates(space, archs)
        n = len(cand)
        scores = np.full(n, np.nan)
        seconds = np.zeros(n)
        cached = np.zeros(n, dtype=bool)
        reused = np.zeros(n, dtype=bool)
        computed = np.zeros(n, dtype=bool)
        passes = np.zeros(n, dtype=np.int64)
        if n == 0:
            return RankerOutput(scores, seconds, cached, reused, passes, computed)
        keys = self._keys(cand)
        in_cache = set(self._cache_lookup(keys, cand.space.name))

        # group candidates: by isomorphism class (NB201, iso on) or by identical cell
        if cand.is_nb201 and self.ctx.iso != "off":
            from ..bench.isomorphism import nb201_iso_classes

            groups_of = nb201_iso_classes(cand.codes()).tolist()
        else:
            groups_of = keys
        groups: dict[Any, list[int]] = {}
        for pos, g in enumerate(groups_of):
            groups.setdefault(g, []).append(pos)

        from_class_cache: dict[Any, tuple[float, float | None]] = {}
        if cand.is_nb201 and self.ctx.iso == "cache":
            from ..bench.isomorphism import nb201_iso_classes

            by_index = self._cached_by_index()
            if by_index:
                idx = np.fromiter(by_index, dtype=np.int64)
                cls = nb201_iso_classes()[idx]
                for i, k in zip(idx.tolist(), cls.tolist()):
                    if k in groups and not any(keys[p] in in_cache for p in groups[k]):
                        from_class_cache.setdefault(k, by_index[i])

        reps: dict[Any, int] = {}
        for g, members in groups.items():
            if g in from_class_cache:
                continue
            reps[g] = next((p for p in members if keys[p] in in_cache), members[0])
        got = self._compute([keys[p] for p in reps.values()], cand.space, progress)

        for g, members in groups.items():
            if g in from_class_cache:
                s, _ = from_class_cache[g]
                scores[members] = s
                reused[members] = True
                continue
            rep = reps[g]
            s, t, was_cached = got[keys[rep]]
            scores[members] = s
            seconds[rep] = 0.0 if t is None else float(t)
            cached[rep] = was_cached
            computed[rep] = not was_cached
            passes[rep] = self.cost
            others = [p for p in members if p != rep]
            reused[others] = True
        return RankerOutput(scores, seconds, cached, reused, passes, computed)


def make_live(proxy: str) -> Any:
    """Factory for the registry: a live ranker of ``proxy`` taking no arguments."""
    def factory(args: Sequence[str], ctx: RankerContext) -> Ranker:
        if args:
            raise ConfigError(f"ranker {proxy!r} takes no arguments, got {list(args)!r}")
        return LiveProxyRanker(proxy, ctx)

    return factory
