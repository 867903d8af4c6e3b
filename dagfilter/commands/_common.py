"""Helpers shared by CLI commands (output formatting, architecture arguments)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

HELP_FORMATTER = argparse.RawDescriptionHelpFormatter


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON to stdout."""
    json.dump(obj, sys.stdout, indent=2, default=_default)
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
    """Architectures from CLI values and an optional file of one architecture per line."""
    from pathlib import Path

    from ..errors import DataError

    items: list[Any] = list(values)
    if indices_file:
        path = Path(indices_file)
        if not path.is_file():
            raise DataError(f"architecture list file {indices_file!r} does not exist")
        items += [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return items
