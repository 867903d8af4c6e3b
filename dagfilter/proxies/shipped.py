"""Proxy scores shipped with dagfilter, and their import into a :class:`~dagfilter.cache.ScoreCache`.

* ``benchmarks_data/naswot_nb201_cifar10.npz`` holds the NAS-WOT score of all 15,625 NAS-Bench-201
  cells (CIFAR-10 training minibatch, batch 128, score seed 0), written by
  ``scripts/build_shipped_scores.py``;
* ``benchmarks_data/naswot_darts725_cifar10.npz`` holds the NAS-WOT score of the 725 cells of the
  ``darts725`` table, by table row (DARTS network with 16 channels and 8 cells,
  :data:`~dagfilter.proxies.config.SCORING_NETWORKS`; same minibatch), written by
  ``scripts/score_darts725.py``.

Importing them (``dagfilter data import-scores``) lets a search or ``scripts/bench_rankers.py`` /
``scripts/bench_darts.py`` run without the scoring (~6 CPU-hours for NB201, ~20 CPU-minutes for the
725); the cache key is exactly the one a live computation with the same setup and a data directory
would use, so live runs and imported scores mix freely. Each file records its setup and a SHA-256 of
its scores, checked on load.

Without an import, :func:`serve_shipped` (called by :func:`~dagfilter.proxies.score_cells`) reads
them directly where a scoring run's setup matches (proxy, batch, seed, space, network, version) and
its minibatch is bit for bit the shipped one: the embedded default at batch 128 / seed 0 (the shipped
images are that minibatch, ``benchmarks_data/CIFAR10_MINIBATCH.md``) or a data directory holding the
project's CIFAR-10 copy. All were computed from the minibatch ``fixed_batch("cifar10",
../shared/data/cifar10, 128, 0)`` (20,000 JPEG-decoded training images); a rescoring on another CPU
agrees to within the float spread measured by ``scripts/measure_rescoring_spread.py``, not bit for bit.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BenchmarkError, ConfigError

SHIPPED = {"naswot": "naswot_nb201_cifar10.npz"}
"""Proxy name -> shipped file in ``benchmarks_data``."""

NUM_CELLS = 15625
DARTS725_FILE = "naswot_darts725_cifar10.npz"
DARTS725_ROWS = 725


@dataclass(frozen=True)
class ShippedScores:
    """Scores by official NAS-Bench-201 index (``-inf`` = a degenerate cell) and the setup that made them."""

    scores: np.ndarray
    meta: dict[str, Any]

    @property
    def setup(self) -> Any:
        """The :class:`~dagfilter.proxies.ScoringSetup` that made the scores (no data directory)."""
        from .config import ScoringSetup

        m = self.meta
        return ScoringSetup(m["proxy"], m["dataset"], None, int(m["batch"]), int(m["seed"]),
                            space=m.get("space", "nb201"), network=m.get("network") or ())

    @property
    def key(self) -> Any:
        """The score-cache key (a :class:`~dagfilter.cache.ScoreKey`, equal to ``(proxy, dataset, batch,
        seed)``): exactly the one a live computation of :attr:`setup` with a data directory uses."""
        return self.setup.key


def _digest(scores: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(scores, dtype="<f8").tobytes()).hexdigest()


def load_shipped_scores(proxy: str = "naswot", path: str | os.PathLike | None = None) -> ShippedScores:
    """Read and verify a shipped score file (or ``path``).

    Raises:
        ConfigError: no shipped scores for ``proxy``.
        BenchmarkError: the file is missing, of the wrong shape or fails its checksum.
    """
    if path is None:
        if proxy not in SHIPPED:
            raise ConfigError(f"no shipped scores for proxy {proxy!r}; shipped: {', '.join(SHIPPED)}")
    return _read_scores(SHIPPED[proxy] if path is None else None, path, NUM_CELLS)


def _read_scores(shipped_name: str | None, path: str | os.PathLike | None, rows: int) -> ShippedScores:
    """Read and verify a score file: the shipped ``shipped_name`` or the file ``path``; ``rows`` scores."""
    if path is None:
        source: Any = resources.files("benchmarks_data").joinpath(shipped_name)
        where, absent = f"benchmarks_data/{shipped_name}", "is missing from the installation"
    else:
        source, where, absent = Path(path), f"score file {str(path)!r}", "does not exist"
    try:
        with source.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            data = dict(z)
    except (FileNotFoundError, IsADirectoryError):
        raise BenchmarkError(f"{where} {absent}") from None
    if "scores" not in data or "meta" not in data:
        raise BenchmarkError(f"{where} is not a dagfilter score file (needs 'scores' and 'meta')")
    scores = np.asarray(data["scores"], dtype=np.float64)
    meta = json.loads(str(data["meta"]))
    if scores.shape != (rows,):
        raise BenchmarkError(f"{where}: expected {rows} scores, got shape {scores.shape}")
    if _digest(scores) != meta.get("sha256"):
        raise BenchmarkError(f"{where} fails its SHA-256 check (corrupted or edited)")
    scores.setflags(write=False)
    return ShippedScores(scores, meta)


def import_shipped_scores(cache: Any, proxy: str = "naswot", path: str | os.PathLike | None = None) -> ShippedScores:
    """Write the shipped scores into ``cache`` under their setup's key; returns what was written.

    Raises:
        ConfigError: the scores were made by another dagfilter version than the cache's (a
            version's scores are only valid for that version's code).
    """
    from ..encodings.nb201 import index_strings

    shipped = load_shipped_scores(proxy, path)
    if shipped.meta["version"] != cache.version:
        raise ConfigError(f"shipped scores were computed by dagfilter {shipped.meta['version']}, the cache is for "
                          f"{cache.version}; rebuild them with scripts/build_shipped_scores.py")
    rows = [(cell, float(s), None, i) for i, (cell, s) in enumerate(zip(index_strings(), shipped.scores.tolist()))]
    cache.put_many(rows, shipped.key)
    return shipped


def write_shipped_scores(cache: Any, out: str | os.PathLike, setup: Any = None, data_source: str = "") -> Path:
    """Export one setup's scores of all NAS-Bench-201 cells from ``cache`` to ``out`` (``.npz``).

    Args:
        setup: a :class:`~dagfilter.proxies.ScoringSetup` (one proxy; default ``ScoringSetup()``:
            NAS-WOT, CIFAR-10, batch 128, seed 0); its data directory is not recorded.

    Raises:
        ConfigError: the cache lacks a cell of that setup.
    """
    from .config import ScoringSetup

    setup = ScoringSetup() if setup is None else setup
    key = setup.key
    rows = cache.by_nb201_index(key)
    missing = NUM_CELLS - len(rows)
    if missing:
        raise ConfigError(f"the cache {str(cache.path)!r} lacks {missing} of the {NUM_CELLS} cells for "
                          f"{key.proxy}/{key.dataset}/batch {key.batch}/seed {key.seed} (dagfilter {cache.version})")
    scores = np.asarray([rows[i].score for i in range(NUM_CELLS)], dtype=np.float64)
    meta = {"proxy": setup.proxy, "dataset": setup.dataset, "batch": setup.batch_size, "seed": setup.seed,
            **({"network": dict(setup.network)} if setup.network else {}), "version": cache.version,
            "data_source": data_source, "cells": NUM_CELLS, "sha256": _digest(scores),
            "created": time.strftime("%Y-%m-%d", time.gmtime())}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(tmp, scores=scores, meta=np.asarray(json.dumps(meta)))
    os.replace(tmp, out)
    return out


def darts725_setup(data_dir: str | os.PathLike | None = None) -> Any:
    """The setup of the shipped ``darts725`` scores: NAS-WOT, CIFAR-10, batch 128, seed 0, space
    ``darts`` on the DARTS scoring network (16 channels, 8 cells)."""
    from .config import ScoringSetup, scoring_network

    return ScoringSetup("naswot", "cifar10", None if data_dir is None else os.fspath(data_dir), 128, 0, "darts",
                        scoring_network("darts"))


def load_darts725_scores(path: str | os.PathLike | None = None) -> ShippedScores:
    """The shipped NAS-WOT scores of the ``darts725`` cells, by table row (or those of ``path``).

    Raises:
        BenchmarkError: the file is missing, of the wrong shape or fails its checksum.
    """
    return _read_scores(DARTS725_FILE if path is None else None, path, DARTS725_ROWS)


def import_darts725_scores(cache: Any, path: str | os.PathLike | None = None) -> ShippedScores:
    """Write the shipped ``darts725`` NAS-WOT scores into ``cache`` (keyed by each cell's canonical
    genotype and the scores' setup); returns what was written.

    Raises:
        ConfigError: the scores were made by another dagfilter version than the cache's.
    """
    from ..pools import load_pool

    shipped = load_darts725_scores(path)
    if shipped.meta["version"] != cache.version:
        raise ConfigError(f"shipped DARTS scores were computed by dagfilter {shipped.meta['version']}, the cache is "
                          f"for {cache.version}; rebuild them with scripts/score_darts725.py")
    pool = load_pool("darts725")
    cache.put_many([(k, float(v), None, None) for k, v in zip(pool.keys, shipped.scores.tolist())], shipped.key)
    return shipped


def write_darts725_scores(scores: Any, out: str | os.PathLike, setup: Any, version: str,
                          data_source: str = "") -> Path:
    """Write the ``darts725`` score file: ``scores`` by table row, ``setup`` (a ScoringSetup, space
    ``darts``), the package ``version`` that computed them, a SHA-256 of the scores.

    Raises:
        BenchmarkError: not one finite-or-inf score per row.
    """
    arr = np.asarray(scores, dtype=np.float64)
    if arr.shape != (DARTS725_ROWS,) or np.isnan(arr).any():
        raise BenchmarkError(f"expected {DARTS725_ROWS} scores (no NaN), got shape {arr.shape}")
    meta = {"proxy": setup.proxy, "dataset": setup.dataset, "batch": setup.batch_size, "seed": setup.seed,
            "space": setup.space, "network": dict(setup.network), "benchmark": "darts725", "version": version,
            "data_source": data_source, "cells": DARTS725_ROWS, "sha256": _digest(arr),
            "created": time.strftime("%Y-%m-%d", time.gmtime())}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(tmp, scores=arr, meta=np.asarray(json.dumps(meta)))
    os.replace(tmp, out)
    return out


NASWOT_RESCORE_RTOL = 1e-6
"""Relative tolerance of a live NAS-WOT rescoring against the shipped NAS-WOT scores on another CPU.
Measured by ``scripts/measure_rescoring_spread.py`` on the 2-core AVX2 EPYC against the files made on
another machine: at most 1.8e-8 (NB201 cell 14000; darts725 rows 0 / 411: 1.2e-9 / 3.3e-9), float32 vs
float64 forward pass at most 1.2e-8, 1 vs 2 threads 0. The tolerance is ~50x the largest of these and
still ~1e4 times below the relative gap between two cells' scores. Bit equality holds only on the
machine and thread count that made the scores (same process: always). The other proxies' tolerances:
:data:`dagfilter.proxies.zc_bench.RESCORE_RTOL`."""


SUBSET_FILES = {"nb201": "proxies_nb201_subset1000.npz", "darts": "proxies_darts725_cifar10.npz"}
"""Space -> shipped multi-proxy score matrix in ``benchmarks_data`` (the 1,000-cell NB201 subset; darts725 rows)."""


def _key_of(meta: dict[str, Any], proxy: str, space: str) -> Any:
    from .config import ScoringSetup

    return ScoringSetup(proxy, meta["dataset"], None, int(meta["batch"]), int(meta["seed"]), space=space,
                        network=meta.get("network") or ()).key


@functools.lru_cache(maxsize=16)
def shipped_table(key: Any, space: str) -> "tuple[str, dict[str, float]] | None":
    """``(file, {canonical cell: score})`` of the shipped file that holds scores of ``key`` (a
    :class:`~dagfilter.cache.ScoreKey` with the data set's plain name) in ``space``, computed by this
    dagfilter version; None when no shipped file has that setup. Which images the scores need is not
    checked here (see :func:`serve_shipped`)."""
    from .. import __version__
    from .subset import load_subset_scores

    if space == "nb201" and key.proxy in SHIPPED:
        sh = load_shipped_scores(key.proxy)
        if sh.key == key and sh.meta["version"] == __version__:
            from ..encodings.nb201 import index_strings

            return f"benchmarks_data/{SHIPPED[key.proxy]}", dict(zip(index_strings(), sh.scores.tolist()))
    if space == "darts" and key.proxy == "naswot":
        sh = load_darts725_scores()
        if sh.key == key and sh.meta["version"] == __version__:
            from ..pools import load_pool

            return f"benchmarks_data/{DARTS725_FILE}", dict(zip(load_pool("darts725").keys, sh.scores.tolist()))
    name = SUBSET_FILES.get(space)
    if name is None:
        return None
    sub = load_subset_scores(str(resources.files("benchmarks_data").joinpath(name)))
    if key.proxy not in sub.scores or _key_of(sub.meta, key.proxy, space) != key or sub.meta["version"] != __version__:
        return None
    if space == "nb201":
        from ..encodings.nb201 import index_strings

        cells = index_strings([int(i) for i in sub.indices])
    else:
        from ..pools import load_pool

        cells = load_pool("darts725").keys
    vals = sub.scores[key.proxy].tolist()
    return f"benchmarks_data/{name}", {c: v for c, v in zip(cells, vals) if not np.isnan(v)}


def serve_shipped(cells: "list[str]", scorer: Any) -> "tuple[str, dict[str, float]]":
    """Scores of ``cells`` (canonical strings) that shipped files hold for ``scorer``'s exact setup.

    A shipped score serves only when its setup matches (proxy, dataset, batch, seed, space, network,
    dagfilter version) *and* the scorer's minibatch is bit for bit the images the shipped scores were
    computed on: the shipped CIFAR-10 images where they reproduce that minibatch
    (:func:`~dagfilter.proxies.scoring.embedded_batch_is_exact`), or a data directory whose minibatch
    equals it (the project's CIFAR-10 copy; another copy of CIFAR-10 draws other images and is scored
    live). Returns ``(file, {cell: score})``; ``("", {})`` when nothing applies.
    """
    import torch

    from .scoring import embedded_batch, embedded_batch_is_exact

    setup = scorer.setup
    if scorer.key_tag or not embedded_batch_is_exact(setup.batch_size, setup.seed):
        return "", {}
    table = shipped_table(setup.key, setup.space)
    if table is None or not any(c in table[1] for c in cells):
        return "", {}
    if not scorer.embedded_exact:  # a data directory or explicit images: same tensor?
        images, _ = scorer.minibatch()
        if not torch.equal(images, embedded_batch(setup.batch_size, setup.seed)[0]):
            return "", {}
    return table[0], {c: table[1][c] for c in cells if c in table[1]}


__all__ = ["ShippedScores", "SHIPPED", "load_shipped_scores", "import_shipped_scores", "write_shipped_scores",
           "DARTS725_FILE", "darts725_setup", "load_darts725_scores", "import_darts725_scores", "write_darts725_scores",
           "shipped_table", "serve_shipped"]
