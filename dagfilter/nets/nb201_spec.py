"""The NAS-Bench-201 cell and macro-skeleton checks, without PyTorch.

The op names and edge order are the encoding's own (:mod:`dagfilter.encodings.nb201`).

Shared by the PyTorch networks (:mod:`.nb201`, :mod:`.ops_nb201`) and the closed-form counters
(:mod:`.nb201_counts`), so that counting parameters or FLOPs never imports torch.
"""
from __future__ import annotations

from typing import Sequence

from ..encodings.nb201 import NB201_EDGES
from ..encodings.nb201 import NB201_OPS as NB201_OP_NAMES
from ..errors import CellFormatError, ConfigError, UnknownOpError


def check_nb201_ops(ops: Sequence[str]) -> tuple[str, ...]:
    """Validate 6 NAS-Bench-201 op names and return them as a tuple.

    Raises:
        CellFormatError: ``ops`` is a string or does not hold exactly 6 names.
        UnknownOpError: a name is not a NAS-Bench-201 operation.
    """
    if isinstance(ops, (str, bytes)):
        raise CellFormatError(
            f"expected a sequence of 6 NAS-Bench-201 op names, got the string {ops!r} "
            "(parse arch strings with dagfilter.cell.Cell.from_nb201_str)")
    try:
        ops = tuple(ops)
    except TypeError:
        raise CellFormatError(f"expected a sequence of 6 NAS-Bench-201 op names, got {ops!r}") from None
    if len(ops) != len(NB201_EDGES):
        raise CellFormatError(
            f"a NAS-Bench-201 cell has {len(NB201_EDGES)} edges, got {len(ops)} op names: {ops!r}")
    for op in ops:
        if not isinstance(op, str) or op not in NB201_OP_NAMES:
            raise UnknownOpError(op, list(NB201_OP_NAMES), where="NAS-Bench-201 cell")
    return ops


def check_macro(num_classes: int, C: int, N: int) -> None:
    """Validate the macro-skeleton hyper-parameters (positive integers)."""
    for name, value in (("num_classes", num_classes), ("C", C), ("N", N)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")


__all__ = ["NB201_OP_NAMES", "NB201_EDGES", "check_nb201_ops", "check_macro"]
