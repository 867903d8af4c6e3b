"""Score many architectures with several shared-pass proxies at once (one network build and one
shared pass per cell; :func:`dagfilter.proxies.passes.compute_proxies`), reusing and filling a
score cache under each proxy's own key.

The values equal what :class:`~dagfilter.proxies.scoring.CellScorer` gives for each proxy alone
(same seeded network, same minibatch, same per-pass random streams), so shared and single scoring
mix freely in one cache. Scoring is sequential in this process.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

from ..errors import ConfigError
from .passes import compute_proxies, shared_proxy_names


def score_cells_shared(cells: Sequence[str], setup: Any, cache: Any,
                       indices: Sequence[int | None] | None = None) -> dict[str, float]:
    """Compute the proxies of ``setup`` for every cell lacking one of them in ``cache``; returns
    ``{cell: seconds}`` of the cells computed (one network build and one shared pass each).

    Args:
        cells: canonical cell strings (see :func:`~dagfilter.proxies.scoring.cell_key`).
        setup: a :class:`~dagfilter.proxies.config.ScoringSetup` whose ``proxy`` is a name or a tuple of
            names of shared-pass proxies (:func:`~dagfilter.proxies.passes.shared_proxy_names`); each score is cached under
            ``setup.for_proxy(name)``'s key.
        cache: a :class:`~dagfilter.cache.ScoreCache` (required: results are delivered through it).
        indices: NAS-Bench-201 index of each cell (stored with the rows), or None.

    Raises:
        ConfigError: a proxy without a shared pass, or no cache.
    """
    from .scoring import CellScorer

    proxies = setup.proxies
    known = shared_proxy_names()
    bad = [p for p in proxies if p not in known]
    if bad:
        raise ConfigError(f"proxy {str(bad[0])[:60]!r} has no shared pass; known: {', '.join(known)}")
    if cache is None:
        raise ConfigError("score_cells_shared needs a score cache")
    scorer = CellScorer(setup.for_proxy(proxies[0]))
    keys = {p: setup.for_proxy(p).cache_key(embedded=scorer.key_tag) for p in proxies}
    have = {p: cache.get_many(cells, keys[p]) for p in proxies}
    spent: dict[str, float] = {}
    for pos, cell in enumerate(cells):
        missing = [p for p in proxies if cell not in have[p]]
        if not missing or cell in spent:
            continue
        images, labels = scorer.minibatch()
        t0 = time.perf_counter()
        net = scorer.build(cell)
        scores = compute_proxies(net, images, labels, missing)
        sec = time.perf_counter() - t0
        idx = None if indices is None else indices[pos]
        for p, s in scores.items():
            cache.put_many([(cell, s, sec, idx)], keys[p])
        spent[cell] = sec
    return spent
