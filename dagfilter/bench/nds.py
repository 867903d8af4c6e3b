"""Reader for the NDS data set files (Radosavovic et al., "On Network Design Spaces for Visual
Recognition", ICCV 2019).

NDS publishes one JSON file per design space: ``DARTS.json``, ``ENAS.json``, ``PNAS.json``,
``Amoeba.json``, ``NASNet.json`` (CIFAR-10) and ``*_in.json`` (ImageNet), plus variants such as
``DARTS_fix-w-d.json``. Each file is a list of records (some files wrap it as
``{"top": [...], "mid": [...]}``); a record has ``net`` (``genotype`` in the DARTS JSON form,
``width``, ``depth``, ``aux``, ...), ``test_ep_top1`` (test top-1 *error*, %, per epoch),
``params`` and ``flops`` (raw counts) and more. We keep, per record: the genotype, the
space, width, depth, aux, the final test accuracy ``100 - test_ep_top1[-1]`` at
``hp = len(test_ep_top1)`` epochs, params and FLOPs in millions, and d_bar / m_bar of the
normal and reduce cells. Reading a folder gives the union of its files (24,827 cells for the
paper's five CIFAR-10 spaces).
"""
from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import BenchmarkError, DagFilterError, DataError
from .build import canonical_genotype_json
from .genotype import GenotypeBenchmark
from .store import write_table

NDS_SPACES = ("Amoeba", "DARTS", "ENAS", "NASNet", "PNAS")


def _dataset_of(stem: str) -> str:
    return "imagenet" if stem.endswith("_in") else "cifar10"


def _space_of(stem: str) -> str:
    return stem[:-3] if stem.endswith("_in") else stem


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise DataError(f"NDS file {str(path)!r} is not readable JSON: {str(exc)[:200]}") from None
    if isinstance(data, dict):
        lists = [v for k, v in data.items() if isinstance(v, list)]
        if not lists:
            raise DataError(f"NDS file {str(path)!r}: expected a list of records or a dict of lists")
        data = [r for lst in lists for r in lst]
    if not isinstance(data, list):
        raise DataError(f"NDS file {str(path)!r}: expected a list of records, got {type(data).__name__}")
    return data


def nds_files(path: "str | os.PathLike[str]") -> list[Path]:
    """The NDS JSON files at ``path`` (a file, or every ``*.json`` in a folder)."""
    p = Path(path)
    if p.is_file():
        return [p]
    if p.is_dir():
        files = sorted(p.glob("*.json"))
        if files:
            return files
    raise DataError(f"no NDS .json file at {str(p)!r}")


def nds_table(path: "str | os.PathLike[str]", progress: bool = True) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Columns and metadata of the union of the NDS files at ``path``."""
    from tqdm import tqdm

    from .build import genotype_depth_width

    rows: list[dict[str, Any]] = []
    files = nds_files(path)
    for f in tqdm(files, desc="NDS files", file=sys.stderr, disable=not progress):
        stem = f.stem
        for k, rec in enumerate(_records(f)):
            where = f"{f.name} record {k}"
            try:
                net = rec["net"]
                geno = net["genotype"]
                errs = rec["test_ep_top1"]
            except (KeyError, TypeError):
                raise DataError(f"{where}: needs 'net.genotype' and 'test_ep_top1'") from None
            if not isinstance(errs, list) or not errs:
                raise DataError(f"{where}: 'test_ep_top1' must be a non-empty list of per-epoch errors")
            try:
                key = canonical_genotype_json(geno)
            except DagFilterError as exc:
                raise DataError(f"{where}: bad genotype: {exc}") from None
            rows.append({
                "genotype": key, "space": _space_of(stem), "dataset": _dataset_of(stem), "file": stem,
                "width": int(net.get("width", -1)), "depth": int(net.get("depth", -1)),
                "aux": bool(net.get("aux", False)),
                "acc": 100.0 - float(errs[-1]), "hp": len(errs),
                "params_M": float(rec.get("params", math.nan)) / 1e6,
                "flops_M": float(rec.get("flops", math.nan)) / 1e6,
            })
    if not rows:
        raise DataError(f"the NDS files at {str(path)!r} hold no records")
    n = len(rows)
    cols: dict[str, np.ndarray] = {
        "genotype": np.array([r["genotype"].encode() for r in rows], dtype="S"),
        "space": np.array([r["space"].encode() for r in rows], dtype="S"),
        "source_file": np.array([r["file"].encode() for r in rows], dtype="S"),
        "width": np.array([r["width"] for r in rows], dtype=np.int32),
        "depth": np.array([r["depth"] for r in rows], dtype=np.int32),
        "aux": np.array([r["aux"] for r in rows], dtype=bool),
        "params_M": np.array([r["params_M"] for r in rows]),
        "flops_M": np.array([r["flops_M"] for r in rows]),
    }
    figures: dict[str, dict[str, Any]] = {}
    splits: dict[str, list[str]] = {}
    for ds, hp in sorted({(r["dataset"], r["hp"]) for r in rows}):
        name = f"test_acc_{ds}_{hp}"
        cols[name] = np.array([r["acc"] if (r["dataset"], r["hp"]) == (ds, hp) else math.nan for r in rows])
        figures[name] = {"dataset": ds, "split": "test", "hp": hp, "trials": "single"}
        splits[ds] = ["test"]
    try:
        cols.update(genotype_depth_width([json.loads(r["genotype"]) for r in rows]))
    except DagFilterError:
        for part in ("normal", "reduce"):  # an op outside the registry: leave d/m undefined
            cols[f"d_bar_{part}"] = np.full(n, math.nan)
            cols[f"m_bar_{part}"] = np.full(n, math.nan)
    meta = {
        "benchmark": "nds",
        "data_version": "nds-json",
        "source": ", ".join(f.name for f in files),
        "figures": figures,
        "splits": splits,
        "costs": {ds: {"params": "params_M", "flops": "flops_M", "latency": None} for ds in splits},
        "cost_head": {ds: ds for ds in splits},
        "units": {"accuracy": "% (100 - final test_ep_top1)", "params": "millions", "flops": "millions"},
    }
    return cols, meta


class NDSBenchmark(GenotypeBenchmark):
    """NDS records behind the common query API (rows in file order; see :func:`nds_table`)."""

    def spaces(self) -> list[str]:
        """Design spaces present."""
        return sorted({s.decode() for s in self._cols["space"].tolist()})

    def space_rows(self, space: str) -> np.ndarray:
        """Row indices of one design space (e.g. ``"DARTS"``)."""
        rows = np.flatnonzero(self._cols["space"] == space.encode())
        if rows.size == 0:
            raise BenchmarkError(f"no {space!r} rows; spaces here: {', '.join(self.spaces())}")
        return rows


def load_nds(path: "str | os.PathLike[str]", cache: "str | os.PathLike[str] | None" = None,
             progress: bool = True, notify: "Callable[[str], None] | None" = None) -> NDSBenchmark:
    """Open NDS JSON file(s) (a file or a folder). With ``cache``, the compact table is written there
    too, and ``dagfilter.bench.load(cache)`` reopens it in milliseconds (``notify`` hears when an
    existing file is replaced)."""
    cols, meta = nds_table(path, progress=progress)
    if cache is not None:
        write_table(cache, cols, meta, notify=notify)
    return NDSBenchmark("nds", meta, cols)


__all__ = ["NDS_SPACES", "nds_table", "nds_files", "load_nds", "NDSBenchmark"]
