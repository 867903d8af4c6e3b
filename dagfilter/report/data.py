"""Everything the report needs about one search space, loaded once from the benchmark API.

:func:`load_space_data` returns a :class:`SpaceData`: per benchmark row the effective depth
and width, the number of parameterized edges, NN-Mass, parameters and FLOPs, the accuracy on
every data set, and any proxy scores (from the benchmark table itself or a
:class:`~dagfilter.cache.ScoreCache`), plus the space's :class:`~dagfilter.filter.DAGFilter`
and the reference points that define the reachable region of the (d_bar, m_bar) plane.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..filter import DAGFilter

#: Display names of data sets.
DATASET_LABELS = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "ImageNet16-120": "ImageNet16-120",
                  "cifar10-valid": "CIFAR-10 (valid split)", "imagenet": "ImageNet"}
#: Registered report spaces: name -> (benchmark name, display name).
REPORT_SPACES = {"nb201": ("nb201", "NAS-Bench-201"), "darts": ("darts725", "DARTS (725-cell benchmark)")}
#: Default "fixed number of parameterized edges" subset (paper footnote 3: 3 of 6 conv edges on
#: NAS-Bench-201). DARTS normal cells have 8 edges; 4 of 8 is the most common count in darts725.
DEFAULT_SUBSET_EDGES = {"nb201": 3, "darts": 4}
_SPLIT_WORDS = {"ori-test": "test", "x-test": "test", "test": "test", "x-valid": "validation",
                "valid": "validation"}


@dataclass(frozen=True)
class SpaceData:
    """Per-row arrays for one space's benchmark (row = benchmark index).

    Attributes:
        space: report space name (``nb201``, ``darts`` or the benchmark path).
        label: display name.
        d_bar, m_bar: effective depth and width (normal cell for genotypes).
        param_edges: parameterized edges of the (normal) cell; ``total_edges`` its edge count
            (None when cells differ in size).
        nn_mass: :func:`dagfilter.metrics.cell_nn_mass` of the (normal) cell.
        accuracy: data set -> accuracy (%) per row; ``accuracy_desc`` says which figure.
        params, flops: data set -> parameters (M) / FLOPs (M) per row (where the table has them).
        proxies: proxy label -> score per row (NaN where not scored).
        filter: the space's filter window at the requested fraction.
        filter_desc: how the window was derived.
        reference: (d_bar, m_bar) of the cells that define the reachable region.
        reference_desc: what those reference cells are.
        subset_edges: the default "fixed number of parameterized edges" subset (or None).
        row_labels: callable-free per-row names (NB201 arch strings / genotype JSON).
    """

    space: str
    label: str
    benchmark: str
    d_bar: np.ndarray
    m_bar: np.ndarray
    param_edges: np.ndarray
    total_edges: int | None
    nn_mass: np.ndarray
    accuracy: dict[str, np.ndarray]
    accuracy_desc: dict[str, str]
    params: dict[str, np.ndarray]
    flops: dict[str, np.ndarray]
    proxies: dict[str, np.ndarray]
    proxy_desc: dict[str, str]
    filter: DAGFilter
    filter_desc: str
    reference: tuple[np.ndarray, np.ndarray]
    reference_desc: str
    subset_edges: int | None
    row_labels: list[str] = field(repr=False, default_factory=list)

    def __len__(self) -> int:
        return len(self.d_bar)

    @property
    def datasets(self) -> list[str]:
        """Data-set names, in the benchmark's order."""
        return list(self.accuracy)

    def subset_mask(self, param_edges: int | None) -> np.ndarray:
        """Rows whose (normal) cell has exactly ``param_edges`` parameterized edges (all rows for None)."""
        if param_edges is None:
            return np.ones(len(self), dtype=bool)
        return self.param_edges == int(param_edges)

    def keep(self, fraction: float | None = None) -> np.ndarray:
        """Rows the filter keeps (at its own fraction, or ``fraction``)."""
        flt = self.filter if fraction is None else self.filter.with_fraction(fraction)
        return np.asarray(flt.accepts_metrics(self.d_bar, self.m_bar), dtype=bool)


def dataset_label(name: str) -> str:
    """Display name of a data set."""
    return DATASET_LABELS.get(name, name)


def _costs(bench: Any, frame: Any, dataset: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Params / FLOPs columns for a data set, as named in the table metadata (TableBenchmark docs)."""
    meta = getattr(bench, "meta", {})
    head = meta.get("cost_head", {}).get(dataset, dataset)
    cols = meta.get("costs", {}).get(head, {})
    out = []
    for key in ("params", "flops"):
        col = cols.get(key)
        out.append(frame[col].to_numpy(dtype=np.float64) if col and col in frame else None)
    return out[0], out[1]


def _accuracy_figure(bench: Any, dataset: str) -> tuple[np.ndarray, str]:
    """The accuracy a report plots for a data set: the test figure when there is one, else the first split."""
    from ..errors import BenchmarkError

    rows = np.arange(len(bench))
    for metric in ("test-accuracy", "test", "valid-accuracy", "valid"):
        try:
            values = bench.query_many(rows, dataset, metric, missing="nan")
            spec = bench.figure_spec(dataset, metric)
        except BenchmarkError:
            continue
        trials = {"mean": "mean over seeds", "single": "one seed"}.get(spec.trials, "")
        split = _SPLIT_WORDS.get(spec.split, spec.split)
        desc = f"{split} accuracy (%) after {spec.hp} epochs" + (f", {trials}" if trials else "")
        return np.asarray(values, dtype=np.float64), desc
    raise ConfigError(f"benchmark {bench.name!r} has no test or validation accuracy for {dataset!r}")


def _nb201_extras() -> tuple[np.ndarray, np.ndarray]:
    """(parameterized edge count, NN-Mass) for every NAS-Bench-201 cell in index order.

    NN-Mass depends only on which edges are ``none``, so it is computed with
    :func:`~dagfilter.metrics.cell_nn_mass` once per zero pattern (64 cells) and broadcast.
    """
    from ..cell import Cell
    from ..encodings import nb201 as enc
    from ..metrics import cell_nn_mass

    codes = enc.index_codes().astype(np.int64)
    kinds = np.array([{"zero": 0, "free": 1, "param": 2}[_kind(op)] for op in enc.NB201_OPS])[codes]
    param_edges = (kinds == 2).sum(axis=1)
    zero_pattern = (kinds == 0).astype(np.int64) @ (2 ** np.arange(6))
    mass = np.empty(len(codes))
    for pattern in np.unique(zero_pattern):
        ops = ["none" if (pattern >> k) & 1 else "skip_connect" for k in range(6)]
        try:
            value = cell_nn_mass(Cell.from_nb201_ops(ops))
        except Exception:  # a pattern whose output is unreachable is not a valid Cell
            rows = np.flatnonzero(zero_pattern == pattern)
            value = cell_nn_mass(Cell.from_nb201_index(int(rows[0])))
        mass[zero_pattern == pattern] = value
    return param_edges, mass


def _kind(op: str) -> str:
    from ..ops import DEFAULT_REGISTRY

    return DEFAULT_REGISTRY.kind(op)


def _genotype_extras(genotypes: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, int | None]:
    """(parameterized normal-cell edges, NN-Mass of the normal cell, edge count or None) per genotype."""
    from ..encodings.darts import cell_from_genotype, to_genotype
    from ..metrics import cell_nn_mass

    n_param, mass, sizes = [], [], set()
    for g in genotypes:
        normal = g["normal"]
        sizes.add(len(normal))
        n_param.append(sum(_kind(op) == "param" for op, _ in normal))
        mass.append(cell_nn_mass(cell_from_genotype(to_genotype(g), "normal")))
    return np.asarray(n_param), np.asarray(mass, dtype=np.float64), (sizes.pop() if len(sizes) == 1 else None)


def cache_proxies(cache: "str | os.PathLike[str] | Any", bench: Any) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Proxy scores from a :class:`~dagfilter.cache.ScoreCache` mapped onto benchmark rows.

    One array per scoring setup (proxy, data set, batch, seed) computed by *this* dagfilter version;
    scores of different setups are never mixed (a shared cache holds whatever other runs wrote) and
    scores of other versions are left out. Labelled ``"<proxy> [<dataset>]"`` for the default setup
    (batch 128, seed 0), else ``"<proxy> [<dataset>, batch B, seed S]"``; the description gives the
    number of cells. Cells outside the benchmark are ignored.
    """
    from ..cache import ScoreCache

    store = cache if isinstance(cache, ScoreCache) else ScoreCache(cache)
    if isinstance(cache, (str, os.PathLike)) and not Path(store.path).exists():
        raise ConfigError(f"score cache {str(cache)!r} does not exist")
    found: dict[tuple[str, str, int, int], dict[int, float]] = {}
    other_versions = 0
    for rec in store.items():
        if rec.version != store.version:
            other_versions += 1
            continue
        row = rec.index if (rec.index is not None and bench.name == "nb201") else None
        if row is None:
            try:
                row = bench.query_index_by_arch(rec.cell)
            except Exception:  # a cell of another space: not in this benchmark
                row = -1
        if row is None or row < 0 or rec.score != rec.score:
            continue
        found.setdefault((rec.proxy, rec.dataset, int(rec.batch), int(rec.seed)), {})[int(row)] = rec.score
    out: dict[str, np.ndarray] = {}
    desc: dict[str, str] = {}
    for (proxy, ds, batch, seed), rows in sorted(found.items()):
        arr = np.full(len(bench), np.nan)
        for r, v in rows.items():
            arr[r] = v
        label = f"{proxy} [{ds}]" if (batch, seed) == (128, 0) else f"{proxy} [{ds}, batch {batch}, seed {seed}]"
        out[label] = arr
        desc[label] = (f"cached {proxy} scores computed on {dataset_label(ds)}, batch {batch}, seed {seed} for "
                       f"n = {len(rows):,} cells (dagfilter {store.version}) from {store.path}"
                       + (f"; {other_versions:,} scores of other dagfilter versions left out" if other_versions else ""))
    return out, desc


def load_space_data(space: str, fraction: float = 0.5, cache: "str | os.PathLike[str] | None" = None,
                    reference_samples: int = 2000, seed: int = 0) -> SpaceData:
    """Load one space for the report.

    Args:
        space: ``"nb201"``, ``"darts"`` (the 725-cell DARTS benchmark), or a benchmark path
            (e.g. an NDS ``.json`` file or folder) that :func:`dagfilter.bench.load` serves.
        fraction: the filter window fraction.
        cache: an optional score-cache directory / file whose proxy scores are added.
        reference_samples: for genotype spaces, extra seeded samples of the space that
            (with the benchmark's cells) define the reachable (d_bar, m_bar) region.
        seed: seed of those samples.

    Raises:
        ConfigError: unknown space, bad fraction. BenchmarkError: unreadable benchmark.
    """
    from .. import bench as benchmarks

    if not (isinstance(fraction, (int, float)) and np.isfinite(fraction) and fraction > 0):
        raise ConfigError(f"fraction must be a positive number, got {fraction!r}")
    if space in REPORT_SPACES:
        bench_name, label = REPORT_SPACES[space]
        b = benchmarks.load(bench_name)
    else:
        if not Path(space).exists():
            raise ConfigError(f"unknown report space {space!r}: use one of {', '.join(REPORT_SPACES)} "
                              "or a benchmark file/folder (e.g. NDS .json)")
        b = benchmarks.load(space)
        label = f"{b.name} ({Path(space).name})"
    frame = b.table()
    accuracy, acc_desc, params, flops = {}, {}, {}, {}
    for ds in b.datasets:
        if b.name == "nb201" and ds == "cifar10-valid":
            continue  # the paper plots CIFAR-10 (train+valid), CIFAR-100 and ImageNet16-120
        accuracy[ds], acc_desc[ds] = _accuracy_figure(b, ds)
        p, f = _costs(b, frame, ds)
        if p is not None:
            params[ds] = p
        if f is not None:
            flops[ds] = f
    proxies: dict[str, np.ndarray] = {}
    proxy_desc: dict[str, str] = {}
    if b.name == "nb201":
        d = frame["d_bar"].to_numpy(np.float64)
        m = frame["m_bar"].to_numpy(np.float64)
        param_edges, mass = _nb201_extras()
        total_edges: int | None = 6
        flt = DAGFilter.from_space("nb201", fraction)
        filter_desc = "DAGFilter.from_space('nb201'): centre and radius from all 15,625 cells with d_bar > 0"
        reference = (d, m)
        reference_desc = "all 15,625 cells of the space"
        labels = frame["arch_str"].tolist()
        if "naswot_v1_score_cifar10" in frame:
            proxies["naswot_v1 [cifar10] (table)"] = frame["naswot_v1_score_cifar10"].to_numpy(np.float64)
            proxy_desc["naswot_v1 [cifar10] (table)"] = (
                "the original (2020, Jacobian-covariance) NAS-WOT score on a CIFAR-10 batch, shipped in the "
                "NAS-Bench-201 table (NaN where it failed); not the current Hamming-kernel score")
        subset = DEFAULT_SUBSET_EDGES["nb201"]
    else:
        if "d_bar_normal" not in frame or "genotype" not in frame:
            raise ConfigError(f"benchmark {b.name!r} has no d_bar_normal / genotype columns to report on")
        import json

        d = frame["d_bar_normal"].to_numpy(np.float64)
        m = frame["m_bar_normal"].to_numpy(np.float64)
        genos = [json.loads(g) for g in frame["genotype"]]
        param_edges, mass, total_edges = _genotype_extras(genos)
        labels = list(frame["genotype"])
        if space == "darts":
            from ..spaces import get_space

            flt = DAGFilter.from_space("darts", fraction)
            filter_desc = "DAGFilter.from_space('darts'): centre and radius from the exact range over the DARTS space"
            sp = get_space("darts")
            sd, sm = sp.depth_width(sp.samples(int(reference_samples), seed=seed), "normal") \
                if reference_samples > 0 else (np.zeros(0), np.zeros(0))
            reference = (np.concatenate([d, np.asarray(sd)]), np.concatenate([m, np.asarray(sm)]))
            reference_desc = (f"the {len(d)} benchmark cells and {reference_samples} seeded random normal cells "
                              f"of the DARTS space (seed {seed})")
            subset = DEFAULT_SUBSET_EDGES["darts"]
        else:
            flt = DAGFilter.from_metrics(d, m, fraction, space=None)
            filter_desc = "DAGFilter.from_metrics over this benchmark's cells (normal cell)"
            reference = (d, m)
            reference_desc = f"the {len(d)} cells of the benchmark"
            subset = None
    if cache is not None:
        more, more_desc = cache_proxies(cache, b)
        proxies.update(more)
        proxy_desc.update(more_desc)
    return SpaceData(space=space, label=label, benchmark=b.name, d_bar=d, m_bar=m, param_edges=param_edges,
                     total_edges=total_edges, nn_mass=mass, accuracy=accuracy, accuracy_desc=acc_desc,
                     params=params, flops=flops, proxies=proxies, proxy_desc=proxy_desc, filter=flt,
                     filter_desc=filter_desc, reference=reference, reference_desc=reference_desc,
                     subset_edges=subset, row_labels=labels)


__all__ = ["SpaceData", "load_space_data", "cache_proxies", "dataset_label", "REPORT_SPACES",
           "DEFAULT_SUBSET_EDGES", "DATASET_LABELS"]
