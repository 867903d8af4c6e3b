"""Command-line entry point: ``dagfilter <command> ...``.

The CLI is a thin layer over the Python API. Each sub-command lives in its own module under
:mod:`dagfilter.commands`; a module there that defines ``register(subparsers)`` is picked up
automatically, so new commands need no edit here. ``register`` adds a parser whose
``func`` default is called with the parsed namespace and returns an exit code.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from . import __version__
from .errors import DagFilterError


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="dagfilter",
        description="Effective depth/width filtering for neural architecture search.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'dagfilter COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"dagfilter {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 for bad input, 130 on Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except DagFilterError as exc:
        print(f"dagfilter {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"dagfilter {args.command}: interrupted; finished work is saved.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
