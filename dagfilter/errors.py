"""One exception family for everything dagfilter rejects.

Every error raised for bad user input derives from :class:`DagFilterError` (itself a
``ValueError``), and its message names the offending value.
"""
from __future__ import annotations

import reprlib

_REPR = reprlib.Repr()
_REPR.maxlevel = 4
_REPR.maxstring = 160
_REPR.maxother = 80
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 8


def show(value: object) -> str:
    """A short ``repr`` of a (possibly huge, deeply nested or hostile) value for error messages:
    bounded length and nesting, never a RecursionError. The one helper for quoting user values in
    errors: a long string shows its first 80 characters and its length."""
    if isinstance(value, int) and value.bit_length() > 3000:
        return f"an integer of {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, (str, bytes)) and len(value) > _REPR.maxstring:  # the start, and how long it was
        return repr(value[:80]) + f"... ({len(value):,} {'chars' if isinstance(value, str) else 'bytes'})"
    try:
        return _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        return f"<{type(value).__name__} object>"


class DagFilterError(ValueError):
    """Base class of all dagfilter input errors."""


class CellFormatError(DagFilterError):
    """A cell encoding (string, tuple, genotype, matrix) is malformed."""


class UnknownOpError(DagFilterError):
    """An operation name is not in the op registry."""

    def __init__(self, op: object, known: "list[str] | None" = None, where: str = "", advice: str = "") -> None:
        self.op = op
        hint = ""
        if known:
            hint = f"; known ops: {', '.join(sorted(map(str, known)))}"
        loc = f" in {where}" if where else ""
        tail = f". {advice}" if advice else ""
        super().__init__(f"unknown op {show(op)}{loc}{hint}{tail}")


class GraphError(DagFilterError):
    """A cell graph is structurally invalid (cycle, edge into an input, no output, ...)."""


class IndexOutOfRangeError(DagFilterError, IndexError):
    """An architecture index is outside the space."""


class SpaceError(DagFilterError):
    """An unknown search space, or an operation a space does not support."""


class DataError(DagFilterError):
    """A data directory or data file is missing or malformed."""


class BenchmarkError(DagFilterError):
    """A benchmark table is missing, corrupted, or lacks the requested figure."""


class ConfigError(DagFilterError):
    """A run configuration is inconsistent or names an unknown component."""


class PoolFormatError(DagFilterError):
    """A candidate pool file is malformed; the message names the file and the line."""
