"""Reading pickles without running code from them: one restricted unpickler for every pickle
dagfilter opens (CIFAR / ImageNet16 batches, official NATS-Bench ``.pickle.pbz2`` files).

A pickle may name any importable callable (``os.system``, ``eval``, ``subprocess.Popen`` ...) and
plain :func:`pickle.load` calls it. :class:`RestrictedUnpickler` resolves only the
``(module, name)`` pairs of an explicit allow-list and raises the caller's error class, naming the
file and the refused global, for anything else. Dicts, lists, tuples, sets, strings, bytes,
numbers, booleans and ``None`` need no global at all and are always read.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

from .errors import DagFilterError, show

NUMPY_GLOBALS = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
})
"""numpy arrays, dtypes and scalars: the data-only numpy globals a pickle needs."""

NATS_GLOBALS = NUMPY_GLOBALS | frozenset({
    ("collections", "OrderedDict"),
    ("builtins", "set"), ("builtins", "frozenset"),
})
"""What an official NATS-Bench topology file may name. Its content is the ``state_dict()`` of
``nats_bench``'s ``ArchResults`` / ``ResultsCount`` objects - plain dicts, lists, tuples,
strings and numbers (``train_times`` may be an ``OrderedDict``; figures may be numpy scalars) -
never the classes themselves. Weights (torch tensors, in the ``-full`` archives) are refused."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals in ``allowed``.

    Args:
        fh: binary file object positioned at the pickle.
        path: the file's name, for messages.
        allowed: ``(module, name)`` pairs the pickle may name.
        what: how messages call the file (``"data file"``).
        kind: what the file should be, for messages (``"a data-set batch"``).
        error: the :class:`DagFilterError` subclass to raise on a refused global.
        advice: optional ``{top-level module: sentence}`` appended to a refusal of that module's globals.
    """

    def __init__(self, fh: IO[bytes], path: "str | Path", allowed: Iterable[tuple[str, str]], what: str,
                 kind: str, error: type[DagFilterError] = DagFilterError,
                 advice: "Mapping[str, str] | None" = None) -> None:
        super().__init__(fh, encoding="latin1")
        self.path = Path(path)
        self.allowed = frozenset(allowed)
        self.what = what
        self.kind = kind
        self.error = error
        self.advice = dict(advice or {})

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            hint = self.advice.get(module.split(".", 1)[0], "")
            tail = f" {hint}" if hint else ""
            raise self.error(
                f"{self.what} {str(self.path)!r} asks to load {show(module)[1:-1]}.{show(name)[1:-1]}, which "
                f"{self.kind} never needs; refusing it (only "
                f"{_describe(self.allowed)} are read from this pickle, so the file cannot run code).{tail}")
        return super().find_class(module, name)


def _describe(allowed: frozenset) -> str:
    kinds = ["dicts, lists, tuples, strings, bytes and numbers"]
    if any(m.startswith("numpy") for m, _ in allowed):
        kinds.append("numpy arrays/scalars")
    if ("collections", "OrderedDict") in allowed:
        kinds.append("OrderedDicts")
    return ", ".join(kinds)


def restricted_load(fh: IO[bytes], path: "str | Path", allowed: Iterable[tuple[str, str]], what: str,
                    kind: str, error: type[DagFilterError] = DagFilterError,
                    advice: "Mapping[str, str] | None" = None) -> Any:
    """Unpickle one object from ``fh`` through :class:`RestrictedUnpickler`; a refused global is
    ``error``, any other failure (truncated file, not a pickle, bad opcode, too deep) is ``error``
    too, naming the file."""
    try:
        return RestrictedUnpickler(fh, path, allowed, what, kind, error, advice).load()
    except DagFilterError:
        raise
    except FileNotFoundError:
        raise error(f"{what} {str(path)!r} does not exist") from None
    except MemoryError:
        raise error(f"{what} {str(path)!r} does not fit in memory") from None
    except Exception as exc:  # noqa: BLE001 - truncated / not a pickle / wrong protocol / bad bz2 stream
        raise error(f"{what} {str(path)!r} is not a readable pickle: {type(exc).__name__}: "
                    f"{show(str(exc))[1:-1]}") from None


__all__ = ["RestrictedUnpickler", "restricted_load", "NUMPY_GLOBALS", "NATS_GLOBALS"]
