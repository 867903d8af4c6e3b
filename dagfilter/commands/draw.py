"""``dagfilter draw``: draw a cell (NAS-Bench-201) or a genotype's two cells (DARTS) to SVG/PNG/PDF.

Parameterized edges are solid and coloured by op, parameter-free edges (skip, pooling,
concatenation) dashed, ``none`` edges faint dotted (or left out with --omit-none)."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, dpi_value

EPILOG = """examples:
  dagfilter draw '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|' --out cell.svg
  dagfilter draw 6111 --out cell.png                            # a NAS-Bench-201 index
  dagfilter draw DARTS_V2 --out darts_v2.svg                    # a named genotype
  dagfilter draw "Genotype(normal=[...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])" --out g.svg
  dagfilter draw result.json --out chosen.svg                   # a search result's chosen_cell
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("draw", help="draw a cell DAG to an SVG/PNG/PDF file",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("cell", metavar="CELL", help="any cell encoding: NB201 string or index, genotype text/JSON, "
                                                 "DARTS_V1/DARTS_V2, or a JSON file")
    p.add_argument("--out", required=True, help="output file: .svg, .png or .pdf")
    p.add_argument("--omit-none", action="store_true", help="leave out 'none' edges instead of drawing them faint")
    p.add_argument("--title", help="figure title")
    p.add_argument("--dpi", type=dpi_value, default=150, help="PNG resolution, 20..2400 (default 150)")
    p.set_defaults(func=run)


def _named(value: str) -> object:
    from ..genotypes import NAMED_GENOTYPES

    if value in NAMED_GENOTYPES:
        return NAMED_GENOTYPES[value]
    if value.strip().isdecimal() and value.isascii() and len(value.strip()) <= 18:  # ASCII digits only
        return int(value)
    return value


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import ConfigError
    from ..report.draw import draw_arch
    from ..outfiles import stderr_note
    from ..report.figures import FORMATS, save_figure

    if Path(args.out).suffix.lstrip(".").lower() not in FORMATS:
        raise ConfigError(f"cannot save a drawing as {args.out!r}: use a .svg, .png or .pdf file name")
    fig = draw_arch(_named(args.cell), zero="omit" if args.omit_none else "faint", title=args.title)
    path = save_figure(fig, args.out, dpi=args.dpi, notify=stderr_note)
    print(f"wrote {path}")
    return 0
