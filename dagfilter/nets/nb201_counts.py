"""Closed-form parameter and FLOP counts of NAS-Bench-201 networks.

Only ``nor_conv_1x1`` and ``nor_conv_3x3`` carry parameters or FLOPs inside a cell, so the
cost of a network is a fixed skeleton cost plus a per-op cost times the number of each conv
op in the cell. That makes the whole 15,625-cell space a few numpy operations.

Conventions (those of NAS-Bench-201 / NATS-Bench, whose ``get_cost_info`` figures these
functions reproduce; see ``xautodl/utils/flop_benchmark.py`` in D-X-Y/AutoDL-Projects):

* **parameters**: every trainable parameter (conv weights, BatchNorm weight and bias, linear
  weight and bias); BatchNorm running statistics are buffers and are not counted.
  The benchmark reports ``params / 1e6``.
* **FLOPs**: multiply-accumulates of ``Conv2d`` and ``Linear`` layers for one image, plus one
  addition per output element for layers with a bias (only the classifier here). Pooling,
  BatchNorm, ReLU and the additions that join edges are not counted. The benchmark reports
  ``FLOPs / 1e6``; e.g. cell index 0 gives 15.64737 (CIFAR-10), 15.65322 (CIFAR-100) and
  3.91948 (ImageNet16-120) with the NATS-Bench API.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import CellFormatError, ConfigError
from .nb201_spec import NB201_OP_NAMES, check_macro, check_nb201_ops

NB201_DATASETS: dict[str, tuple[int, int]] = {
    "cifar10": (10, 32),
    "cifar100": (100, 32),
    "ImageNet16-120": (120, 16),
}
"""NAS-Bench-201 data sets -> ``(num_classes, input_hw)``."""

_OP_CODE = {name: i for i, name in enumerate(NB201_OP_NAMES)}
_CONV1, _CONV3 = _OP_CODE["nor_conv_1x1"], _OP_CODE["nor_conv_3x3"]
_ARCH_OP = re.compile(r"\|([^|~]+)~(\d+)")
_ARCH_SHAPE = re.compile(r"^\|[^|]+\|\+\|[^|]+\|[^|]+\|\+\|[^|]+\|[^|]+\|[^|]+\|$")


def _stage_geometry(C: int, input_hw: int) -> tuple[list[int], list[int]]:
    """Channel widths and feature-map sides of the three stages."""
    if isinstance(input_hw, bool) or not isinstance(input_hw, int) or input_hw < 4 or input_hw % 4:
        raise ConfigError(
            f"input_hw must be a positive multiple of 4 (two stride-2 reductions), got {input_hw!r}")
    return [C, 2 * C, 4 * C], [input_hw, input_hw // 2, input_hw // 4]


def _skeleton_params(num_classes: int, C: int) -> int:
    widths = [C, 2 * C, 4 * C]
    total = 27 * C + 2 * C  # stem conv + BN
    for ci, co in zip(widths[:-1], widths[1:]):
        total += 9 * ci * co + 2 * co + 9 * co * co + 2 * co + ci * co  # conv_a, conv_b, shortcut
    c_last = widths[-1]
    return total + 2 * c_last + c_last * num_classes + num_classes  # last BN + classifier


def _skeleton_flops(num_classes: int, C: int, input_hw: int) -> int:
    widths, sides = _stage_geometry(C, input_hw)
    total = 27 * C * sides[0] ** 2
    for s in (1, 2):
        ci, co, hw = widths[s - 1], widths[s], sides[s] ** 2
        total += hw * (9 * ci * co + 9 * co * co + ci * co)
    return total + widths[-1] * num_classes + num_classes


def _per_op_params(C: int, N: int) -> tuple[int, int]:
    """Parameters that one ``nor_conv_1x1`` / ``nor_conv_3x3`` edge adds to the whole network."""
    widths = [C, 2 * C, 4 * C]
    return (N * sum(c * c + 2 * c for c in widths), N * sum(9 * c * c + 2 * c for c in widths))


def _per_op_flops(C: int, N: int, input_hw: int) -> tuple[int, int]:
    widths, sides = _stage_geometry(C, input_hw)
    per1 = N * sum(c * c * h * h for c, h in zip(widths, sides))
    return per1, 9 * per1


def nb201_param_count(ops: Sequence[str], num_classes: int = 10, C: int = 16, N: int = 5) -> int:
    """Number of trainable parameters of the NAS-Bench-201 network for ``ops`` (no build).

    Equals ``sum(p.numel() for p in NB201Network(ops, num_classes, C, N).parameters())``.
    The benchmark's ``params`` figure is this value / 1e6 (for the CIFAR-10 head, 10 classes).

    Args:
        ops: the 6 op names in arch-string order.
        num_classes: classifier outputs (10, 100 or 120 in the benchmark).
        C: first-stage channels (16).
        N: cells per stage (5).

    Raises:
        CellFormatError, UnknownOpError: bad ``ops``; ConfigError: bad sizes.
    """
    ops = check_nb201_ops(ops)
    check_macro(num_classes, C, N)
    p1, p3 = _per_op_params(C, N)
    return _skeleton_params(num_classes, C) + p1 * ops.count("nor_conv_1x1") + p3 * ops.count("nor_conv_3x3")


def nb201_flops(ops: Sequence[str], num_classes: int = 10, input_hw: int = 32, C: int = 16, N: int = 5) -> int:
    """Multiply-accumulates of one forward pass of one image (NAS-Bench-201 convention).

    Counts Conv2d and Linear multiply-accumulates plus one add per output of a layer with a
    bias (the classifier); pooling, BatchNorm, ReLU and node sums are not counted. Divide by
    1e6 for the benchmark's ``flops`` figure. Use ``input_hw=32`` for CIFAR-10/100 and
    ``input_hw=16`` for ImageNet16-120 (see :data:`NB201_DATASETS`).

    Raises:
        CellFormatError, UnknownOpError: bad ``ops``; ConfigError: bad sizes (``input_hw``
        must be a multiple of 4).
    """
    ops = check_nb201_ops(ops)
    check_macro(num_classes, C, N)
    f1, f3 = _per_op_flops(C, N, input_hw)
    return (_skeleton_flops(num_classes, C, input_hw)
            + f1 * ops.count("nor_conv_1x1") + f3 * ops.count("nor_conv_3x3"))


def nb201_op_codes(cells: "Iterable[str] | Iterable[Sequence[str]] | np.ndarray") -> np.ndarray:
    """Cells as an ``(n, 6)`` int array of op codes (index into :data:`NB201_OP_NAMES`).

    ``cells`` may be an integer array of shape ``(n, 6)`` (returned after a range check), or an
    iterable whose items are NAS-Bench-201 arch strings ``|op~0|+|op~0|op~1|+|...|`` or
    sequences of 6 op names.

    Raises:
        CellFormatError: a malformed item; UnknownOpError: an unknown op name.
    """
    if isinstance(cells, np.ndarray) and cells.dtype.kind in "iu":
        if cells.ndim != 2 or cells.shape[1] != 6:
            raise CellFormatError(f"op-code array must have shape (n, 6), got {cells.shape}")
        bad = (cells < 0) | (cells >= len(NB201_OP_NAMES))
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise CellFormatError(f"op code out of range 0..{len(NB201_OP_NAMES) - 1} in row {row}: "
                                  f"{cells[row].tolist()}")
        return cells.astype(np.int64, copy=False)
    if isinstance(cells, (str, bytes)):
        cells = [cells]
    rows = []
    for item in cells:
        if isinstance(item, str):
            found = _ARCH_OP.findall(item)
            inputs = [int(i) for _, i in found]
            if not _ARCH_SHAPE.match(item) or inputs != [0, 0, 1, 0, 1, 2]:
                raise CellFormatError(f"not a NAS-Bench-201 arch string: {item!r}")
            item = [op for op, _ in found]
        ops = check_nb201_ops(item)
        rows.append([_OP_CODE[o] for o in ops])
    return np.asarray(rows, dtype=np.int64).reshape(-1, 6)


def nb201_costs(cells: "Iterable[str] | Iterable[Sequence[str]] | np.ndarray", num_classes: int = 10,
                input_hw: int = 32, C: int = 16, N: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Parameters and FLOPs of many NAS-Bench-201 cells at once (vectorised).

    Args:
        cells: see :func:`nb201_op_codes` (arch strings, op-name sequences or an op-code array).
        num_classes, input_hw, C, N: as in :func:`nb201_param_count` / :func:`nb201_flops`.

    Returns:
        ``(params, flops)``: two int64 arrays of length ``n`` (raw counts, not millions).
    """
    codes = nb201_op_codes(cells)
    check_macro(num_classes, C, N)
    n1 = (codes == _CONV1).sum(axis=1)
    n3 = (codes == _CONV3).sum(axis=1)
    p1, p3 = _per_op_params(C, N)
    f1, f3 = _per_op_flops(C, N, input_hw)
    params = _skeleton_params(num_classes, C) + p1 * n1 + p3 * n3
    flops = _skeleton_flops(num_classes, C, input_hw) + f1 * n1 + f3 * n3
    return params.astype(np.int64), flops.astype(np.int64)


def nb201_dataset_costs(cells: "Iterable[str] | Iterable[Sequence[str]] | np.ndarray",
                        datasets: Iterable[str] = tuple(NB201_DATASETS), C: int = 16, N: int = 5) -> pd.DataFrame:
    """Params and FLOPs (in millions, the benchmark's unit) for each data set's head.

    Returns a DataFrame with one row per cell and columns ``params_M_<dataset>`` and
    ``flops_M_<dataset>`` for each requested data set (keys of :data:`NB201_DATASETS`).

    Raises:
        ConfigError: an unknown data set name.
    """
    codes = nb201_op_codes(cells)
    out = {}
    for ds in datasets:
        if ds not in NB201_DATASETS:
            raise ConfigError(f"unknown NAS-Bench-201 data set {ds!r}; known: {', '.join(NB201_DATASETS)}")
        nc, hw = NB201_DATASETS[ds]
        params, flops = nb201_costs(codes, nc, hw, C, N)
        out[f"params_M_{ds}"] = params / 1e6
        out[f"flops_M_{ds}"] = flops / 1e6
    return pd.DataFrame(out)


__all__ = ["NB201_DATASETS", "nb201_param_count", "nb201_flops", "nb201_op_codes", "nb201_costs",
           "nb201_dataset_costs"]
