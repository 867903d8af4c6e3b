"""NAS-Bench-201 accuracies for search results (tabular lookup, no training).

By default figures come from the shipped benchmark, :func:`dagfilter.bench.load` ``("nb201")``;
an explicit ``path`` may instead name a CSV table with one row per official index (columns
``index``, ``arch_str`` and the figure columns below), e.g. the shared ``nb201_table.csv``.

Figure names (200-epoch schedule, mean over seeds):

=========================  ===========================================  =====================
column                     meaning                                      ``bench`` query
=========================  ===========================================  =====================
``cifar10_test_200``       CIFAR-10 test accuracy (trained on train+val)  cifar10 / ori-test
``cifar100_test_200``      CIFAR-100 test accuracy                      cifar100 / x-test
``imagenet16_test_200``    ImageNet16-120 test accuracy                 ImageNet16-120 / x-test
``cifar10valid_valid_200`` cifar10-valid validation accuracy            cifar10-valid / x-valid
=========================  ===========================================  =====================
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from dagfilter.errors import BenchmarkError

#: Figures reported for a chosen cell; the last one is what the random-search baseline selects by.
REPORT_COLUMNS = ("cifar10_test_200", "cifar100_test_200", "imagenet16_test_200", "cifar10valid_valid_200")
DEFAULT_SELECT = "cifar10valid_valid_200"
BENCH_QUERIES: dict[str, tuple[str, str]] = {
    "cifar10_test_200": ("cifar10", "ori-test"),
    "cifar100_test_200": ("cifar100", "x-test"),
    "imagenet16_test_200": ("ImageNet16-120", "x-test"),
    "cifar10valid_valid_200": ("cifar10-valid", "x-valid"),
}


class NB201Table:
    """NAS-Bench-201 figures indexed by official cell index.

    Args:
        path: None for the shipped benchmark (``dagfilter.bench``), or a CSV table path.

    Raises:
        BenchmarkError: the table is missing or malformed.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path: Path | None = None if path is None else Path(path)
        self._api: Any = None
        self._frame: Any = None
        if self.path is None:
            from dagfilter import bench

            self._api = bench.load("nb201")
            return
        import pandas as pd

        if not self.path.is_file():
            raise BenchmarkError(f"NAS-Bench-201 table {str(self.path)!r} not found")
        df = pd.read_csv(self.path)
        if "index" not in df.columns or len(df) != 15625:
            raise BenchmarkError(f"{str(self.path)!r} is not the 15,625-row NAS-Bench-201 table")
        self._frame = df.set_index("index").sort_index()

    @property
    def source(self) -> str:
        """Where the figures come from."""
        return "dagfilter.bench:nb201" if self.path is None else str(self.path)

    @property
    def columns(self) -> list[str]:
        """Figure names that :meth:`metric` accepts."""
        if self._frame is None:
            return list(BENCH_QUERIES)
        return [c for c in self._frame.columns if c != "arch_str"]

    def metric(self, indices: Any, column: str) -> np.ndarray:
        """Values of figure ``column`` for the given official indices (vectorized).

        Raises:
            BenchmarkError: unknown figure name.
        """
        if column not in self.columns:
            raise BenchmarkError(f"unknown NAS-Bench-201 figure {column!r}; available: {', '.join(self.columns)}")
        idx = np.asarray(indices, dtype=np.int64)
        if self._frame is None:
            dataset, split = BENCH_QUERIES[column]
            return np.asarray(self._api.query_many(idx, dataset, split, hp=200), dtype=np.float64)
        return self._frame[column].to_numpy(dtype=np.float64)[idx]

    def accuracies(self, index: int, columns: tuple[str, ...] = REPORT_COLUMNS) -> dict[str, float]:
        """``{figure: value}`` for one cell."""
        return {c: float(self.metric([index], c)[0]) for c in columns}


def try_load_table(path: str | os.PathLike | None = None) -> NB201Table | None:
    """The table, or None when it cannot be loaded (searches then report no accuracies)."""
    try:
        return NB201Table(path)
    except BenchmarkError:
        return None
