"""The size limits on user input, in one place, and the checks that apply them.

The CLI and the Python API apply the same limits, before any work starts, so that a hostile or
careless value is refused in well under a second instead of running for minutes or exhausting
memory. Every check raises a :class:`~dagfilter.errors.DagFilterError` subclass naming the value
(cut short with :func:`dagfilter.errors.show`) and the limit.

=========================  ===================  ==========================================================
limit                      value                applies to
=========================  ===================  ==========================================================
:data:`MAX_TEXT_CHARS`     4,000,000            architecture text (argument, list line, file content)
:data:`MAX_FILE_BYTES`     16 MiB               architecture and list files
:data:`MAX_JSON_DEPTH`     32                   JSON nesting of architecture files and text
:data:`MAX_NODES`          20,000               nodes of a :class:`~dagfilter.cell.Cell`; concat list length
:data:`MAX_EDGES`          100,000              edges of a :class:`~dagfilter.cell.Cell` (an adjacency
                                                entry ``k`` counts as ``k`` edges); genotype pairs
                                                (2 per node, so at most ``2 * MAX_NODES``)
:data:`MAX_SAMPLES`        1,000,000            :meth:`Space.samples` ``n``; search ``budget``
:data:`MAX_RUNS`           10,000               ``dagfilter search --runs``
:data:`MAX_SEED`           2**63 - 1            every seed (seeds are stored as SQLite integers)
:data:`MAX_TITLE_CHARS`    1,000                figure titles (``dagfilter draw --title``)
=========================  ===================  ==========================================================
"""
from __future__ import annotations

import numbers
from typing import Any

from .errors import ConfigError, show

MAX_TEXT_CHARS = 4_000_000
"""Longest architecture text (argument or file content) read; a 10,000-node genotype is ~0.4 MB."""
MAX_FILE_BYTES = 16 * 2 ** 20
"""Largest architecture or list file read."""
MAX_JSON_DEPTH = 32
"""Deepest JSON nesting accepted (a genotype needs 3 levels, a search result 4)."""
MAX_NODES = 20_000
"""Most nodes of a cell (a genotype of 10,000 intermediate nodes fits)."""
MAX_EDGES = 100_000
"""Most edges of a cell."""
MAX_SAMPLES = 1_000_000
"""Most architectures drawn by one call (``Space.samples``, a search budget)."""
MAX_RUNS = 10_000
"""Most repeated searches of one ``dagfilter search --runs`` call."""
MAX_SEED = 2 ** 63 - 1
"""Largest seed (seeds are cache keys, stored as signed 64-bit SQLite integers)."""
MAX_TITLE_CHARS = 1_000
"""Longest figure title."""


def check_count(value: Any, what: str, limit: int, minimum: int = 1, error: type = ConfigError) -> int:
    """``value`` as an ``int`` in ``minimum..limit``; bools, floats and strings are refused.

    Raises:
        ConfigError (or ``error``): not an integer, or outside the range (the message names the limit).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise error(f"{what} must be an integer in {minimum:,}..{limit:,}, got {show(value)}")
    v = int(value)
    if v < minimum:
        raise error(f"{what} must be >= {minimum:,}, got {show(v)}")
    if v > limit:
        raise error(f"{what} of {show(v)} is more than the limit {limit:,}")
    return v


def check_seed(value: Any, what: str = "seed") -> int:
    """A seed as an ``int`` in ``0..MAX_SEED`` (numpy refuses negative seeds, SQLite larger ones)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{what} must be an integer in 0..2**63-1, got {show(value)}")
    v = int(value)
    if not 0 <= v <= MAX_SEED:
        raise ConfigError(f"{what} must be an integer in 0..2**63-1, got {show(v)}")
    return v


def seed_arg(text: str) -> int:
    """argparse ``type=`` for seeds: ASCII digits only, ``0..MAX_SEED`` (one-line error otherwise)."""
    import argparse

    s = text.strip()
    if not (s.isascii() and s.isdigit()) or len(s) > 19 or int(s) > MAX_SEED:
        raise argparse.ArgumentTypeError(f"a seed must be an integer in 0..2**63-1, got {show(text)}")
    return int(s)


def check_title(title: Any) -> "str | None":
    """A figure title: None, or a string of at most :data:`MAX_TITLE_CHARS` characters whose
    ``$...$`` parts are valid matplotlib mathtext (checked here, so a bad macro is one clear error)."""
    if title is None:
        return None
    if not isinstance(title, str):
        raise ConfigError(f"a title must be a string, got {show(title)}")
    if len(title) > MAX_TITLE_CHARS:
        raise ConfigError(f"a title of {len(title):,} characters is longer than the limit {MAX_TITLE_CHARS:,}")
    from matplotlib import cbook

    if cbook.is_math_text(title):  # matplotlib's own test: an even number (>= 2) of unescaped '$'
        from matplotlib.mathtext import MathTextParser

        try:
            MathTextParser("path").parse(title)
        except Exception as exc:  # noqa: BLE001 - pyparsing's ParseFatalException, ValueError, ...
            msg = str(exc).strip().splitlines()
            raise ConfigError(f"title {show(title)} is not valid mathtext ({msg[-1][:160] if msg else type(exc).__name__}); "
                              r"write a literal dollar sign as \$") from None
    return title
