"""What a proxy score depends on (:class:`ScoringSetup`) and how it is computed (:class:`Execution`).

A :class:`ScoringSetup` is the single argument of every scoring call
(:class:`~dagfilter.proxies.CellScorer`, :func:`~dagfilter.proxies.score_cells`, the live
rankers, the proxy searchers, ``dagfilter score``), the JSON record of a result
(:meth:`ScoringSetup.to_dict` / :meth:`ScoringSetup.from_dict`) and the source of the score-cache
key (:attr:`ScoringSetup.key`). Two setups that compare equal give the same scores::

    from dagfilter.proxies import Execution, ScoringSetup, score_cells
    setup = ScoringSetup("naswot", dataset="cifar10", data_dir="/data/cifar10", batch_size=128, seed=0)
    setup.key                                   # ScoreKey('naswot', 'cifar10', 128, 0)
    small = ScoringSetup("naswot", network={"C": 8, "N": 1})
    small.key.dataset                           # 'cifar10[C=8,N=1]': never mixed with the default network
    score_cells([0, 6111], setup, cache=None, execution=Execution(n_jobs=2))

:class:`Execution` says how the work is spread and shown (workers, backend, chunking, progress
bar); it never changes a score and is never part of a key.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

from ..cache import ScoreKey
from ..errors import ConfigError

BACKENDS = ("loky", "threading", "multiprocessing", "dask")
"""Execution backends: joblib's ``loky`` / ``threading`` / ``multiprocessing``, or a Dask cluster."""

Items = tuple[tuple[str, Any], ...]


def _items(value: Mapping[str, Any] | Items | None, what: str) -> Items:
    """Sorted ``((name, value), ...)`` of a mapping or item pairs (hashable, order-free)."""
    if not value:
        return ()
    try:
        pairs = dict(value.items() if isinstance(value, Mapping) else value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be a mapping of names to values, got {value!r}") from None
    for k, v in pairs.items():
        if not isinstance(k, str):
            raise ConfigError(f"{what} names must be strings, got {k!r}")
        try:
            hash(v)
        except TypeError:
            raise ConfigError(f"{what} value of {k!r} must be a scalar, got {v!r}") from None
    return tuple(sorted(pairs.items()))


def _proxy_names(proxy: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A registered proxy name, or a tuple of several distinct ones (a 1-tuple becomes the name)."""
    from .registry import get_proxy

    names = (proxy,) if isinstance(proxy, str) else tuple(proxy) if isinstance(proxy, (tuple, list)) else None
    if not names:
        raise ConfigError(f"proxy must be a registered proxy name or a tuple of them, got {proxy!r}")
    canon = tuple(dict.fromkeys(get_proxy(n).name for n in names))
    return canon[0] if len(canon) == 1 else canon


def _network(space: str, network: Mapping[str, Any] | Items | None) -> Items:
    """The network items that differ from the space's benchmark network (unknown names refused)."""
    items = _items(network, "network")
    if not items:
        return ()
    from ..errors import SpaceError

    try:
        from ..nets import network_defaults

        defaults = network_defaults(space)
    except SpaceError:
        return items  # a space without a built-in network: its builder judges the options
    unknown = [k for k, _ in items if k not in defaults]
    if unknown:
        raise ConfigError(f"unknown network option {unknown[0]!r} for space {space!r}; "
                          f"known: {', '.join(sorted(defaults))}")
    return tuple((k, v) for k, v in items if defaults[k] != v or type(defaults[k]) is not type(v))


@dataclass(frozen=True)
class ScoringSetup:
    """Everything a proxy score depends on, besides the cell and the package version.

    Attributes:
        proxy: a registered proxy name (:func:`~dagfilter.proxies.available_proxies`), or a tuple
            of names for a multi-proxy request (each proxy still has its own cache key; see
            :meth:`for_proxy`; single-proxy calls such as :func:`score_cells` refuse tuples).
        dataset: dataset of the minibatch (``cifar10``, ``cifar100``, ``ImageNet16-120``).
        data_dir: where the dataset is (see :func:`dagfilter.data.resolve_data_dir`); None = the
            environment, else the 256 CIFAR-10 images shipped in ``benchmarks_data``. Not part of
            the key (the data set's name is), except that the shipped images key as ``:embedded``.
        batch_size: images in the minibatch (128 in the NAS-WOT paper).
        seed: seeds the minibatch choice and the network initialisation.
        space: search space of the architectures (``nb201``, ``darts``, ...).
        network: keyword options of :func:`dagfilter.nets.build_network` (``C``, ``N`` for
            NAS-Bench-201; ``C``, ``layers``, ... for DARTS), as a mapping or item pairs; stored
            sorted, without the options equal to the space's benchmark network
            (:func:`dagfilter.nets.network_defaults`), so the default network is ``()`` and
            keys of default setups never change.

    Raises:
        ConfigError: unknown proxy, a batch size below 2, a seed that is not an integer in
            0..2**63-1 (:func:`dagfilter.limits.check_seed`), an unknown network
            option.
    """

    proxy: str | tuple[str, ...] = "naswot"
    dataset: str = "cifar10"
    data_dir: str | None = None
    batch_size: int = 128
    seed: int = 0
    space: str = "nb201"
    network: Items = ()

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "proxy", _proxy_names(self.proxy))
        b = self.batch_size
        if isinstance(b, bool) or not isinstance(b, int) or b < 2:
            raise ConfigError(f"batch_size must be an integer >= 2, got {b!r}")
        from ..limits import check_seed

        put(self, "seed", check_seed(self.seed))  # 0..2**63-1: numpy refuses < 0, SQLite keys > 2**63-1
        if self.data_dir is not None:
            put(self, "data_dir", os.fspath(self.data_dir))
        put(self, "network", _network(self.space, self.network))

    # ------------------------------------------------------------------ proxies
    @property
    def proxies(self) -> tuple[str, ...]:
        """The proxy names, as a tuple (one element for a single-proxy setup)."""
        return self.proxy if isinstance(self.proxy, tuple) else (self.proxy,)

    def for_proxy(self, name: str) -> "ScoringSetup":
        """This setup for one proxy (the unit of caching and of single-proxy scoring)."""
        return replace(self, proxy=name)

    def single_proxy(self) -> str:
        """The proxy name of a single-proxy setup.

        Raises:
            ConfigError: the setup names several proxies.
        """
        if isinstance(self.proxy, tuple):
            raise ConfigError(f"this call scores one proxy, the setup names {list(self.proxy)!r}; "
                              "score each with setup.for_proxy(name)")
        return self.proxy

    # ------------------------------------------------------------------ keys and records
    def cache_key(self, embedded: bool | str = False) -> ScoreKey:
        """The score-cache key; ``embedded`` = a minibatch drawn from the shipped CIFAR-10 images
        that is not the data-directory one (the dataset then reads ``cifar10:embedded``, or
        ``cifar10:<embedded>`` for a string: the tag of that image file). A non-default
        :attr:`network` follows the dataset as ``[name=value,...]``; the default network adds nothing.

        Raises:
            ConfigError: a multi-proxy setup (keys are per proxy: use :meth:`for_proxy`).
        """
        tag = embedded if isinstance(embedded, str) else ("embedded" if embedded else "")
        dataset = f"{self.dataset}:{tag}" if tag else self.dataset
        if self.network:
            dataset += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in self.network) + "]"
        return ScoreKey(self.single_proxy(), dataset, self.batch_size, self.seed)

    @property
    def key(self) -> ScoreKey:
        """:meth:`cache_key` for the data named by :attr:`dataset` (what lookups and imports use)."""
        return self.cache_key()

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (``proxy`` a list when several, ``network`` a dict)."""
        d = asdict(self)
        d["proxy"] = list(self.proxy) if isinstance(self.proxy, tuple) else self.proxy
        d["network"] = dict(self.network)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ScoringSetup":
        """Inverse of :meth:`to_dict`.

        Raises:
            ConfigError: unknown fields.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown scoring setup field(s) {unknown}; known: {', '.join(sorted(known))}")
        kw = dict(d)
        if isinstance(kw.get("proxy"), list):
            kw["proxy"] = tuple(kw["proxy"])
        return cls(**kw)


@dataclass(frozen=True)
class Execution:
    """How scores are computed and shown; never changes a score, never part of a key.

    Attributes:
        n_jobs: parallel workers (1 = in this process; -1 = all cores).
        backend: ``loky`` (default), ``threading``, ``multiprocessing`` (joblib) or ``dask``.
        scheduler: Dask scheduler address (``tcp://host:port``), required for ``backend="dask"``.
        chunk_size: architectures per parallel task.
        progress: show a tqdm bar on stderr.
        desc: the bar's label.
        postfix: extra fields shown on the bar (e.g. ``{"skipped": 12}``), a mapping or item pairs.

    Raises:
        ConfigError: unknown backend, ``n_jobs`` 0 or below -1, ``chunk_size`` below 1.
    """

    n_jobs: int = 1
    backend: str = "loky"
    scheduler: str | None = None
    chunk_size: int = 4
    progress: bool = True
    desc: str = "scoring"
    postfix: Items = ()

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(f"unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        n = self.n_jobs
        if isinstance(n, bool) or not isinstance(n, int) or n == 0 or n < -1:
            raise ConfigError(f"n_jobs must be a positive integer or -1, got {n!r}")
        if isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, int) or self.chunk_size < 1:
            raise ConfigError(f"chunk_size must be >= 1, got {self.chunk_size!r}")
        object.__setattr__(self, "postfix", _items(self.postfix, "postfix"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record of the parallel settings (display fields left out)."""
        return {"n_jobs": self.n_jobs, "backend": self.backend, "scheduler": self.scheduler,
                "chunk_size": self.chunk_size}


SCORING_NETWORKS: dict[str, dict[str, Any]] = {"darts": {"C": 16, "layers": 8}}
"""The network proxy searches and live rankers score a space's cells on when none is given. DARTS:
16 initial channels and 8 cells (the size NAS-WOT and NDS score/train DARTS-space networks at,
about 1.5 s per cell on one CPU thread), not the 36-channel, 20-cell evaluation network; the
shipped NAS-WOT scores of the ``darts725`` cells use it. Other spaces: their benchmark network."""


def scoring_network(space: str, network: Mapping[str, Any] | Items | None = None) -> dict[str, Any]:
    """``network`` if given, else the space's :data:`SCORING_NETWORKS` entry (``{}``: the benchmark network)."""
    if network is not None:
        return dict(network.items() if isinstance(network, Mapping) else network)
    return dict(SCORING_NETWORKS.get(str(space).lower(), {}))


SETUP_FIELDS = tuple(f.name for f in fields(ScoringSetup))
EXECUTION_FIELDS = tuple(f.name for f in fields(Execution))

__all__ = ["ScoringSetup", "Execution", "ScoreKey", "BACKENDS", "SETUP_FIELDS", "EXECUTION_FIELDS",
           "SCORING_NETWORKS", "scoring_network"]
