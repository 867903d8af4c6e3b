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
from typing import NoReturn, Sequence

from . import __version__
from .errors import DagFilterError


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr (exit code 2), like every other
    dagfilter error: ``dagfilter COMMAND: error: MESSAGE (see 'dagfilter COMMAND --help')``.

    Sub-command parsers inherit the class (argparse creates them with the parent's type).
    """

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see '{self.prog} --help')\n")


def one_line(message: object) -> str:
    """A message on one line: newlines and carriage returns become spaces."""
    return " ".join(str(message).split()) if any(c in str(message) for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029") \
        else str(message)


def _close_progress_bars() -> None:
    """Close progress bars an error left open, so the error message starts on a line of its own."""
    tqdm_std = sys.modules.get("tqdm.std")
    if tqdm_std is None:
        return
    for bar in list(getattr(tqdm_std.tqdm, "_instances", ())):
        try:
            bar.close()
        except Exception:  # noqa: BLE001 - cosmetic; never hide the real error
            pass


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every registered sub-command."""
    parser = _Parser(
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
        _close_progress_bars()
        print(f"dagfilter {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the user named cannot be read or written (folder, too long, no space, ...)
        _close_progress_bars()
        where = f" {exc.filename!r}" if exc.filename is not None else ""
        print(f"dagfilter {args.command}: error: cannot use file{where}: {one_line(exc.strerror or exc)}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _close_progress_bars()
        print(f"dagfilter {args.command}: interrupted; finished work is saved.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
