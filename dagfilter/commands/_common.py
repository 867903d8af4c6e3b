"""Helpers shared by CLI commands (output formatting, architecture arguments)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

HELP_FORMATTER = argparse.RawDescriptionHelpFormatter


def dpi_value(text: str) -> int:
    """argparse type of ``--dpi``: an integer in 20..2400 (smaller values break font rendering,
    larger ones allocate gigabytes)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid dpi {text!r}: not an integer") from None
    if not 20 <= v <= 2400:
        raise argparse.ArgumentTypeError(f"invalid dpi {text!r}: use 20..2400")
    return v


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented, strict JSON to stdout: a non-finite number becomes ``null`` plus a
    ``"<key>_status"`` field (see :mod:`dagfilter.jsonio`)."""
    from ..jsonio import strict

    json.dump(strict(obj), sys.stdout, indent=2, default=_default, allow_nan=False)
    sys.stdout.write("\n")


def _default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if hasattr(o, "to_dict"):
        return o.to_dict()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def read_arch_list(values: list[str], indices_file: str | None = None) -> list[Any]:
    """Architectures from CLI values and an optional file of one architecture per line.

    The file is read through :func:`dagfilter.encodings.parse.read_text_file` (missing, folder,
    binary, over-large files are clean errors naming the path); blank lines and ``#`` comments
    are skipped. The values stay text: :func:`~dagfilter.encodings.parse.parse_arch` classifies
    each one later.
    """
    from pathlib import Path

    from ..encodings.parse import read_text_file

    items: list[Any] = list(values)
    if indices_file:
        text = read_text_file(Path(indices_file), "architecture list file")
        items += [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return items


def filter_fraction(text: str) -> "float | str":
    """``--filter`` value: a window fraction (a number >= 0) or ``default`` (the space's recommended
    window, :meth:`dagfilter.DAGFilter.recommended`)."""
    if text.strip().lower() == "default":
        return "default"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a window fraction or 'default', got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"the window fraction must be >= 0, got {text!r}")
    return value


def add_window_options(p: argparse.ArgumentParser, what: str) -> None:
    """``--filter FRACTION|default``, ``--window FAMILY`` and ``--part`` (shared by search and rank)."""
    p.add_argument("--filter", type=filter_fraction, default=None, metavar="FRACTION",
                   help=f"{what} with this window fraction (paper: 0.5), or 'default' for the space's "
                        "recommended window (DARTS: the authors' code's range at 0.25, picked on the 725 measured "
                        "cells; docs/results/darts.md); default: no filter")
    p.add_argument("--window", choices=["space", "paper", "code"], default=None,
                   help="window family for a numeric --filter: derived from the space (default), the paper's "
                        "published window, or the authors' code's range (DARTS)")
    p.add_argument("--part", choices=["normal", "reduce", "both"], default="normal",
                   help="which cell of a genotype the window judges (default normal)")


def make_filter(args: argparse.Namespace) -> Any:
    """The DAG filter the window options ask for, or None."""
    from ..filter import DAGFilter

    if args.filter is None:
        return None
    if args.filter == "default":
        if args.window is not None or args.part != "normal":
            from ..errors import ConfigError

            raise ConfigError("--filter default is one fixed window; do not combine it with --window or --part")
        return DAGFilter.recommended(args.space)
    return DAGFilter.family(args.window or "space", args.space, args.filter, args.part)
