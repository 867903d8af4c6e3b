"""Build the compact tables from source files (CSV exports, official benchmark files).

Used by ``scripts/build_benchmarks_data.py`` (shipped tables) and ``dagfilter data import``.
Every function returns ``(columns, meta)`` ready for :func:`dagfilter.bench.store.write_table`.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError
from ..encodings import nb201 as enc
from .names import COST_HEAD

NB201_TABLE = "nb201.npz"
DARTS725_TABLE = "darts725.npz"

NB201_CSV_FIGURES: dict[str, tuple[str, str, int, str]] = {
    "cifar10_test_200": ("cifar10", "ori-test", 200, "mean"),
    "cifar100_test_200": ("cifar100", "x-test", 200, "mean"),
    "imagenet16_test_200": ("ImageNet16-120", "x-test", 200, "mean"),
    "cifar10valid_valid_200": ("cifar10-valid", "x-valid", 200, "mean"),
    "cifar10valid_test_200": ("cifar10-valid", "ori-test", 200, "mean"),
    "cifar10valid_valid_200_1seed": ("cifar10-valid", "x-valid", 200, "single"),
    "cifar100_valid_200_1seed": ("cifar100", "x-valid", 200, "single"),
    "imagenet16_valid_200_1seed": ("ImageNet16-120", "x-valid", 200, "single"),
    "cifar10_test_12": ("cifar10", "ori-test", 12, "unspecified"),
    "cifar10valid_valid_12": ("cifar10-valid", "x-valid", 12, "unspecified"),
    "cifar100_test_12": ("cifar100", "x-test", 12, "unspecified"),
    "cifar100_valid_12": ("cifar100", "x-valid", 12, "unspecified"),
    "imagenet16_test_12": ("ImageNet16-120", "x-test", 12, "unspecified"),
    "imagenet16_valid_12": ("ImageNet16-120", "x-valid", 12, "unspecified"),
}
"""Source CSV column -> (nats_bench data set, split, hp, trials). Test accuracies for cifar100 /
ImageNet16-120 are NATS-Bench's ``get_more_info(...)['test-accuracy']``, i.e. ``x-test``."""

COST_HEADS = ("cifar10", "cifar100", "ImageNet16-120")


def _figures_meta(spec: dict[str, tuple[str, str, int, str]]) -> dict[str, dict[str, Any]]:
    return {c: {"dataset": d, "split": s, "hp": h, "trials": t} for c, (d, s, h, t) in spec.items()}


def nb201_cost_columns(codes: np.ndarray) -> "dict[str, np.ndarray] | None":
    """Params / FLOPs (millions) per classifier head from our own network counter, or ``None``
    when :mod:`dagfilter.nets` is not available."""
    try:
        from ..nets.nb201_counts import nb201_dataset_costs
    except ImportError:  # pragma: no cover - nets is part of the package
        return None
    ops_order = [enc.NB201_OPS[i] for i in range(len(enc.NB201_OPS))]
    names = np.array(ops_order)[codes]
    df = nb201_dataset_costs([list(r) for r in names])
    return {c: df[c].to_numpy(np.float64) for c in df.columns}


def nb201_derived_columns(codes: np.ndarray) -> dict[str, np.ndarray]:
    """Columns the project computes itself: d_bar, m_bar, isomorphism classes, costs."""
    from ..metrics import nb201_depth_width
    from .isomorphism import nb201_iso_classes

    d, m = nb201_depth_width(codes)
    cols: dict[str, np.ndarray] = {
        "d_bar": np.asarray(d, np.float64),
        "m_bar": np.asarray(m, np.float64),
        "iso_class": nb201_iso_classes(codes, "nb201").astype(np.int32),
        "iso_class_algebraic": nb201_iso_classes(codes, "algebraic").astype(np.int32),
    }
    costs = nb201_cost_columns(codes)
    if costs:
        cols.update(costs)
    return cols


def nb201_cost_meta(columns: dict[str, np.ndarray], latency: "dict[str, str] | None" = None) -> dict[str, Any]:
    """``costs`` / ``cost_head`` metadata for whichever cost columns exist."""
    costs: dict[str, dict[str, Any]] = {}
    for head in COST_HEADS:
        p, f = f"params_M_{head}", f"flops_M_{head}"
        if p in columns and f in columns:
            costs[head] = {"params": p, "flops": f, "latency": (latency or {}).get(head)}
    if not costs and "params_M_reported" in columns:
        costs["cifar10"] = {"params": "params_M_reported", "flops": None, "latency": None}
    return {"costs": costs, "cost_head": dict(COST_HEAD)}


def build_nb201_from_csv(csv_path: "str | Path") -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The shipped NAS-Bench-201 table from ``nb201_table.csv`` (see its PROVENANCE.md)."""
    import pandas as pd

    path = Path(csv_path)
    if not path.is_file():
        raise DataError(f"NAS-Bench-201 source table {str(path)!r} does not exist")
    df = pd.read_csv(path)
    need = ["index", "arch_str", *NB201_CSV_FIGURES, "params_M"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataError(f"{path}: missing columns {missing}")
    if len(df) != enc.NUM_ARCHS or not (df["index"].to_numpy() == np.arange(enc.NUM_ARCHS)).all():
        raise DataError(f"{path}: expected rows 0..{enc.NUM_ARCHS - 1} in index order")
    codes = np.array([enc.to_codes(enc.from_str(s)) for s in df["arch_str"]], dtype=np.uint8)
    if not np.array_equal(codes, enc.index_codes()):
        raise DataError(f"{path}: cell order differs from benchmarks_data/nb201_order.npy")
    cols: dict[str, np.ndarray] = {"op_codes": codes}
    for c in NB201_CSV_FIGURES:
        cols[c] = df[c].to_numpy(np.float64)
    cols["params_M_reported"] = df["params_M"].to_numpy(np.float64)
    if "naswot_v1_score_cifar10" in df.columns:
        cols["naswot_v1_score_cifar10"] = df["naswot_v1_score_cifar10"].to_numpy(np.float64)
    cols.update(nb201_derived_columns(codes))
    meta: dict[str, Any] = {
        "benchmark": "nb201",
        "data_version": "nb201-csv-1",
        "source": f"{path.name} (see benchmarks_data/ATTRIBUTION.md)",
        "figures": _figures_meta(NB201_CSV_FIGURES),
        "units": {"accuracy": "%", "params": "millions", "flops": "millions of multiply-adds"},
        "notes": ("params_M_reported is the NAS-WOT table's figure (204 rows carry NATS-Bench's legacy "
                  "pre-v1.6 value); params_M_<head> / flops_M_<head> are computed by dagfilter.nets."),
    }
    meta.update(nb201_cost_meta(cols))
    return cols, meta


# ---------------------------------------------------------------------------- DARTS 725
def canonical_genotype_json(genotype: Any) -> str:
    """A key equal for genotypes that build the same cells: the two (op, input) pairs of each
    node are sorted and ``*_concat`` lists sorted."""
    from ..encodings.darts import to_genotype

    g = to_genotype(genotype)
    out: dict[str, Any] = {}
    for part in ("normal", "reduce"):
        pairs = [[str(op), int(i)] for op, i in getattr(g, part)]
        nodes = [sorted(pairs[k:k + 2], key=lambda p: (p[1], p[0])) for k in range(0, len(pairs), 2)]
        out[part] = [p for node in nodes for p in node]
        out[f"{part}_concat"] = sorted(int(c) for c in getattr(g, f"{part}_concat"))
    return json.dumps(out, separators=(",", ":"), sort_keys=True)


def genotype_depth_width(genotypes: list[Any]) -> dict[str, np.ndarray]:
    """d_bar / m_bar of the normal and reduce cells of many genotypes."""
    from ..encodings.darts import cell_from_genotype
    from ..metrics import batch_depth_width

    out: dict[str, np.ndarray] = {}
    for part in ("normal", "reduce"):
        cells = [cell_from_genotype(g, part) for g in genotypes]
        d, m = batch_depth_width(cells)
        out[f"d_bar_{part}"] = np.asarray(d, np.float64)
        out[f"m_bar_{part}"] = np.asarray(m, np.float64)
    return out


def build_darts725_from_csv(csv_path: "str | Path") -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The shipped DARTS-space table from ``darts_space_725.csv`` (NAS-Bench-301 data via NASLib)."""
    import pandas as pd

    path = Path(csv_path)
    if not path.is_file():
        raise DataError(f"DARTS source table {str(path)!r} does not exist")
    df = pd.read_csv(path)
    for c in ("genotype_json", "val_accuracy", "params_M", "flops_M"):
        if c not in df.columns:
            raise DataError(f"{path}: missing column {c!r}")
    genos = [json.loads(s) for s in df["genotype_json"]]
    keys = [canonical_genotype_json(g) for g in genos]
    cols: dict[str, np.ndarray] = {
        "genotype": np.array([k.encode() for k in keys], dtype="S"),
        "val_accuracy": df["val_accuracy"].to_numpy(np.float64),
        "params_M": df["params_M"].to_numpy(np.float64),
        "flops_M": df["flops_M"].to_numpy(np.float64),
    }
    cols.update(genotype_depth_width(genos))
    meta = {
        "benchmark": "darts725",
        "data_version": "darts725-csv-1",
        "source": f"{path.name} (NAS-Bench-301 training data via NASLib; see benchmarks_data/ATTRIBUTION.md)",
        "figures": {"val_accuracy": {"dataset": "cifar10", "split": "valid", "hp": 100, "trials": "unspecified"}},
        "costs": {"cifar10": {"params": "params_M", "flops": "flops_M", "latency": None}},
        "cost_head": {"cifar10": "cifar10"},
        "splits": {"cifar10": ["valid"]},
        "units": {"accuracy": "%", "params": "millions", "flops": "millions"},
    }
    return cols, meta


def finite_or_nan(x: Any) -> float:
    """``float(x)``, or NaN for ``None`` / non-numbers."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


__all__ = ["NB201_TABLE", "DARTS725_TABLE", "NB201_CSV_FIGURES", "build_nb201_from_csv",
           "build_darts725_from_csv", "nb201_derived_columns", "nb201_cost_meta", "canonical_genotype_json",
           "genotype_depth_width"]
