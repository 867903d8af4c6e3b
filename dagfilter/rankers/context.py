"""Settings shared by the rankers of one spec (data set, cache, live-scoring options)."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import ConfigError

ISO_MODES = ("off", "search", "cache")
EXECUTION_OPTIONS = ("n_jobs", "backend", "scheduler", "chunk_size")
"""Options of :meth:`RankerContext.with_options` / ``get_ranker`` that set fields of its ``execution``."""


@dataclass(frozen=True)
class RankerContext:
    """What a ranker factory may read.

    Attributes:
        dataset: data set whose head sizes params/FLOPs (``cifar10``, ``cifar100``,
            ``ImageNet16-120``) and whose minibatch live proxies use.
        data_dir: where the data set lives (live rankers).
        batch_size, score_seed: live proxy minibatch size and seed (network init + minibatch).
        cache: a :class:`~dagfilter.cache.ScoreCache`, a cache directory, or None.
        cache_only: live rankers read the cache and never compute (a missing cell is a DataError).
        execution: a :class:`dagfilter.proxies.Execution` for live scoring (workers, backend,
            scheduler, chunk size; None = in this process). :meth:`with_options` and
            ``get_ranker`` also take its fields (``n_jobs=2``, ``backend="dask"``, ...).
        filter: a :class:`~dagfilter.filter.DAGFilter` whose centre/radius ``window_distance``
            uses (default: ``DAGFilter.from_space(space)``).
        part: which cell of a two-cell genotype the cell metrics read (``normal``/``reduce``).
        network: size options of the network live proxies score on (default: the space's
            :data:`dagfilter.proxies.config.SCORING_NETWORKS` entry, e.g. DARTS 16 channels, 8 cells).
        iso: NAS-Bench-201 isomorphism handling of live rankers: ``"off"``; ``"search"``
            (default: cells of a class already scored in the same call reuse that score);
            ``"cache"`` (also reuse a cached score of any member of the class).
    """

    dataset: str = "cifar10"
    data_dir: str | os.PathLike | None = None
    batch_size: int = 128
    score_seed: int = 0
    cache: Any = None
    cache_only: bool = False
    execution: Any = None
    filter: Any = None
    part: str = "normal"
    iso: str = "search"
    network: Any = None

    def __post_init__(self) -> None:
        if self.iso not in ISO_MODES:
            raise ConfigError(f"iso must be one of {', '.join(ISO_MODES)}, got {self.iso!r}")
        if self.part not in ("normal", "reduce"):
            raise ConfigError(f"part must be 'normal' or 'reduce', got {self.part!r}")
        if self.cache is not None and not hasattr(self.cache, "get_many"):
            from ..cache import ScoreCache

            object.__setattr__(self, "cache", ScoreCache(self.cache))
        if self.execution is not None:
            from ..proxies.config import Execution

            if not isinstance(self.execution, Execution):
                raise ConfigError(f"execution must be a dagfilter.proxies.Execution, got {self.execution!r}")

    def with_options(self, **kw: Any) -> "RankerContext":
        """A copy with some fields replaced (``n_jobs``, ``backend``, ``scheduler``, ``chunk_size``
        replace those of :attr:`execution`)."""
        unknown = set(kw) - {f.name for f in fields(self)} - set(EXECUTION_OPTIONS)
        if unknown:
            raise ConfigError(f"unknown ranker option(s) {sorted(unknown)}")
        moved = {k: kw.pop(k) for k in EXECUTION_OPTIONS if k in kw}
        if moved:
            from ..proxies.config import Execution

            kw["execution"] = replace(kw.get("execution") or self.execution or Execution(), **moved)
        return replace(self, **kw)

    def scoring_setup(self, proxy: str, space: str = "nb201") -> Any:
        """The :class:`~dagfilter.proxies.ScoringSetup` of live proxy ``proxy`` on ``space``."""
        from ..proxies import ScoringSetup
        from ..proxies.config import scoring_network

        return ScoringSetup(proxy, self.dataset, self.data_dir, self.batch_size, self.score_seed, space,
                            scoring_network(space, self.network))

    def execution_for(self, progress: bool = False, desc: str = "scoring") -> Any:
        """:attr:`execution` (default: in this process) with the progress bar settings of one call."""
        from ..proxies.config import Execution

        return replace(self.execution or Execution(), progress=progress, desc=desc)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (the cache as its path, the filter as its dict)."""
        d = {k: getattr(self, k) for k in ("dataset", "batch_size", "score_seed", "cache_only", "part", "iso")}
        d["data_dir"] = None if self.data_dir is None else str(self.data_dir)
        d["cache"] = None if self.cache is None else str(self.cache.path)
        d["filter"] = None if self.filter is None else self.filter.to_dict()
        if self.network is not None:
            d["network"] = dict(self.network)
        return d


def head_dataset(name: str) -> str:
    """NAS-Bench-201 head name (``cifar10``, ``cifar100``, ``ImageNet16-120``) of any spelling."""
    from ..nets.nb201_counts import NB201_DATASETS

    key = str(name).strip().lower().replace("_", "-")
    for ds in NB201_DATASETS:
        if ds.lower() == key:
            return ds
    if key in ("imagenet16", "imagenet-16", "imagenet16-120"):
        return "ImageNet16-120"
    raise ConfigError(f"unknown data set {name!r} for params/FLOPs heads; known: {', '.join(NB201_DATASETS)}")
