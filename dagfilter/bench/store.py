"""The compact, version-stamped, checksummed table format (``.npz``, no pickles).

A table file is an uncompressed NumPy ``.npz`` archive (uncompressed loads 3x faster; ~3 MB):

* ``__meta__``: UTF-8 JSON (as a ``uint8`` array) with ``format``, ``format_version``,
  ``benchmark``, ``num_rows``, ``columns`` and free provenance fields, plus ``sha256``;
* one array per column, every one ``num_rows`` long.

``sha256`` covers every column's name, dtype, shape and bytes, so a file that was
truncated, edited or mixed with another table fails :func:`read_table` with a
:class:`~dagfilter.errors.BenchmarkError` instead of answering wrong figures.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import BenchmarkError

FORMAT = "dagfilter-bench-table"
FORMAT_VERSION = 1
META_KEY = "__meta__"
PACKAGE = "benchmarks_data"


def columns_digest(columns: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the columns (sorted by name): name, dtype, shape and raw bytes."""
    h = hashlib.sha256()
    for name in sorted(columns):
        arr = np.ascontiguousarray(columns[name])
        h.update(name.encode())
        h.update(str(arr.dtype).encode())
        h.update(repr(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def write_table(path: "str | os.PathLike[str]", columns: Mapping[str, np.ndarray], meta: Mapping[str, Any],
                notify: "Callable[[str], None] | None" = None) -> str:
    """Write a table; returns its checksum. ``meta`` must name ``benchmark``.

    The file is written to a temporary name and renamed (:func:`dagfilter.outfiles.write_output`),
    so an interrupted write never leaves a half-written table behind and a symbolic link at
    ``path`` is replaced, not followed; ``notify`` hears when an existing file is replaced.
    """
    if "benchmark" not in meta:
        raise BenchmarkError("table metadata must name its 'benchmark'")
    if META_KEY in columns:
        raise BenchmarkError(f"column name {META_KEY!r} is reserved")
    lengths = {name: len(np.asarray(col)) for name, col in columns.items()}
    if len(set(lengths.values())) > 1:
        raise BenchmarkError(f"table columns differ in length: {lengths}")
    for name, col in columns.items():
        if np.asarray(col).dtype == object:
            raise BenchmarkError(f"column {name!r} has dtype object; store numbers or fixed-width strings")
    full = dict(meta)
    full.update(format=FORMAT, format_version=FORMAT_VERSION, num_rows=next(iter(lengths.values()), 0),
                columns=sorted(columns), sha256=columns_digest(columns))
    blob = np.frombuffer(json.dumps(full, sort_keys=True).encode(), dtype=np.uint8)
    from ..outfiles import write_output

    buf = io.BytesIO()
    np.savez(buf, **{META_KEY: blob}, **{k: np.asarray(v) for k, v in columns.items()})
    write_output(path, buf.getvalue(), "table file", notify=notify)
    return full["sha256"]


def _open_bytes(source: "str | os.PathLike[str]", shipped: bool) -> tuple[bytes, str]:
    text = os.fspath(source)
    if not shipped:
        p = Path(text)
        if not p.is_file():
            raise BenchmarkError(f"benchmark table {text!r} does not exist")
        return p.read_bytes(), text
    try:
        ref = resources.files(PACKAGE).joinpath(text)
        return ref.read_bytes(), f"{PACKAGE}/{text}"
    except (FileNotFoundError, ModuleNotFoundError):
        raise BenchmarkError(
            f"the shipped benchmark table {PACKAGE}/{text} is missing from this installation; "
            "rebuild it with 'python scripts/build_benchmarks_data.py' or reinstall dagfilter") from None


def read_table(source: "str | os.PathLike[str]", benchmark: "str | None" = None,
               verify: bool = True, shipped: bool = False) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a table file.

    Args:
        source: path of an ``.npz`` table, or (``shipped=True``) the file name of a table
            shipped in the ``benchmarks_data`` package.
        benchmark: if given, the table must be for this benchmark.
        verify: recompute the checksum (a few ms); leave on unless you just did.

    Returns:
        ``(meta, columns)``.

    Raises:
        BenchmarkError: missing, corrupted, of another format version or benchmark.
    """
    raw, label = _open_bytes(source, shipped)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            if META_KEY not in npz.files:
                raise BenchmarkError(f"{label} is not a dagfilter benchmark table (no {META_KEY} entry)")
            meta = json.loads(npz[META_KEY].tobytes().decode())
            columns = {name: npz[name] for name in npz.files if name != META_KEY}
    except BenchmarkError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, UnicodeDecodeError,
            json.JSONDecodeError) as exc:
        raise BenchmarkError(f"benchmark table {label} is corrupted or not an .npz table: {exc}") from None
    if meta.get("format") != FORMAT:
        raise BenchmarkError(f"{label} has format {meta.get('format')!r}, expected {FORMAT!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise BenchmarkError(
            f"{label} has table format version {meta.get('format_version')!r}; this dagfilter reads version "
            f"{FORMAT_VERSION}. Rebuild it (scripts/build_benchmarks_data.py or 'dagfilter data import').")
    if benchmark is not None and meta.get("benchmark") != benchmark:
        raise BenchmarkError(f"{label} holds benchmark {meta.get('benchmark')!r}, not {benchmark!r}")
    if sorted(columns) != sorted(meta.get("columns", [])):
        raise BenchmarkError(f"{label}: columns {sorted(columns)} do not match its metadata")
    if verify and columns_digest(columns) != meta.get("sha256"):
        raise BenchmarkError(f"benchmark table {label} failed its checksum (corrupted or edited); rebuild it")
    for name, col in columns.items():
        if len(col) != meta.get("num_rows"):
            raise BenchmarkError(f"{label}: column {name!r} has {len(col)} rows, metadata says {meta.get('num_rows')}")
    return meta, columns


__all__ = ["FORMAT", "FORMAT_VERSION", "columns_digest", "write_table", "read_table"]
