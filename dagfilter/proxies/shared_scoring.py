"""Score many architectures with several shared-pass proxies at once (one network build and one
shared pass per cell; :func:`dagfilter.proxies.passes.compute_proxies`), reusing and filling a
score cache under each proxy's own key.

The values equal what :class:`~dagfilter.proxies.scoring.CellScorer` gives for each proxy alone
(same seeded network, same minibatch, same per-pass random streams), so shared and single scoring
mix freely in one cache. Scoring is sequential in this process.
"""
from __future__ import annotations

import os
import time
from typing import Any, Sequence

from ..errors import ConfigError
from .passes import MULTI_PROXIES, compute_proxies


def score_cells_shared(cells: Sequence[str], proxies: Sequence[str], dataset: str = "cifar10",
                       data_dir: str | os.PathLike | None = None, batch_size: int = 128, seed: int = 0,
                       space: str = "nb201", cache: Any = None,
                       indices: Sequence[int | None] | None = None) -> dict[str, float]:
    """Compute the ``proxies`` of every cell lacking one of them in ``cache``; returns ``{cell: seconds}``
    of the cells computed (one shared pass each).

    Args:
        cells: canonical cell strings (see :func:`~dagfilter.proxies.scoring.cell_key`).
        proxies: names from :data:`~dagfilter.proxies.passes.MULTI_PROXIES`.
        dataset, data_dir, batch_size, seed, space: as in ``CellScorer``.
        cache: a :class:`~dagfilter.cache.ScoreCache` (required: results are delivered through it).
        indices: NAS-Bench-201 index of each cell (stored with the rows), or None.

    Raises:
        ConfigError: a proxy without a shared pass, or no cache.
    """
    import torch

    from .scoring import CellScorer

    bad = [p for p in proxies if p not in MULTI_PROXIES]
    if bad:
        raise ConfigError(f"proxy {bad[0]!r} has no shared pass; known: {', '.join(MULTI_PROXIES)}")
    if cache is None:
        raise ConfigError("score_cells_shared needs a score cache")
    scorer = CellScorer(proxies[0], dataset, data_dir, batch_size, seed, space)
    k = scorer.key
    have = {p: cache.get_many(cells, p, k.dataset, k.batch, k.seed) for p in proxies}
    images, labels = None, None
    spent: dict[str, float] = {}
    for pos, cell in enumerate(cells):
        missing = [p for p in proxies if cell not in have[p]]
        if not missing or cell in spent:
            continue
        if images is None:
            images, labels = scorer.minibatch()
        t0 = time.perf_counter()
        net = scorer.build(cell)
        scores = compute_proxies(net, images, labels, missing)
        sec = time.perf_counter() - t0
        idx = None if indices is None else indices[pos]
        for p, s in scores.items():
            cache.put_many([(cell, s, sec, idx)], p, k.dataset, k.batch, k.seed)
        spent[cell] = sec
    del torch
    return spent
