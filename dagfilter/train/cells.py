"""Turn the CELL argument of a training run into an architecture and its network family.

Accepted: anything :func:`dagfilter.encodings.parse.parse_arch` reads (a NAS-Bench-201 string
or index, a :class:`~dagfilter.cell.Cell`, a DARTS genotype as ``Genotype``, NDS JSON dict or
JSON text, or the path of a JSON file, whose ``chosen_cell`` key is used when present), plus
the names of the well-known genotypes in :mod:`dagfilter.genotypes` (``DARTS_V1``,
``DARTS_V2``, ``DARTS``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Union

from .. import genotypes
from ..cell import Cell
from ..encodings.parse import arch_to_json, parse_arch
from ..errors import CellFormatError
from ..genotypes import Genotype

Arch = Union[Cell, Genotype]

NAMED_GENOTYPES = genotypes.NAMED_GENOTYPES


def parse_cell_arg(value: Any) -> tuple[str, Arch]:
    """Return ``(space, arch)``: ``('nb201', Cell)`` or ``('darts', Genotype)``.

    Raises:
        CellFormatError / UnknownOpError: the value is not a readable architecture, or a
            single cell that is not a NAS-Bench-201 cell (no network can be built for it).
    """
    if isinstance(value, str) and value.strip() in NAMED_GENOTYPES:
        return "darts", NAMED_GENOTYPES[value.strip()]
    if isinstance(value, str) and value.strip().endswith(".json") and not Path(value.strip()).is_file():
        raise CellFormatError(f"cell file {value.strip()!r} does not exist")
    arch = parse_arch(value)
    if isinstance(arch, Cell):
        if not arch.is_nb201():
            raise CellFormatError(f"cell {arch!r} is not a NAS-Bench-201 cell; only NAS-Bench-201 "
                                  "cells and DARTS genotypes can be trained")
        return "nb201", arch
    return "darts", arch


def cell_to_json(arch: Arch) -> Any:
    """JSON form (NB201 string or NDS genotype dict) that :func:`parse_cell_arg` reads back."""
    return arch_to_json(arch)
