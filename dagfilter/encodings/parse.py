"""Guess the encoding of a user-supplied architecture and convert it.

:func:`parse_arch` is what the CLI and the query APIs use, so every encoding is accepted
everywhere: a :class:`Cell`, a NAS-Bench-201 string, an official index, a NASLib 6-tuple, a
list of 6 NAS-Bench-201 op names, a DARTS ``Genotype`` / NDS dict / JSON / ``Genotype(...)``
text, a networkx graph, or the path of a JSON file holding one of these (a search result's
``chosen_cell`` key is used if present).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Union

import networkx as nx
import numpy as np

from ..cell import Cell
from ..errors import CellFormatError
from ..genotypes import Genotype
from . import darts, graph, nb201

Arch = Union[Cell, Genotype]


def _looks_like_genotype(value: Any) -> bool:
    if isinstance(value, Mapping):
        return "normal" in value
    return all(hasattr(value, f) for f in ("normal", "normal_concat", "reduce", "reduce_concat"))


def parse_arch(value: Any) -> Arch:
    """Convert ``value`` to a :class:`Cell` (single-cell spaces) or a :class:`Genotype` (DARTS-like).

    Raises :class:`CellFormatError` naming the value when no encoding fits.
    """
    if isinstance(value, Cell):
        return value
    if isinstance(value, nx.DiGraph):
        return graph.from_networkx(value)
    if isinstance(value, Mapping) and "edges" in value:
        return _cell_from_dict(value)
    if _looks_like_genotype(value):
        return darts.to_genotype(value)
    if isinstance(value, (bool, np.bool_)):
        raise CellFormatError(f"not an architecture: {value!r}")
    if isinstance(value, (int, np.integer)):
        return nb201.from_index(int(value))
    if isinstance(value, Path):
        return _from_file(value)
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
        if len(items) == 6 and all(isinstance(v, str) for v in items):
            return nb201.from_ops(items)
        if len(items) == 6 and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
            return nb201.from_naslib(items)
        raise CellFormatError(
            f"a list must be 6 NAS-Bench-201 op names or NASLib's 6 op codes, got {items!r}"
        )
    raise CellFormatError(f"cannot read an architecture from {type(value).__name__}: {value!r}")


def _from_text(text: str) -> Arch:
    s = text.strip()
    if not s:
        raise CellFormatError("empty architecture string")
    if s.startswith("|"):
        return nb201.from_str(s)
    if s.startswith("{") or s.startswith("Genotype("):
        obj = darts.to_genotype(s) if s.startswith("Genotype(") else json.loads(s) if _is_json(s) else None
        if obj is None:
            raise CellFormatError(f"architecture JSON does not parse: {s[:80]!r}")
        return parse_arch(obj.get("chosen_cell", obj) if isinstance(obj, dict) else obj)
    if s.lstrip("-").isdecimal():
        return nb201.from_index(int(s))
    from ..genotypes import NAMED_GENOTYPES

    if s in NAMED_GENOTYPES:
        return NAMED_GENOTYPES[s]
    stripped = s.strip("()[] ")
    parts = [p.strip().strip("'\"") for p in stripped.split(",") if p.strip()]
    if len(parts) == 6 and all(p.isdecimal() for p in parts):
        return nb201.from_naslib([int(p) for p in parts])
    if len(parts) == 6 and all(p.isidentifier() for p in parts):
        return nb201.from_ops(parts)
    if s.endswith(".json") or Path(s).is_file():
        return _from_file(Path(s))
    raise CellFormatError(
        f"cannot read an architecture from {s[:80]!r}: expected a NAS-Bench-201 string '|op~0|+...', an index, "
        "6 NASLib op codes, 6 op names, a genotype (JSON, Genotype(...) or a name: DARTS_V1, DARTS_V2, DARTS), "
        "or a JSON file"
    )


def _cell_from_dict(d: Mapping[str, Any]) -> Cell:
    try:
        return Cell(int(d["num_nodes"]), tuple(tuple(e) for e in d["edges"]),
                    tuple(d.get("inputs", (0,))), int(d.get("output", -1)))
    except (KeyError, TypeError) as exc:
        raise CellFormatError(f"cell dict needs 'num_nodes' and 'edges' [[src, dst, op], ...]: {exc}") from None


def _is_json(s: str) -> bool:
    try:
        json.loads(s)
    except json.JSONDecodeError:
        return False
    return True


def _from_file(path: Path) -> Arch:
    if not path.is_file():
        raise CellFormatError(f"architecture file {str(path)!r} does not exist")
    try:
        obj = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CellFormatError(f"architecture file {str(path)!r} is not valid JSON: {exc}") from None
    if isinstance(obj, dict) and "chosen_cell" in obj:
        obj = obj["chosen_cell"]
    return parse_arch(obj)


def arch_to_json(arch: Arch) -> Any:
    """A JSON-able form of an architecture that :func:`parse_arch` reads back."""
    if isinstance(arch, Cell):
        if arch.is_nb201():
            return arch.to_nb201_str()
        return {"num_nodes": arch.num_nodes, "edges": [list(e) for e in arch.edges],
                "inputs": list(arch.inputs), "output": arch.output}
    return darts.genotype_to_json(arch)
