"""Guess the encoding of a user-supplied architecture and convert it.

:func:`parse_arch` is what the CLI and the query APIs use, so every encoding is accepted
everywhere: a :class:`Cell`, a NAS-Bench-201 string, an official index, a NASLib 6-tuple, a
list of 6 NAS-Bench-201 op names, a DARTS ``Genotype`` / NDS dict / JSON / ``Genotype(...)``
text, a networkx graph, or the path of a JSON file holding one of these (a search result's
``chosen_cell`` key is used if present).

Text (a CLI argument, a line of a list file, the content of a file) is classified once, by
:func:`classify_text`, into one of :data:`TEXT_KINDS`; an error names the kind that was tried.
Hostile input is bounded before any work: text longer than :data:`MAX_TEXT_CHARS`, files larger
than :data:`MAX_FILE_BYTES`, JSON nested deeper than :data:`MAX_JSON_DEPTH` and cells with more
than :data:`MAX_NODES` nodes or :data:`MAX_EDGES` edges are :class:`CellFormatError`\\ s.
"""
from __future__ import annotations

import json
import numbers
import os
from pathlib import Path
from typing import Any, Mapping, Union

import networkx as nx
import numpy as np

from ..cell import Cell
from ..errors import CellFormatError, DagFilterError, show
from ..genotypes import Genotype
from . import darts, graph, nb201
from .foreign import read_foreign

Arch = Union[Cell, Genotype]

from ..limits import MAX_EDGES, MAX_FILE_BYTES, MAX_JSON_DEPTH, MAX_NODES, MAX_TEXT_CHARS  # noqa: F401 (defined there)

TEXT_KINDS = ("NAS-Bench-201 string", "Genotype(...) text", "index", "genotype name", "NASLib op codes",
              "op names", "JSON", "file path")
"""The kinds :func:`classify_text` tells apart, in the order they are tried."""


def _where(value: Any) -> str:
    if isinstance(value, str) and len(value) > 90:
        return repr(value[:80]) + f"... ({len(value):,} chars)"
    return show(value)


def _looks_like_genotype(value: Any) -> bool:
    if isinstance(value, Mapping):
        return "normal" in value
    return all(hasattr(value, f) for f in ("normal", "normal_concat", "reduce", "reduce_concat"))


def parse_arch(value: Any) -> Arch:
    """Convert ``value`` to a :class:`Cell` (single-cell spaces) or a :class:`Genotype` (DARTS-like).

    Raises :class:`CellFormatError` naming the value (and, for text, the kind it was read as)
    when no encoding fits.
    """
    return _parse(value, unwrap=True)


def _parse(value: Any, unwrap: bool) -> Arch:
    if isinstance(value, Cell):
        return value
    if isinstance(value, nx.DiGraph):
        return graph.from_networkx(value)
    if isinstance(value, Mapping):
        if unwrap and "chosen_cell" in value and "edges" not in value and "normal" not in value:
            return _parse(value["chosen_cell"], unwrap=False)
        if "edges" in value:
            return _cell_from_dict(value)
    if _looks_like_genotype(value):
        _check_genotype_size(value)
        return darts.to_genotype(value)
    foreign = read_foreign(value)  # xautodl Structure (tostr), NASLib graphs/compact tuples, NNI dicts
    if foreign is not None:
        return foreign
    if isinstance(value, (bool, np.bool_)):
        raise CellFormatError(f"not an architecture: {value!r}")
    if isinstance(value, (int, np.integer)):
        return nb201.from_index(int(value))
    if isinstance(value, os.PathLike):
        return _from_file(Path(value))
    if isinstance(value, str):
        return _from_text(value, unwrap)
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value) if not isinstance(value, np.ndarray) or value.ndim == 1 else None
        if items is not None and len(items) == 6 and all(isinstance(v, str) for v in items):
            return nb201.from_ops(items)
        if items is not None and len(items) == 6 and all(
                isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in items):
            return nb201.from_naslib(items)
        raise CellFormatError(
            f"a list must be 6 NAS-Bench-201 op names or NASLib's 6 op codes, got {_where(value)}"
        )
    raise CellFormatError(f"cannot read an architecture from {type(value).__name__}: {_where(value)}")


# --------------------------------------------------------------------------- text
def classify_text(text: str) -> str:
    """Which of :data:`TEXT_KINDS` a piece of text is read as (the first rule that matches).

    ``|...`` is a NAS-Bench-201 string, ``Genotype(`` genotype text, an optional minus and digits
    an index, a registered name a genotype name, six comma-separated integers NASLib op codes, six
    comma-separated identifiers op names (brackets and quotes around them allowed), other text
    starting with ``{``/``[`` JSON, anything else a file path.
    """
    from ..genotypes import NAMED_GENOTYPES

    s = text.strip()
    if s.startswith("|"):
        return "NAS-Bench-201 string"
    if s.startswith("Genotype("):
        return "Genotype(...) text"
    if (s[1:] if s.startswith("-") else s).isdecimal():  # one optional minus ('--5' is not an index)
        return "index"
    if s in NAMED_GENOTYPES:
        return "genotype name"
    if len(s) < 400:
        parts = [p.strip().strip("'\"") for p in s.strip("()[] ").split(",") if p.strip()]
        if len(parts) == 6 and all(p.isdecimal() for p in parts):
            return "NASLib op codes"
        if len(parts) == 6 and all(p.isidentifier() for p in parts):
            return "op names"
    if s.startswith(("{", "[")):
        return "JSON"
    return "file path"


def _from_text(text: str, unwrap: bool = True) -> Arch:
    if len(text) > MAX_TEXT_CHARS:
        raise CellFormatError(f"architecture text of {len(text):,} characters is longer than the limit "
                              f"{MAX_TEXT_CHARS:,}: {_where(text)}")
    s = text.strip()
    if not s:
        raise CellFormatError("empty architecture string")
    kind = classify_text(s)
    try:
        return _read_kind(kind, s, unwrap)
    except DagFilterError as exc:
        if str(exc).startswith("read as "):
            raise
        import copy

        named = copy.copy(exc)  # same class and attributes; the message says how the text was read
        named.args = (f"read as {kind}: {exc}",)
        raise named from None


def _read_kind(kind: str, s: str, unwrap: bool) -> Arch:
    if kind == "NAS-Bench-201 string":
        return nb201.from_str(s)
    if kind == "JSON":
        return _parse(load_json_text(s, _where(s)), unwrap)
    if kind == "Genotype(...) text":
        if len(s) > MAX_TEXT_CHARS // 4:
            raise CellFormatError(f"Genotype(...) text is too long ({len(s):,} characters)")
        return darts.to_genotype(s)
    if kind in ("index", "NASLib op codes") and not s.isascii():
        raise CellFormatError(f"{kind} must be written with ASCII digits 0-9, got {_where(s)}")
    if kind == "index":
        digits = s.lstrip("-")
        if len(digits) > 18:
            from ..errors import IndexOutOfRangeError

            raise IndexOutOfRangeError(f"index {_where(s)} is outside 0..{nb201.NUM_ARCHS - 1}")
        return nb201.from_index(int(s))
    if kind == "genotype name":
        from ..genotypes import NAMED_GENOTYPES

        return NAMED_GENOTYPES[s]
    parts = [p.strip().strip("'\"") for p in s.strip("()[] ").split(",") if p.strip()]
    if kind == "NASLib op codes":
        return nb201.from_naslib([int(p) for p in parts])
    if kind == "op names":
        return nb201.from_ops(parts)
    if not unwrap:  # inside a result's 'chosen_cell': the architecture itself, never a file (no self-reference)
        raise CellFormatError(f"'chosen_cell' {_where(s)} is not an architecture; a file path there is not followed")
    return _from_file(Path(s), hint=True)


def json_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting of JSON text (brackets inside strings are ignored); linear time."""
    import re

    body = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    codes = np.frombuffer(body.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    step = (codes == ord("[")).astype(np.int64) + (codes == ord("{")) - (codes == ord("]")) - (codes == ord("}"))
    return int(np.cumsum(step).max(initial=0))


def load_json_text(text: str, where: str) -> Any:
    """``json.loads`` with the size and depth limits; NaN/Infinity literals are rejected."""
    if len(text) > MAX_TEXT_CHARS:
        raise CellFormatError(f"JSON in {where} has {len(text):,} characters, more than the limit {MAX_TEXT_CHARS:,}")
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise CellFormatError(f"JSON in {where} is nested {depth} levels deep, more than the limit {MAX_JSON_DEPTH}")

    def no_constant(name: str) -> Any:
        raise CellFormatError(f"JSON in {where} contains {name}, which is not a valid architecture value")

    try:
        return json.loads(text, parse_constant=no_constant)
    except CellFormatError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an integer of > 4,300 digits
        raise CellFormatError(f"JSON in {where} does not parse: {str(exc)[:120]}") from None


# --------------------------------------------------------------------------- dicts
def _int_field(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise CellFormatError(f"{what} must be an integer, got {_where(value)}")
    return int(value)


def _check_genotype_size(value: Any) -> None:
    for part in ("normal", "reduce"):
        pairs = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        if hasattr(pairs, "__len__") and not isinstance(pairs, (str, bytes)) and len(pairs) > 2 * MAX_NODES:
            raise CellFormatError(f"genotype {part!r} has {len(pairs):,} pairs, more than the limit {2 * MAX_NODES:,}")


def _cell_from_dict(d: Mapping[str, Any]) -> Cell:
    if "num_nodes" not in d:
        raise CellFormatError(f"cell dict needs 'num_nodes' and 'edges' [[src, dst, op], ...]; it has {sorted(map(str, d))!r}")
    n = _int_field(d["num_nodes"], "cell dict 'num_nodes'")
    if not 2 <= n <= MAX_NODES:
        raise CellFormatError(f"cell dict 'num_nodes' must be in 2..{MAX_NODES:,}, got {n}")
    edges = d["edges"]
    if isinstance(edges, (str, bytes, Mapping)) or not hasattr(edges, "__len__"):
        raise CellFormatError(f"cell dict 'edges' must be a list of [src, dst, op], got {_where(edges)}")
    if len(edges) > MAX_EDGES:
        raise CellFormatError(f"cell dict has {len(edges):,} edges, more than the limit {MAX_EDGES:,}")
    out = []
    for k, e in enumerate(edges):
        if isinstance(e, (str, bytes, Mapping)) or not hasattr(e, "__len__") or len(e) != 3:
            raise CellFormatError(f"cell dict edge {k} must be [src, dst, op], got {_where(e)}")
        out.append((_int_field(e[0], f"edge {k} source"), _int_field(e[1], f"edge {k} target"), e[2]))
    inputs = d.get("inputs", (0,))
    if isinstance(inputs, (str, bytes, Mapping)) or not hasattr(inputs, "__len__"):
        raise CellFormatError(f"cell dict 'inputs' must be a list of node ids, got {_where(inputs)}")
    ins = tuple(_int_field(i, "input node") for i in inputs)
    output = _int_field(d.get("output", -1), "cell dict 'output'")
    return Cell(n, tuple(out), ins, output)


# --------------------------------------------------------------------------- files
def read_text_file(path: Path, what: str = "architecture file") -> str:
    """The UTF-8 text of a user-named file, with every way it can fail as a :class:`DataError`-style
    :class:`CellFormatError` naming the path: missing, a folder, unreadable, too large, binary."""
    name = _where(str(path))
    try:
        if path.is_dir():
            raise CellFormatError(f"{what} {name} is a directory, not a file")
        if not path.is_file():
            raise CellFormatError(f"{what} {name} does not exist" if not path.exists()
                                  else f"{what} {name} is not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CellFormatError(f"{what} {name} has {size:,} bytes, more than the limit {MAX_FILE_BYTES:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise CellFormatError(f"cannot read {what} {name}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CellFormatError(f"{what} {name} is not UTF-8 text (byte {exc.start}): a binary file?") from None


def _from_file(path: Path, hint: bool = False) -> Arch:
    try:
        exists = path.exists()
    except (OSError, ValueError) as exc:
        raise CellFormatError(f"not a usable file name: {_where(str(path))} ({getattr(exc, 'strerror', None) or exc})") from None
    if not exists and hint:
        raise CellFormatError(
            f"cannot read an architecture from {_where(str(path))}: the file does not exist, and the text is not a NAS-Bench-201 string "
            "'|op~0|+...', an index, 6 NASLib op codes, 6 op names, a genotype (JSON, Genotype(...) or a name: "
            "DARTS_V1, DARTS_V2, DARTS) or JSON"
        )
    text = read_text_file(path)
    obj = load_json_text(text, f"architecture file {_where(str(path))}")
    return _parse(obj, unwrap=True)


def arch_to_json(arch: Arch) -> Any:
    """A JSON-able form of an architecture that :func:`parse_arch` reads back."""
    if isinstance(arch, Cell):
        if arch.is_nb201():
            return arch.to_nb201_str()
        return {"num_nodes": arch.num_nodes, "edges": [list(e) for e in arch.edges],
                "inputs": list(arch.inputs), "output": arch.output}
    return darts.genotype_to_json(arch)

