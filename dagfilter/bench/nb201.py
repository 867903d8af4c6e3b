"""NAS-Bench-201 answered from the compact shipped table (or an imported one).

>>> from dagfilter import bench
>>> api = bench.load("nb201")
>>> api.query("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
...           "cifar10", "test-accuracy", hp=200).value
94.3733

Rows are the official NAS-Bench-201 / NATS-Bench (tss) indices 0..15624.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..cell import Cell
from ..encodings import nb201 as enc
from ..errors import BenchmarkError
from .base import TableBenchmark
from .build import NB201_TABLE
from .names import SPLITS
from .store import read_table


_POW5 = 5 ** np.arange(5, -1, -1, dtype=np.int64)
_POW5_LIST = [int(p) for p in _POW5]
_OP_CODE = {op: i for i, op in enumerate(enc.NB201_OPS)}
# NASLib tuple position k holds the edge at arch-string position _NASLIB_POS[k]; NASLib code -> our code
_NASLIB_POS = [enc.NB201_EDGES.index(e) for e in enc.NASLIB_EDGES]
_NASLIB_CODE = [enc.NB201_OPS.index(op) for op in enc.NASLIB_OPS]


def _shipped_order() -> np.ndarray:
    from importlib import resources

    try:
        with resources.files("benchmarks_data").joinpath("nb201_order.npy").open("rb") as fh:
            return np.load(fh, allow_pickle=False)
    except (FileNotFoundError, ModuleNotFoundError):
        raise BenchmarkError("benchmarks_data/nb201_order.npy is missing from this installation") from None


def _ops_key(ops: Any) -> "int | None":
    """Base-5 key of 6 NB201 op names in arch-string order (None if any name is unknown)."""
    try:
        return sum(_OP_CODE[o] * p for o, p in zip(ops, _POW5_LIST))
    except (KeyError, TypeError):
        return None


def _naslib_key(values: Any) -> "int | None":
    """Base-5 key of a NASLib 6-tuple (None if it is not 6 ints in 0..4, letting the parser explain)."""
    key = 0
    for k, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or not 0 <= v < 5:
            return None
        key += _NASLIB_CODE[v] * _POW5_LIST[_NASLIB_POS[k]]
    return key


class NB201Benchmark(TableBenchmark):
    """The NAS-Bench-201 topology space (15,625 cells, 4 data sets, hp 12 and 200).

    Accepts every cell encoding of :func:`dagfilter.parse_arch` (official string, index,
    NASLib tuple, 6 op names, :class:`Cell`, networkx graph, ...). Extra columns: ``d_bar``,
    ``m_bar``, ``iso_class`` (6,466 classes, NAS-Bench-201's convention), ``iso_class_algebraic``,
    ``params_M_<head>`` / ``flops_M_<head>`` for the ``cifar10``, ``cifar100`` and
    ``ImageNet16-120`` heads (computed by :mod:`dagfilter.nets`) and ``params_M_reported``.
    """

    default_hp = 200

    def __init__(self, meta: dict[str, Any], columns: dict[str, np.ndarray]) -> None:
        super().__init__("nb201", meta, columns, SPLITS)
        codes = columns.get("op_codes")
        if codes is None or codes.shape != (enc.NUM_ARCHS, 6):
            raise BenchmarkError("NAS-Bench-201 table lacks its (15625, 6) 'op_codes' column")
        if not np.array_equal(codes, _shipped_order()):
            raise BenchmarkError("NAS-Bench-201 table's cell order does not match benchmarks_data/nb201_order.npy "
                                 "(a table built for another index order?)")
        self._str_index: "dict[str, int] | None" = None
        inv = np.empty(enc.NUM_ARCHS, dtype=np.int64)
        inv[codes.astype(np.int64) @ _POW5] = np.arange(enc.NUM_ARCHS)
        self._key_to_row = inv.tolist()

    @classmethod
    def from_file(cls, path: "str | os.PathLike[str] | None" = None, verify: bool = True) -> "NB201Benchmark":
        """Load the shipped table (``path=None``) or a table written by ``dagfilter data import``."""
        if path is None:
            meta, cols = read_table(NB201_TABLE, "nb201", verify=verify, shipped=True)
        else:
            meta, cols = read_table(path, "nb201", verify=verify)
        return cls(meta, cols)

    # ------------------------------------------------------------------ arch -> row
    def _strings(self) -> dict[str, int]:
        if self._str_index is None:
            ops = np.array(enc.NB201_OPS)[self._cols["op_codes"]]
            self._str_index = {
                f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|": i for i, (a, b, c, d, e, f) in enumerate(ops.tolist())
            }
        return self._str_index

    def _row(self, arch: Any) -> int:
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, (bool, np.bool_)):
            return enc.check_index(arch)
        if isinstance(arch, str):
            hit = self._strings().get(arch)
            if hit is not None:
                return hit
        elif callable(getattr(arch, "tostr", None)):  # xautodl / nas_201_api Structure: its string, if exact
            try:
                text = arch.tostr()
            except Exception:  # noqa: BLE001 - parse_arch below names the object and its failure
                text = None
            hit = self._strings().get(text) if isinstance(text, str) else None
            if hit is not None:
                return hit
        elif isinstance(arch, (tuple, list)) and len(arch) == 6:
            key = _naslib_key(arch) if not isinstance(arch[0], str) else _ops_key(arch)
            if key is not None:
                return self._key_to_row[key]
        if not isinstance(arch, Cell):
            from ..encodings.parse import parse_arch

            arch = parse_arch(arch)
        if not isinstance(arch, Cell) or not arch.is_nb201():
            return -1
        key = _ops_key(arch.nb201_ops())
        return -1 if key is None else self._key_to_row[key]

    def _simulate_split(self, dataset: str) -> tuple[str, str]:
        # nats_bench: CIFAR-10 is "trained" on cifar10-valid and judged on its x-valid split
        return ("cifar10-valid", "x-valid") if dataset == "cifar10" else (dataset, "x-valid")

    def query_index_by_arch(self, arch: Any) -> int:
        """Official index of ``arch`` (any encoding); ``-1`` if it is not a NAS-Bench-201 cell
        (e.g. a DARTS genotype). Malformed input raises a CellFormatError-family error and an
        out-of-range index an IndexOutOfRangeError, as ``nats_bench`` raises for bad indices."""
        return self._row(arch)

    def arch(self, index: int) -> str:
        """Official string of the cell at ``index`` (``nats_bench``'s ``api.arch``)."""
        return enc.to_str(enc.from_index(index))

    def _arch_labels(self) -> dict[str, Any]:
        strings = [""] * enc.NUM_ARCHS
        for s, i in self._strings().items():
            strings[i] = s
        return {"index": np.arange(enc.NUM_ARCHS), "arch_str": strings}

    def iso_class(self, arch: Any) -> int:
        """Isomorphism class (NAS-Bench-201 convention) of ``arch``, from the table."""
        row = self._must_row(arch)
        return int(self._cols["iso_class"][row])


__all__ = ["NB201Benchmark"]
