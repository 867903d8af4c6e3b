"""Candidate pools: a fixed list of cells (with or without measured accuracies) that a search draws from.

A pool turns a search in a space without a complete benchmark (DARTS) into a measured one: every
candidate a searcher can pick has a known accuracy, so the result reports the chosen cell's true
accuracy, its rank in the pool and the pool's best.

Pools:

* ``"darts725"``: the 725 DARTS-space cells of :func:`dagfilter.bench.load` ``("darts725")``
  (CIFAR-10 validation accuracy after full training, NAS-Bench-301 data);
* a JSON-lines file (``.jsonl`` / ``.json`` / ``.ndjson``): one cell per line, either a genotype
  object (``{"normal": ..., "normal_concat": ..., "reduce": ..., "reduce_concat": ...}``), a JSON
  string (any encoding :func:`~dagfilter.encodings.parse.parse_arch` reads, e.g. a NAS-Bench-201
  arch string), or ``{"arch": CELL, "accuracy": 93.1}`` (``genotype`` / ``cell`` are accepted for
  ``arch``, ``val_accuracy`` / ``acc`` for ``accuracy``; a genotype object may carry the
  accuracy key itself);
* a CSV file with a header: an ``arch`` / ``genotype`` / ``genotype_json`` / ``arch_str`` /
  ``cell`` column and optionally an ``accuracy`` / ``val_accuracy`` / ``acc`` column.

Blank lines and lines starting with ``#`` are skipped. Either every cell has an accuracy or none
does. A malformed line, a cell of another space, or a repeated cell is a
:class:`~dagfilter.errors.PoolFormatError` naming the file and line number. Limits, checked
before any line is parsed: a pool file holds at most :data:`MAX_POOL_BYTES` (16 MiB, the limit on
architecture and list files); a JSON line nests at most 32 levels (``MAX_JSON_DEPTH``); a CSV
field holds at most 131,072 characters (Python's ``csv`` limit); accuracies are finite numbers.

Genotypes are stored canonically (each node's two inputs sorted, as in the ``darts725`` table), so
a cell gets the same network - and the same proxy score - however its genotype was written.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .encodings.parse import MAX_JSON_DEPTH
from .errors import ConfigError, DagFilterError, PoolFormatError, show

ARCH_KEYS = ("arch", "genotype", "genotype_json", "arch_str", "cell")
ACC_KEYS = ("accuracy", "val_accuracy", "acc")
BUILTIN_POOLS = {"darts725": "darts"}
"""Built-in pool name -> its space."""
MAX_POOL_BYTES = 16 * 2 ** 20
"""Largest pool file read (checked before reading): the limit on architecture and list files."""


@dataclass(frozen=True, eq=False)
class Pool:
    """A fixed list of cells of one space, optionally with one accuracy each.

    Attributes:
        name: ``"darts725"`` or the file path.
        space: the space the cells belong to (``"darts"``, ``"nb201"``, ...).
        archs: the parsed cells (canonical genotypes / :class:`~dagfilter.cell.Cell`).
        keys: canonical cell strings (:func:`dagfilter.proxies.scoring.cell_key`).
        accuracies: ``float64`` accuracy per cell, or None when the pool has none.
        metric: what the accuracies are (e.g. ``"cifar10 valid (%)"``).
    """

    name: str
    space: str
    archs: tuple[Any, ...]
    keys: tuple[str, ...]
    accuracies: np.ndarray | None = None
    metric: str = ""
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.archs)

    @property
    def digest(self) -> str:
        """SHA-256 of the cell keys and accuracies (identifies the pool's content)."""
        h = hashlib.sha256("\n".join(self.keys).encode())
        if self.accuracies is not None:
            h.update(np.ascontiguousarray(self.accuracies, dtype="<f8").tobytes())
        return h.hexdigest()

    @property
    def best(self) -> float | None:
        """The pool's best accuracy (None without accuracies)."""
        return None if self.accuracies is None else float(np.max(self.accuracies))

    def describe(self) -> dict[str, Any]:
        """JSON-able description recorded in a search result's config."""
        return {"name": self.name, "space": self.space, "size": len(self), "metric": self.metric or None,
                "has_accuracies": self.accuracies is not None, "best": self.best, "sha256": self.digest[:16]}

    def rank(self, row: int) -> int | None:
        """Rank of a row's accuracy in the pool (1 = best; ties share the better rank)."""
        if self.accuracies is None:
            return None
        return int(np.sum(self.accuracies > self.accuracies[int(row)])) + 1

    def outcome(self, row: int | None) -> dict[str, Any]:
        """What a search that chose ``row`` achieved: accuracy, rank, the pool's best, regret."""
        out: dict[str, Any] = {"pool": self.name, "size": len(self), "row": row, "metric": self.metric or None,
                               "accuracy": None, "rank": None, "best": self.best, "regret": None}
        if row is not None and self.accuracies is not None:
            acc = float(self.accuracies[int(row)])
            out.update(accuracy=acc, rank=self.rank(row), regret=float(self.best - acc))  # type: ignore[operator]
        return out

    def rows_of(self, archs: Sequence[Any]) -> np.ndarray:
        """Pool rows of cells (the pool's own objects, or any encoding of a pool cell).

        Raises:
            ConfigError: a cell that is not in the pool.
        """
        if "by_id" not in self._memo:
            self._memo["by_id"] = {id(a): r for r, a in enumerate(self.archs)}
            self._memo["by_key"] = {k: r for r, k in enumerate(self.keys)}
        by_id, by_key = self._memo["by_id"], self._memo["by_key"]
        out = np.empty(len(archs), dtype=np.int64)
        for i, a in enumerate(archs):
            r = by_id.get(id(a))
            if r is None or self.archs[r] is not a:
                r = by_key.get(_canonical(a)[1])
                if r is None:
                    raise ConfigError(f"cell {a!r} is not in the pool {self.name!r}")
            out[i] = r
        return out

    def mask(self, flt: Any) -> np.ndarray:
        """Boolean mask of the cells a :class:`~dagfilter.filter.DAGFilter` accepts (computed once per filter)."""
        key = (tuple(flt.center), tuple(flt.radius), flt.fraction, flt.part)
        if key not in self._memo:
            m = flt.mask(list(self.archs))
            m.setflags(write=False)
            self._memo[key] = m
        return self._memo[key]


def _canonical(arch: Any) -> tuple[Any, str]:
    """``(parsed cell, cell key)``; genotypes are put in canonical form first."""
    from .bench.build import canonical_genotype_json
    from .encodings.parse import parse_arch
    from .genotypes import Genotype
    from .proxies.scoring import cell_key

    a = parse_arch(arch)
    if isinstance(a, Genotype):
        a = parse_arch(json.loads(canonical_genotype_json(a)))
    return a, cell_key(a)[0]


def _check_space(arch: Any, space: Any, where: str) -> None:
    try:
        space.cell_of(arch)
    except DagFilterError as exc:
        raise PoolFormatError(f"{where}: not a cell of space {space.name!r} ({exc})") from None


def from_cells(cells: Sequence[Any], space: str, accuracies: Sequence[float] | None = None, name: str = "cells",
               metric: str = "") -> Pool:
    """A pool from cells in memory (any encoding), optionally with their accuracies.

    Raises:
        PoolFormatError: a cell that does not parse or is not of ``space``, a repeated cell, or an
            accuracy list of another length.
    """
    from .spaces import get_space

    sp = get_space(space)
    archs, keys, seen = [], [], {}
    for k, c in enumerate(cells):
        where = f"{name}: cell {k}"
        try:
            a, key = _canonical(c)
        except DagFilterError as exc:
            raise PoolFormatError(f"{where}: {exc}") from None
        _check_space(a, sp, where)
        if key in seen:
            raise PoolFormatError(f"{where} repeats cell {seen[key]}")
        seen[key] = k
        archs.append(a)
        keys.append(key)
    if not archs:
        raise PoolFormatError(f"{name}: the pool holds no cells")
    acc = None
    if accuracies is not None:
        acc = np.asarray(accuracies, dtype=np.float64)
        if acc.shape != (len(archs),):
            raise PoolFormatError(f"{name}: {len(archs)} cells but {acc.shape[0] if acc.ndim else 0} accuracies")
        if not np.isfinite(acc).all():
            raise PoolFormatError(f"{name}: accuracy of cell {int(np.flatnonzero(~np.isfinite(acc))[0])} "
                                  "is not a finite number")
        acc.setflags(write=False)
    return Pool(name, sp.name, tuple(archs), tuple(keys), acc, metric)


def _darts725() -> Pool:
    from . import bench
    from .encodings.parse import parse_arch

    b = bench.load("darts725")
    keys = [k.decode() if isinstance(k, bytes) else str(k) for k in b._cols["genotype"].tolist()]
    archs = tuple(parse_arch(json.loads(k)) for k in keys)
    from .proxies.scoring import cell_key

    acc = np.asarray(b._cols["val_accuracy"], dtype=np.float64).copy()
    acc.setflags(write=False)
    return Pool("darts725", "darts", archs, tuple(cell_key(a)[0] for a in archs), acc, "cifar10 valid (%)")


_BUILTIN_CACHE: dict[str, Pool] = {}


def load_pool(spec: "str | os.PathLike[str] | Pool", space: str | None = None) -> Pool:
    """A pool by name (``"darts725"``) or file path (JSON lines or CSV); a :class:`Pool` is returned as is.

    Args:
        spec: the pool.
        space: the space its cells must belong to (default: ``darts`` for ``darts725``; for a file,
            ``darts`` when the first cell is a genotype, else ``nb201``).

    Raises:
        ConfigError: unknown pool name, or a pool of another space than ``space``.
        PoolFormatError: a missing file or a malformed line (naming it).
    """
    if not isinstance(spec, (str, os.PathLike, Pool)):
        raise ConfigError(f"a pool is a name ({', '.join(BUILTIN_POOLS)}), a file path or a Pool, got {show(spec)}")
    if isinstance(spec, Pool):
        pool = spec
    elif str(spec) in BUILTIN_POOLS:
        name = str(spec)
        if name not in _BUILTIN_CACHE:
            _BUILTIN_CACHE[name] = _darts725()
        pool = _BUILTIN_CACHE[name]
    else:
        path = Path(spec)
        if not _is_file(path, ConfigError, "pool"):
            raise ConfigError(f"unknown pool {show(str(spec))}: not a built-in pool ({', '.join(BUILTIN_POOLS)}) "
                              "and no such file")
        pool = read_pool_file(path, space)
    if space is not None and pool.space != space:
        raise ConfigError(f"pool {pool.name!r} holds cells of space {pool.space!r}, not {space!r}")
    return pool


def _is_file(path: Path, error: type, what: str) -> bool:
    """``path.is_file()``, with an unusable name (too long, NUL byte, no permission) as ``error``."""
    try:
        return path.is_file()
    except (OSError, ValueError) as exc:
        raise error(f"{what} path {show(str(path))} is not usable: {getattr(exc, 'strerror', None) or exc}") from None


def _number(value: Any, where: str) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise PoolFormatError(f"{where}: accuracy {value!r} is not a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise PoolFormatError(f"{where}: accuracy {show(value)} is not a number") from None
    except OverflowError:
        raise PoolFormatError(f"{where}: accuracy {show(value)} is too large to be a float") from None
    if not np.isfinite(x):
        raise PoolFormatError(f"{where}: accuracy {show(value)} is not a finite number")
    return x


def _rows_jsonl(path: Path) -> list[tuple[int, Any, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            where = f"{path}:{lineno}"
            depth = _json_depth(text)
            if depth > MAX_JSON_DEPTH:
                raise PoolFormatError(f"{where}: JSON nested more than {MAX_JSON_DEPTH} levels deep (the limit; a "
                                      "genotype needs 3)")
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise PoolFormatError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            except (ValueError, RecursionError) as exc:  # an integer of > 4,300 digits
                raise PoolFormatError(f"{where}: not readable JSON ({show(str(exc))[1:-1]})") from None
            acc = None
            if isinstance(obj, dict):
                acc_key = next((k for k in ACC_KEYS if k in obj), None)
                acc = obj.get(acc_key) if acc_key else None
                arch_key = next((k for k in ARCH_KEYS if k in obj), None)
                if arch_key is not None:
                    obj = obj[arch_key]
                elif "normal" in obj:
                    obj = {k: v for k, v in obj.items() if k not in ACC_KEYS}
                else:
                    raise PoolFormatError(f"{where}: an object needs a genotype ('normal', ...) or one of the keys "
                                          f"{', '.join(ARCH_KEYS)}; got keys {sorted(obj)}")
            rows.append((lineno, obj, acc))
    return rows


def _json_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting of JSON text (brackets inside strings not counted), without
    parsing it: a line of 100,000 ``[`` is refused before the parser recurses. (When the text
    has at most ``MAX_JSON_DEPTH`` brackets, their count - a bound on the depth - is returned.)"""
    openers = text.count("[") + text.count("{")
    if openers <= MAX_JSON_DEPTH:
        return openers
    depth = deepest = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _csv_records(path: Path, reader: Any) -> Any:
    """``reader``'s records; a CSV error (a field over the csv module's limit, a NUL byte) is a
    :class:`PoolFormatError` naming the line."""
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise PoolFormatError(f"{path}:{reader.line_num}: not readable CSV ({exc})") from None
        yield fields


def _rows_csv(path: Path) -> list[tuple[int, Any, Any]]:
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header: list[str] | None = None
        arch_col = acc_col = None
        for fields in _csv_records(path, reader):
            lineno = reader.line_num
            if not fields or not "".join(fields).strip() or fields[0].lstrip().startswith("#"):
                continue
            where = f"{path}:{lineno}"
            if header is None:
                header = [f.strip() for f in fields]
                arch_col = next((header.index(k) for k in ARCH_KEYS if k in header), None)
                acc_col = next((header.index(k) for k in ACC_KEYS if k in header), None)
                if arch_col is None:
                    raise PoolFormatError(f"{where}: the CSV header needs a cell column "
                                          f"({', '.join(ARCH_KEYS)}); got {header}")
                continue
            if len(fields) != len(header):
                raise PoolFormatError(f"{where}: {len(fields)} fields, the header has {len(header)}")
            arch = fields[arch_col].strip()  # type: ignore[index]
            acc = fields[acc_col].strip() if acc_col is not None else None
            rows.append((lineno, arch, acc if acc != "" else None))
    return rows


def read_pool_file(path: "str | os.PathLike[str]", space: str | None = None) -> Pool:
    """Read a JSON-lines or CSV pool file (see the module docstring for the format).

    Raises:
        PoolFormatError: unreadable file, malformed line, wrong space, repeated cell, or accuracies
            on some lines but not others - each naming the file and line.
    """
    from .genotypes import Genotype
    from .spaces import get_space

    if not isinstance(path, (str, os.PathLike)):
        raise PoolFormatError(f"a pool file is a path, got {show(path)}")
    p = Path(path)
    if not _is_file(p, PoolFormatError, "pool file"):
        raise PoolFormatError(f"pool file {show(str(p))} does not exist")
    try:
        size = p.stat().st_size
        if size > MAX_POOL_BYTES:
            raise PoolFormatError(f"pool file {show(str(p))} has {size:,} bytes, more than the limit "
                                  f"{MAX_POOL_BYTES:,} (dagfilter.pools.MAX_POOL_BYTES)")
        rows = _rows_csv(p) if p.suffix.lower() == ".csv" else _rows_jsonl(p)
    except UnicodeDecodeError as exc:
        raise PoolFormatError(f"{p}: not a UTF-8 text file ({exc})") from None
    except OSError as exc:
        raise PoolFormatError(f"cannot read pool file {show(str(p))}: {exc.strerror or exc}") from None
    if not rows:
        raise PoolFormatError(f"{p}: the pool holds no cells")
    archs, keys, accs, seen = [], [], [], {}
    sp = None
    with_acc = rows[0][2] is not None
    for lineno, obj, acc in rows:
        where = f"{p}:{lineno}"
        try:
            a, key = _canonical(obj)
        except DagFilterError as exc:
            raise PoolFormatError(f"{where}: {exc}") from None
        except RecursionError:
            raise PoolFormatError(f"{where}: the cell is nested too deeply to read") from None
        if sp is None:
            sp = get_space(space or ("darts" if isinstance(a, Genotype) else "nb201"))
        _check_space(a, sp, where)
        if key in seen:
            raise PoolFormatError(f"{where}: repeats the cell of line {seen[key]}")
        if (acc is not None) != with_acc:
            raise PoolFormatError(f"{where}: {'lacks an accuracy' if with_acc else 'has an accuracy'} while line "
                                  f"{rows[0][0]} {'has one' if with_acc else 'has none'} (give all or none)")
        seen[key] = lineno
        archs.append(a)
        keys.append(key)
        if with_acc:
            accs.append(_number(acc, where))
    acc_arr = None
    if with_acc:
        acc_arr = np.asarray(accs, dtype=np.float64)
        acc_arr.setflags(write=False)
    assert sp is not None
    return Pool(str(p), sp.name, tuple(archs), tuple(keys), acc_arr, "accuracy (from the pool file)" if with_acc else "")


__all__ = ["Pool", "PoolFormatError", "load_pool", "read_pool_file", "from_cells", "BUILTIN_POOLS"]
