"""The fixed 1,000-cell NAS-Bench-201 subset on which every live proxy is scored, and its shipped scores.

* :func:`nb201_subset` - the subset: 1,000 official indices drawn uniformly without replacement by
  ``numpy.random.default_rng(16).choice(15625, 1000, replace=False)`` (in draw order, so any prefix is
  itself a uniform random sample); shipped as ``benchmarks_data/nb201_subset1000.npy`` and checked
  against the draw on load.
* :func:`load_subset_scores` - the scores shipped in ``benchmarks_data/proxies_nb201_subset1000.npz``
  (one row per proxy, NaN where the CPU did not get to a cell), verified by SHA-256; written by
  ``scripts/score_proxy_subset.py --export``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from ..errors import BenchmarkError, ConfigError

SUBSET_FILE = "nb201_subset1000.npy"
SCORES_FILE = "proxies_nb201_subset1000.npz"
SUBSET_SEED = 16
SUBSET_SIZE = 1000


def draw_nb201_subset(n: int = SUBSET_SIZE, seed: int = SUBSET_SEED) -> np.ndarray:
    """``n`` NAS-Bench-201 indices drawn uniformly without replacement (draw order)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 15625:
        raise ConfigError(f"subset size must be an integer in 1..15625, got {n!r}")
    return np.random.default_rng(seed).choice(15625, n, replace=False).astype(np.int64)


def nb201_subset() -> np.ndarray:
    """The shipped 1,000-cell subset (verified against :func:`draw_nb201_subset`).

    Raises:
        BenchmarkError: the shipped file is missing or differs from the seeded draw.
    """
    try:
        with resources.files("benchmarks_data").joinpath(SUBSET_FILE).open("rb") as fh:
            idx = np.load(fh, allow_pickle=False)
    except FileNotFoundError:
        raise BenchmarkError(f"benchmarks_data/{SUBSET_FILE} is missing from the installation") from None
    if not np.array_equal(idx, draw_nb201_subset()):
        raise BenchmarkError(f"benchmarks_data/{SUBSET_FILE} differs from the seeded draw (seed {SUBSET_SEED})")
    idx.setflags(write=False)
    return idx


@dataclass(frozen=True)
class SubsetScores:
    """Proxy scores on the subset: ``scores[p][k]`` is proxy ``p`` on cell ``indices[k]`` (NaN = not scored)."""

    indices: np.ndarray
    scores: dict[str, np.ndarray]
    meta: dict[str, Any]

    def count(self, proxy: str) -> int:
        """How many subset cells ``proxy`` was scored on."""
        return int((~np.isnan(self.scores[proxy])).sum())


def digest(matrix: np.ndarray) -> str:
    """SHA-256 of a float64 score matrix (little-endian bytes)."""
    return hashlib.sha256(np.ascontiguousarray(matrix, dtype="<f8").tobytes()).hexdigest()


def load_subset_scores(path: Any = None) -> SubsetScores:
    """Read and verify the shipped subset scores (or ``path``).

    Raises:
        BenchmarkError: missing file, wrong shape or failed checksum.
    """
    from pathlib import Path

    source: Any = resources.files("benchmarks_data").joinpath(SCORES_FILE) if path is None else Path(path)
    try:
        with source.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            matrix, meta = np.asarray(z["scores"], dtype=np.float64), json.loads(str(z["meta"]))
            indices = np.asarray(z["indices"], dtype=np.int64)
    except FileNotFoundError:
        raise BenchmarkError(f"subset score file {str(source)!r} does not exist") from None
    except KeyError as exc:
        raise BenchmarkError(f"{str(source)!r} is not a subset score file (missing {exc})") from None
    proxies = meta.get("proxies", [])
    if matrix.shape != (len(proxies), indices.size):
        raise BenchmarkError(f"{str(source)!r}: scores of shape {matrix.shape} for {len(proxies)} proxies "
                             f"and {indices.size} cells")
    if digest(matrix) != meta.get("sha256"):
        raise BenchmarkError(f"{str(source)!r} fails its SHA-256 check (corrupted or edited)")
    return SubsetScores(indices, {p: matrix[i] for i, p in enumerate(proxies)}, meta)


def subset_scores_from_cache(cache: Any, proxies: list[str], dataset: str = "cifar10", batch: int = 128,
                             seed: int = 0) -> SubsetScores:
    """The subset scores of ``proxies`` held in ``cache`` (NaN where missing), nothing written."""
    idx = nb201_subset()
    matrix = np.full((len(proxies), idx.size), np.nan)
    pos = {int(i): k for k, i in enumerate(idx.tolist())}
    for r, p in enumerate(proxies):
        for i, rec in cache.by_nb201_index((p, dataset, batch, seed)).items():
            if i in pos:
                matrix[r, pos[i]] = rec.score
    meta = {"proxies": list(proxies), "dataset": dataset, "batch": int(batch), "seed": int(seed),
            "version": cache.version, "subset_seed": SUBSET_SEED}
    return SubsetScores(idx, {p: matrix[r] for r, p in enumerate(proxies)}, meta)


def write_subset_scores(cache: Any, out: Any, proxies: list[str], dataset: str = "cifar10", batch: int = 128,
                        seed: int = 0, data_source: str = "", extra_meta: dict[str, Any] | None = None
                        ) -> SubsetScores:
    """Export the subset scores of ``proxies`` held in ``cache`` (NaN where missing) to ``out`` (``.npz``);
    ``extra_meta`` (JSON-able, e.g. the CPU timing) is stored in its metadata."""
    import os
    import time
    from pathlib import Path

    got = subset_scores_from_cache(cache, proxies, dataset, batch, seed)
    matrix = np.stack([got.scores[p] for p in proxies])
    return write_score_matrix(matrix, got.indices, dict(got.meta, **(extra_meta or {}), data_source=data_source), out)


def write_score_matrix(matrix: np.ndarray, indices: np.ndarray, meta: dict[str, Any], out: Any) -> SubsetScores:
    """Write a ``(proxies, cells)`` score matrix (NaN = not scored) with its cell ``indices`` and
    ``meta`` (JSON-able; must hold ``"proxies"``, one name per row) to ``out`` (``.npz``), adding the
    per-proxy counts, a SHA-256 and the date; returns the file as read back by :func:`load_subset_scores`.

    Raises:
        ConfigError: the shapes of ``matrix``, ``indices`` and ``meta["proxies"]`` disagree.
    """
    import os
    import time
    from pathlib import Path

    matrix = np.asarray(matrix, dtype=np.float64)
    proxies = list(meta.get("proxies", []))
    if matrix.shape != (len(proxies), np.asarray(indices).size):
        raise ConfigError(f"a score matrix of shape {matrix.shape} does not fit {len(proxies)} proxies and "
                          f"{np.asarray(indices).size} cells")
    meta = dict(meta, counts={p: int((~np.isnan(matrix[r])).sum()) for r, p in enumerate(proxies)},
                sha256=digest(matrix), created=time.strftime("%Y-%m-%d", time.gmtime()))
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(tmp, scores=matrix, indices=np.asarray(indices, dtype=np.int64), meta=np.asarray(json.dumps(meta)))
    os.replace(tmp, out)
    return load_subset_scores(out)
