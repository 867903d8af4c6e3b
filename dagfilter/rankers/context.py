"""Settings shared by the rankers of one spec (data set, cache, live-scoring options)."""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..errors import ConfigError

ISO_MODES = ("off", "search", "cache")


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
        n_jobs, backend, scheduler, chunk_size: parallel live scoring (see ``score_cells``).
        filter: a :class:`~dagfilter.filter.DAGFilter` whose centre/radius ``window_distance``
            uses (default: ``DAGFilter.from_space(space)``).
        part: which cell of a two-cell genotype the cell metrics read (``normal``/``reduce``).
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
    n_jobs: int = 1
    backend: str = "loky"
    scheduler: str | None = None
    chunk_size: int = 4
    filter: Any = None
    part: str = "normal"
    iso: str = "search"

    def __post_init__(self) -> None:
        if self.iso not in ISO_MODES:
            raise ConfigError(f"iso must be one of {', '.join(ISO_MODES)}, got {self.iso!r}")
        if self.part not in ("normal", "reduce"):
            raise ConfigError(f"part must be 'normal' or 'reduce', got {self.part!r}")
        if self.cache is not None and not hasattr(self.cache, "get_many"):
            from ..cache import ScoreCache

            object.__setattr__(self, "cache", ScoreCache(self.cache))

    def with_options(self, **kw: Any) -> "RankerContext":
        """A copy with some fields replaced."""
        unknown = set(kw) - set(asdict(self))
        if unknown:
            raise ConfigError(f"unknown ranker option(s) {sorted(unknown)}")
        return replace(self, **kw)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (the cache as its path, the filter as its dict)."""
        d = {k: getattr(self, k) for k in ("dataset", "batch_size", "score_seed", "cache_only", "part", "iso")}
        d["data_dir"] = None if self.data_dir is None else str(self.data_dir)
        d["cache"] = None if self.cache is None else str(self.cache.path)
        d["filter"] = None if self.filter is None else self.filter.to_dict()
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
