"""The zero-cost benchmark: precomputed scores of the twelve shared-pass proxies on NAS-Bench-201.

Like NAS-Bench-Suite-Zero's precomputed files, but with AZ-NAS's terms, MeCo, SWAP and ZiCo beside
the classic proxies, queried in any of dagfilter's cell encodings::

    from dagfilter.proxies import zc_bench
    zc = zc_bench.load()                       # SHA-256 of every shard checked; ~tens of ms
    zc.query(6111, "meco")                     # one score (float)
    zc.query("|nor_conv_3x3~0|+|...", None)    # {proxy: score} of every proxy scored on that cell
    zc.coverage()                              # {proxy: number of cells scored}
    zc.setup                                   # the scoring setup (data, batch, seed, network, ...)

CLI: ``dagfilter zc 6111 --proxy meco`` (``dagfilter zc --coverage`` for the coverage).

Sources, merged by official index (later ones win):

1. ``benchmarks_data/proxies_nb201_subset1000.npz``: the 1,000-cell subset, all twelve proxies;
2. ``benchmarks_data/proxies_nb201_full/``: shards of the whole-space job
   (``scripts/score_nb201_proxies.py``), each listed in ``manifest.json`` with its SHA-256.

Both were made with one setup (CIFAR-10 training minibatch of 128, seed 0, NAS-Bench-201 network
C = 16 / N = 5, PyTorch default init after ``torch.manual_seed(0)``, BatchNorm on batch statistics,
one thread); the subset ran NCHW kernels on another CPU, the shards channels-last kernels on an AVX2
EPYC: the same cell's score differs between them by float rounding only (relative differences
measured by ``scripts/bench_proxy_pass.py``; ZiCo is the most sensitive). ``-inf`` is a real score (a
cell without an input-output path, or AZ-NAS's identity-block sentinel); a cell not scored yet raises
:class:`UnscoredCellError` naming the coverage. This module does not import PyTorch.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BenchmarkError, ConfigError

NUM_CELLS = 15625
FULL_DIR = "proxies_nb201_full"
MANIFEST = "manifest.json"
SUBSET_FILE = "proxies_nb201_subset1000.npz"
SOURCES = ("unscored", "subset file", "whole-space shard")
"""Meaning of :attr:`ZCBench.source` values 0, 1, 2 (per proxy and cell)."""


RESCORE_RTOL = {
    "az_expressivity": 1e-5, "az_progressivity": 2e-4, "az_trainability": 0.15, "meco": 1e-4, "swap": 1e-4,
    "jacov": 1e-3, "snip": 1e-2, "grad_norm": 2e-2, "fisher": 2e-2, "zico": 0.15, "synflow": 1e-6, "zen": 0.2,
}
"""Relative tolerance of a live rescoring against the shipped scores, per proxy: about 3x the largest
relative difference measured between CPU kernels on 10 + 14 subset cells (this AVX2 EPYC vs the CPU that
scored the subset, both NCHW; channels-last vs NCHW on this CPU; 1 vs 2 threads; ``scripts/bench_proxy_pass.py``).
Largest measured: ZiCo 5e-2 (``mean |g| / std g`` over two minibatches: elements with a near-zero spread
amplify rounding), zen 5e-2 and AZ-NAS trainability 4e-2 (across CPUs), fisher 5e-3, grad_norm 4e-3,
snip 1.5e-3, jacov 2e-4, progressivity 3e-5, SWAP 1.4e-5 (a few of ~10^5 activation patterns flip),
MeCo 8e-6, expressivity 8e-7, synflow 4e-16."""


class UnscoredCellError(BenchmarkError):
    """A cell the shipped scores do not cover (yet) for the proxy asked for."""


@dataclass(frozen=True)
class ZCBench:
    """Proxy scores by official NAS-Bench-201 index.

    Attributes:
        scores: ``{proxy: (15625,) float64}``, NaN where not scored, ``-inf`` a real (degenerate) score.
        source: ``{proxy: (15625,) int8}``, see :data:`SOURCES`.
        setup: the scoring setup (from the manifest, or the subset file when no shard exists).
        shards: names of the whole-space shards loaded (checksums verified).
    """

    scores: dict[str, np.ndarray]
    source: dict[str, np.ndarray]
    setup: dict[str, Any]
    shards: tuple[str, ...]

    @property
    def proxies(self) -> list[str]:
        """Proxy names, in the order of the score files."""
        return list(self.scores)

    def coverage(self) -> dict[str, int]:
        """``{proxy: number of cells scored}``."""
        return {p: int((~np.isnan(v)).sum()) for p, v in self.scores.items()}

    def complete(self, proxy: str) -> bool:
        """Whether ``proxy`` is scored on all 15,625 cells."""
        return self.coverage()[self._name(proxy)] == NUM_CELLS

    def index_of(self, cell: Any) -> int:
        """Official NAS-Bench-201 index of ``cell`` in any encoding (as :func:`dagfilter.encodings.parse.parse_arch`).

        Raises:
            CellFormatError / IndexOutOfRangeError: not a cell; BenchmarkError: not a NAS-Bench-201 cell.
        """
        from ..cell import Cell
        from ..encodings.parse import parse_arch

        arch = parse_arch(cell)
        if not (isinstance(arch, Cell) and arch.is_nb201()):
            raise BenchmarkError(f"{_short(cell)} is not a NAS-Bench-201 cell: the zero-cost benchmark covers "
                                 f"NAS-Bench-201 only")
        return arch.to_nb201_index()

    def query(self, cell: Any, proxy: str | None = None) -> Any:
        """The score of ``proxy`` for ``cell`` (float), or ``{proxy: score}`` of every proxy scored on it.

        Raises:
            ConfigError: unknown proxy name.
            UnscoredCellError: the cell is not scored (for ``proxy``, or for any proxy); the message
                gives the coverage.
        """
        i = self.index_of(cell)
        if proxy is not None:
            name = self._name(proxy)
            v = float(self.scores[name][i])
            if math.isnan(v):
                raise UnscoredCellError(f"cell {i} is not scored for {name} yet: {name} covers "
                                        f"{self.coverage()[name]:,} of {NUM_CELLS:,} cells "
                                        f"(scripts/score_nb201_proxies.py fills the rest)")
            return v
        got = {p: float(v[i]) for p, v in self.scores.items() if not math.isnan(v[i])}
        if not got:
            cov = ", ".join(f"{p} {n:,}" for p, n in self.coverage().items())
            raise UnscoredCellError(f"cell {i} is not scored for any proxy yet; coverage of {NUM_CELLS:,} cells: {cov}")
        return got

    def matrix(self, proxies: list[str] | None = None) -> np.ndarray:
        """``(len(proxies), 15625)`` scores (NaN = not scored); all proxies by default."""
        names = self.proxies if proxies is None else [self._name(p) for p in proxies]
        return np.stack([self.scores[p] for p in names])

    def _name(self, proxy: str) -> str:
        if proxy not in self.scores:
            raise ConfigError(f"no precomputed scores for proxy {_short(proxy)}; available: {', '.join(self.scores)}")
        return proxy


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 80 else s[:77] + "..."


def _root(path: str | Path | None) -> Path:
    if path is not None:
        return Path(path)
    return Path(str(resources.files("benchmarks_data")))


PACK_SHARDS = 25
"""Finished shards are packed 25 at a time into immutable ``pack_XXX.npz`` files (:func:`pack_shards`), so
that :func:`load` reads a few dozen files, not hundreds, and no file is ever rewritten (the git history
grows by the data once)."""


def _read_manifest(folder: Path) -> dict | None:
    mpath = folder / MANIFEST
    if not mpath.is_file():
        return None
    try:
        manifest = json.loads(mpath.read_text())
        if not isinstance(manifest["shards"], dict) or not isinstance(manifest["setup"], dict):
            raise TypeError
    except (ValueError, KeyError, TypeError) as exc:
        raise BenchmarkError(f"{mpath} is not a valid shard manifest ({type(exc).__name__})") from None
    return manifest


def _base(root: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
    """Scores, sources and setup of the subset file (the layer under the shards)."""
    from .subset import load_subset_scores

    sub = load_subset_scores(root / SUBSET_FILE)
    scores = {p: np.full(NUM_CELLS, np.nan) for p in sub.scores}
    source = {p: np.zeros(NUM_CELLS, dtype=np.int8) for p in sub.scores}
    for p in sub.scores:
        ok = ~np.isnan(sub.scores[p])
        scores[p][sub.indices[ok]] = sub.scores[p][ok]
        source[p][sub.indices[ok]] = 1
    setup = {k: sub.meta[k] for k in ("dataset", "batch", "seed", "version") if k in sub.meta}
    setup.update(space="nb201", network={"C": 16, "N": 5}, subset_kernels="NCHW (shipping CPU)")
    return scores, source, setup


def _merge_shards(folder: Path, manifest: dict, scores: dict[str, np.ndarray], source: dict[str, np.ndarray]) -> list[str]:
    """Read every shard of ``manifest`` (SHA-256 checked) into ``scores`` / ``source``; returns their names."""
    done = []
    for name in sorted(manifest["shards"]):
        rec = manifest["shards"][name]
        f = folder / str(rec.get("file", ""))
        try:
            raw = f.read_bytes()
        except OSError:
            raise BenchmarkError(f"shard {name}: {f} is missing (listed in {folder / MANIFEST})") from None
        if hashlib.sha256(raw).hexdigest() != rec.get("sha256"):
            raise BenchmarkError(f"shard {name}: {f} fails its SHA-256 check (corrupted or edited)")
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as z:
                m, idx, src = np.asarray(z["scores"], dtype=np.float64), np.asarray(z["indices"]), z["source"]
                names = list(json.loads(str(z["meta"])).get("proxies", []))
        except (ValueError, KeyError, OSError) as exc:
            raise BenchmarkError(f"shard {name}: {f} is not a shard file ({type(exc).__name__})") from None
        cells = [int(idx[0]), int(idx[-1]) + 1] if idx.size else []
        if m.shape != (len(names), idx.size) or list(map(int, rec.get("cells", []))) != cells:
            raise BenchmarkError(f"shard {name}: {f} does not hold the cells and proxies its manifest entry lists")
        for r, p in enumerate(names):
            if p not in scores:
                scores[p] = np.full(NUM_CELLS, np.nan)
                source[p] = np.zeros(NUM_CELLS, dtype=np.int8)
            scores[p][idx] = m[r]
            source[p][idx] = np.where(src == 1, 1, 2)
        done.append(name)
    return done


def _read_npz(f: Path, sha: Any, what: str) -> dict[str, Any]:
    try:
        raw = f.read_bytes()
    except OSError:
        raise BenchmarkError(f"{what}: {f} is missing (listed in its manifest)") from None
    if hashlib.sha256(raw).hexdigest() != sha:
        raise BenchmarkError(f"{what}: {f} fails its SHA-256 check (corrupted or edited)")
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (ValueError, KeyError, OSError) as exc:
        raise BenchmarkError(f"{what}: {f} is not a score file ({type(exc).__name__})") from None


def pack_shards(path: str | Path | None = None, size: int = PACK_SHARDS) -> list[Path]:
    """Pack finished shards not in any pack yet, ``size`` at a time (sorted by name), into new immutable
    ``pack_XXX.npz`` files beside the manifest (each one's SHA-256 and shards recorded in the manifest);
    returns the new files (none until ``size`` unpacked shards exist). ``path``: the shard folder (default:
    the installed ``proxies_nb201_full``). ``scripts/score_nb201_proxies.py`` calls it after each shard.

    Raises:
        BenchmarkError: no manifest, or a shard fails its check.
    """
    import os

    folder = _root(None) / FULL_DIR if path is None else Path(path)
    manifest = _read_manifest(folder)
    if manifest is None:
        raise BenchmarkError(f"{folder / MANIFEST} does not exist: nothing to pack")
    packs = manifest.setdefault("packs", {})
    packed = {n for rec in packs.values() for n in rec.get("shards", [])}
    loose = sorted(n for n in manifest["shards"] if n not in packed)
    out: list[Path] = []
    while len(loose) >= size:
        group, loose = loose[:size], loose[size:]
        scores: dict[str, np.ndarray] = {}
        source: dict[str, np.ndarray] = {}
        _merge_shards(folder, {"shards": {n: manifest["shards"][n] for n in group}}, scores, source)
        cells = np.flatnonzero(np.any([source[p] > 0 for p in scores], axis=0))
        names = list(scores)
        k = len(packs)
        f = folder / f"pack_{k:03d}.npz"
        tmp = f.with_name(f.name + ".tmp.npz")
        np.savez(tmp, scores=np.stack([scores[p][cells] for p in names]), indices=cells.astype(np.int64),
                 source=np.stack([source[p][cells] for p in names]),
                 meta=np.asarray(json.dumps({"proxies": names, "shards": group})))
        os.replace(tmp, f)
        packs[f"pack_{k:03d}"] = {"file": f.name, "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
                                  "shards": group}
        out.append(f)
    if out:
        mp = folder / MANIFEST
        mtmp = mp.with_name(MANIFEST + ".tmp")
        mtmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        os.replace(mtmp, mp)
    return out


def load(path: str | Path | None = None, verify_shards: bool = False) -> ZCBench:
    """Load and verify the zero-cost benchmark (``path``: a ``benchmarks_data``-like folder; default the
    installed one).

    The whole-space scores come from the packs (each SHA-256-checked against the manifest) and the
    finished shards not packed yet (each checked too). ``verify_shards=True`` reads every shard
    itself instead of the packs (slower: hundreds of files).

    Raises:
        BenchmarkError: a missing subset file; a pack or shard that is missing, fails its SHA-256
            check or disagrees with the manifest.
    """
    root = _root(path)
    folder = root / FULL_DIR
    scores, source, setup = _base(root)
    manifest = _read_manifest(folder)
    shards: list[str] = []
    if manifest is not None:
        setup.update(manifest["setup"])
        packs = {} if verify_shards else manifest.get("packs", {})
        for name in sorted(packs):
            rec = packs[name]
            z = _read_npz(folder / str(rec.get("file", "")), rec.get("sha256"), f"pack {name}")
            meta = json.loads(str(z["meta"]))
            if sorted(meta.get("shards", [])) != sorted(rec.get("shards", [])) or \
                    not set(rec.get("shards", [])) <= set(manifest["shards"]):
                raise BenchmarkError(f"pack {name} does not hold the shards its manifest entry lists")
            idx, m, src = np.asarray(z["indices"]), np.asarray(z["scores"], dtype=np.float64), z["source"]
            for r, p in enumerate(meta["proxies"]):
                if p not in scores:
                    scores[p] = np.full(NUM_CELLS, np.nan)
                    source[p] = np.zeros(NUM_CELLS, dtype=np.int8)
                got = src[r] > 0
                scores[p][idx[got]] = m[r][got]
                source[p][idx[got]] = src[r][got]
            shards += list(rec["shards"])
        loose = {n: r for n, r in manifest["shards"].items() if n not in set(shards)}
        shards += _merge_shards(folder, {"shards": loose}, scores, source)
    for v in list(scores.values()) + list(source.values()):
        v.setflags(write=False)
    return ZCBench(scores, source, setup, tuple(sorted(shards)))


def query(cell: Any, proxy: str | None = None, path: str | Path | None = None) -> Any:
    """One-shot :meth:`ZCBench.query` on :func:`load` ``(path)`` (load once and reuse for many queries)."""
    return load(path).query(cell, proxy)


__all__ = ["ZCBench", "UnscoredCellError", "load", "query", "pack_shards", "PACK_SHARDS", "SOURCES", "NUM_CELLS", "RESCORE_RTOL"]
