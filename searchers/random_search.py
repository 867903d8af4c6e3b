"""Random search, the standard NAS baseline: draw N cells, keep the one with the best benchmark
validation accuracy (NAS-Bench-201 ``cifar10-valid`` validation accuracy after 200 epochs by
default; with a pool that has accuracies, the pool's accuracy - for ``darts725`` the CIFAR-10
validation accuracy); with no benchmark figure, keep a random one (seeded)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from dagfilter.errors import ConfigError
from dagfilter.spaces import Space

from .base import Evaluation, Searcher
from .benchmark import DEFAULT_SELECT, NB201Table, try_load_table
from .registry import register


@register("random")
class RandomSearcher(Searcher):
    """Random-search baseline.

    Options:
        select: benchmark column to maximise (default ``cifar10valid_valid_200``).
        table: NAS-Bench-201 table path; ``False`` = no benchmark (pick uniformly at random).
    """

    def __init__(self, select: str = DEFAULT_SELECT, table: str | os.PathLike | bool | None = None) -> None:
        self.select = select
        self._table: NB201Table | None = None if table is False else try_load_table(
            None if table in (None, True) else table)  # type: ignore[arg-type]
        if self._table is not None and select not in self._table.columns:
            raise ConfigError(f"unknown selection column {select!r}; available: {', '.join(self._table.columns)}")

    def options(self) -> dict[str, Any]:
        return {"select": self.select if self._table is not None else "uniform-random",
                "table": None if self._table is None else self._table.source}

    def evaluate(self, archs: list[Any], space: Space, seed: int, progress: bool,
                 postfix: dict[str, Any]) -> list[Evaluation]:
        pool = self._pool
        if pool is not None and pool.accuracies is not None:
            return [Evaluation(float(v)) for v in pool.accuracies[pool.rows_of(archs)]]
        if self._table is not None and space.name == "nb201":
            idx = [space.index(a) for a in archs]  # type: ignore[attr-defined]
            return [Evaluation(float(v)) for v in self._table.metric(idx, self.select)]
        # No benchmark: a seeded random key per candidate, so the argmax is a uniform random pick.
        keys = np.random.default_rng([int(seed), 0x5EA7C4]).random(len(archs))
        return [Evaluation(float(v)) for v in keys]

