"""NAS-WOT search (Mellor et al., ICML 2021): draw N cells, score each untrained network with
``log|K|`` on one real minibatch, keep the best. With a filter, rejected cells are never built."""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from dagfilter.cache import ScoreCache
from dagfilter.errors import ConfigError
from dagfilter.proxies import Execution, ScoringSetup, score_cells
from dagfilter.proxies.config import scoring_network
from dagfilter.spaces import Space

from .base import Evaluation, Searcher
from .benchmark import NB201Table, try_load_table
from .registry import register


class ProxySearcher(Searcher):
    """Pick the drawn cell with the best training-free proxy score.

    Options:
        proxy: registered proxy (``naswot``).
        dataset: minibatch dataset (``cifar10``, ``cifar100``, ``ImageNet16-120``).
        data_dir: dataset directory (else ``$DAGFILTER_CIFAR10_DIR`` / ``$DAGFILTER_DATA_DIR``).
        batch_size: minibatch size (128, as in the paper).
        score_seed: seeds the minibatch and the network initialisation. It is separate from the
            search seed (which only drives sampling) so that searches with different seeds share
            cached scores.
        n_jobs, backend, scheduler, chunk_size: parallel scoring (see
            :class:`dagfilter.proxies.Execution`).
        cache: a :class:`~dagfilter.cache.ScoreCache`, a cache directory, or None for no cache.
        table: NAS-Bench-201 table path for reporting accuracies (default: the shared table;
            ``False`` = do not report).
        network: size options of the scored network (``{"C": 16, "layers": 8}``); default the
            space's :data:`dagfilter.proxies.config.SCORING_NETWORKS` entry (DARTS: 16 channels,
            8 cells - the setup of the shipped ``darts725`` scores), else its benchmark network.
    """

    default_proxy = "naswot"

    def __init__(self, proxy: str | None = None, dataset: str = "cifar10", data_dir: str | os.PathLike | None = None,
                 batch_size: int = 128, score_seed: int = 0, n_jobs: int = 1, backend: str = "loky",
                 scheduler: str | None = None, chunk_size: int = 4, cache: ScoreCache | str | os.PathLike | None = None,
                 table: str | os.PathLike | bool | None = None, network: Any = None) -> None:
        self.setup = ScoringSetup(proxy or self.default_proxy, dataset, data_dir, batch_size, score_seed)
        self.network = None if network is None else scoring_network("", network)
        self.execution = Execution(n_jobs, backend, scheduler, chunk_size)
        if backend == "dask" and not scheduler:
            raise ConfigError("backend 'dask' needs a scheduler address (scheduler='tcp://HOST:PORT')")
        self.cache = cache if (cache is None or isinstance(cache, ScoreCache)) else ScoreCache(cache)
        self._table: NB201Table | None = None if table is False else try_load_table(
            None if table in (None, True) else table)  # type: ignore[arg-type]

    def options(self) -> dict[str, Any]:
        st, ex = self.setup, self.execution
        return {"proxy": st.proxy, "dataset": st.dataset, "data_dir": st.data_dir, "batch_size": st.batch_size,
                "score_seed": st.seed, "n_jobs": ex.n_jobs, "backend": ex.backend, "scheduler": ex.scheduler,
                "cache": None if self.cache is None else str(self.cache.path), "network": self.network}

    def evaluate(self, archs: list[Any], space: Space, seed: int, progress: bool,
                 postfix: dict[str, Any]) -> list[Evaluation]:
        setup = replace(self.setup, space=space.name, network=scoring_network(space.name, self.network))
        execution = replace(self.execution, progress=progress, desc=f"{self.name} seed {seed}", postfix=postfix)
        scores = score_cells(archs, setup, self.cache, execution)
        return [Evaluation(s.score, s.seconds, s.cached) for s in scores]



@register("naswot")
class NaswotSearcher(ProxySearcher):
    """NAS-WOT: the ``naswot`` proxy (``hook_logdet``) over ``budget`` drawn cells; see :class:`ProxySearcher`."""

    default_proxy = "naswot"
