"""``dagfilter report``: the paper's Figure 5, Tables 2 and 3 and rank correlations as one
self-contained HTML page (plus every figure as PNG/SVG and every table as CSV/Markdown)."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, dpi_value

EPILOG = """examples:
  dagfilter report --space nb201 --out report/                  # open report/index.html in a browser
  dagfilter report --space nb201 --space darts --out report/
  dagfilter report --space nb201 --results runs/ --cache ~/.cache/dagfilter --out report/
  dagfilter report --space nb201 --fraction 0.25 --format png --format pdf --out report/
  dagfilter report --space /data/nds/ --out nds_report/         # NDS JSON files through the bench API

--results DIR: SearchResult JSON files (dagfilter search --out ..., or SearchResult.to_json),
grouped by searcher, budget and filter on/off into the Table 2-style comparison.
--cache DIR: a score cache (dagfilter score / searches with a cache); its proxy scores join the
rank correlations and drive the simulated NAS-WOT searches of the Table 3-style sweep.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help="write an HTML report of the paper's figures and tables",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("--space", action="append", metavar="SPACE",
                   help="nb201, darts (725-cell DARTS benchmark) or a benchmark path; repeatable (default nb201)")
    p.add_argument("--out", required=True, metavar="REPORT_DIR", help="report folder (created)")
    p.add_argument("--results", metavar="DIR", help="folder (or file) of saved search results (JSON)")
    p.add_argument("--cache", metavar="DIR", help="score cache folder or .sqlite file")
    p.add_argument("--fraction", type=float, default=0.5, help="filter window fraction drawn on Figure 5 (default 0.5)")
    p.add_argument("--sim-budget", type=int, default=100, help="cells drawn per simulated proxy search (default 100)")
    p.add_argument("--sim-seeds", type=int, default=20, help="seeds of the simulated proxy searches (default 20)")
    p.add_argument("--format", action="append", dest="formats", choices=["png", "svg", "pdf"],
                   help="figure file formats; repeatable (default png and svg; png is always written)")
    p.add_argument("--dpi", type=dpi_value, default=130, help="PNG resolution, 20..2400 (default 130)")
    p.add_argument("--seed", type=int, default=0, help="seed of the DARTS-space reference samples (default 0)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report import build_report

    formats = list(dict.fromkeys(["png"] + (args.formats or ["svg"])))
    res = build_report(args.out, spaces=tuple(args.space or ["nb201"]), results=args.results, cache=args.cache,
                       fraction=args.fraction, sim_budget=args.sim_budget, sim_seeds=args.sim_seeds,
                       formats=formats, dpi=args.dpi, seed=args.seed, progress=not args.no_progress)
    print(f"wrote {res.html} ({len(res.figures)} figures, {len(res.tables)} tables) in {res.seconds:.1f} s")
    return 0
