"""Benchmarks over DARTS-style genotypes: the shipped 725-cell DARTS table and NDS files.

Rows are keyed by a canonical genotype (the two inputs of each node sorted), so a genotype
given as a ``Genotype`` namedtuple, an NDS/JSON dict, a JSON string or ``Genotype(...)`` text
finds its row whatever the order of a node's two inputs. Extra columns: ``d_bar_normal``,
``m_bar_normal``, ``d_bar_reduce``, ``m_bar_reduce``.
"""
from __future__ import annotations

import json
import os
from typing import Any, Mapping

import numpy as np

from ..errors import BenchmarkError, CellFormatError
from .base import TableBenchmark
from .build import DARTS725_TABLE, canonical_genotype_json
from .store import read_table


class GenotypeBenchmark(TableBenchmark):
    """A table of genotypes with accuracies. ``meta['splits']`` names the data sets and splits.

    When the same genotype appears more than once (NDS trains some cells at several widths
    and depths), pass ``width=`` / ``depth=`` to :meth:`query_index_by_arch`, or query by row.
    """

    default_hp = 100

    def __init__(self, name: str, meta: Mapping[str, Any], columns: Mapping[str, np.ndarray]) -> None:
        splits = meta.get("splits")
        if not splits:
            raise BenchmarkError(f"benchmark {name!r}: table metadata lacks 'splits'")
        super().__init__(name, meta, columns, splits)
        if "genotype" not in columns:
            raise BenchmarkError(f"benchmark {name!r}: table lacks its 'genotype' column")
        hps = self.hps
        if len(hps) == 1:
            self.default_hp = hps[0]
        self._by_key: dict[str, list[int]] = {}
        for i, key in enumerate(columns["genotype"].tolist()):
            self._by_key.setdefault(key.decode() if isinstance(key, bytes) else key, []).append(i)

    @classmethod
    def darts725(cls, path: "str | os.PathLike[str] | None" = None, verify: bool = True) -> "GenotypeBenchmark":
        """The 725 DARTS-space cells with CIFAR-10 validation accuracy (NAS-Bench-301 data)."""
        if path is None:
            meta, cols = read_table(DARTS725_TABLE, "darts725", verify=verify, shipped=True)
        else:
            meta, cols = read_table(path, "darts725", verify=verify)
        return cls("darts725", meta, cols)

    def _split_of(self, dataset: str, metric: str) -> str:
        known = self._splits[dataset]
        if isinstance(metric, str):
            for cand in (metric, metric[: -len("-accuracy")] if metric.endswith("-accuracy") else None,
                         metric[2:] if metric.startswith("x-") else None):
                if cand in known:
                    return cand
        raise BenchmarkError(f"{self.name}: metric {metric!r} does not exist for {dataset!r}; "
                             f"splits: {', '.join(known)} (or '<split>-accuracy')")

    def _simulate_split(self, dataset: str) -> tuple[str, str]:
        splits = self._splits[dataset]
        if "valid" not in splits:
            raise BenchmarkError(f"{self.name}: {dataset!r} has only {', '.join(splits)} figures; "
                                 "simulate_train_eval returns validation figures only - use query(..., 'test')")
        return dataset, "valid"

    def _key(self, arch: Any) -> str:
        if isinstance(arch, str) and not arch.lstrip().startswith(("{", "Genotype(")):
            from ..encodings.parse import parse_arch

            arch = parse_arch(arch)
        try:
            return canonical_genotype_json(arch)
        except CellFormatError:
            raise
        except (TypeError, ValueError) as exc:
            raise CellFormatError(f"not a genotype: {arch!r} ({exc})") from None

    def query_index_by_arch(self, arch: Any, width: "int | None" = None, depth: "int | None" = None) -> int:
        """Row of a genotype (any encoding) or of a row index; ``-1`` if absent.

        Raises BenchmarkError if the genotype has several rows (different width/depth) and
        ``width`` / ``depth`` do not single one out.
        """
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, (bool, np.bool_)):
            if not 0 <= int(arch) < len(self):
                raise BenchmarkError(f"{self.name}: index {arch} is outside 0..{len(self) - 1}")
            return int(arch)
        from ..cell import Cell

        if isinstance(arch, Cell):
            return -1
        rows = self._by_key.get(self._key(arch), [])
        if width is not None and "width" in self._cols:
            rows = [r for r in rows if int(self._cols["width"][r]) == int(width)]
        if depth is not None and "depth" in self._cols:
            rows = [r for r in rows if int(self._cols["depth"][r]) == int(depth)]
        if not rows:
            return -1
        if len(rows) > 1:
            opts = [(int(self._cols["width"][r]) if "width" in self._cols else None,
                     int(self._cols["depth"][r]) if "depth" in self._cols else None) for r in rows]
            raise BenchmarkError(f"{self.name}: this genotype has {len(rows)} rows with (width, depth) {opts}; "
                                 "pass width= and depth=, or query by row index")
        return rows[0]

    def _row(self, arch: Any) -> int:
        return self.query_index_by_arch(arch)

    def genotype(self, index: int) -> dict[str, Any]:
        """The genotype of a row as an NDS/JSON dict."""
        if not 0 <= int(index) < len(self):
            raise BenchmarkError(f"{self.name}: index {index} is outside 0..{len(self) - 1}")
        key = self._cols["genotype"][int(index)]
        return json.loads(key.decode() if isinstance(key, bytes) else str(key))

    def _arch_labels(self) -> dict[str, Any]:
        return {"genotype": [k.decode() if isinstance(k, bytes) else str(k) for k in self._cols["genotype"].tolist()]}


__all__ = ["GenotypeBenchmark"]
