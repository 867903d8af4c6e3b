"""``dagfilter zc CELL [--proxy P]``: precomputed zero-cost proxy scores of a NAS-Bench-201 cell."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, print_json

EPILOG = """examples:
  dagfilter zc 6111                       # every proxy scored on cell 6111
  dagfilter zc 6111 --proxy meco --proxy swap
  dagfilter zc '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' --json
  dagfilter zc '(2, 2, 0, 2, 2, 3)'        # NASLib tuple
  dagfilter zc --coverage                 # how many cells each proxy covers, and the setup

Scores: the twelve shared-pass proxies (AZ-NAS terms, MeCo, SWAP, ZiCo, snip, grad_norm, fisher, jacov,
synflow, zen) on CIFAR-10 (minibatch of 128, seed 0, benchmark network), higher = better, -inf = a
degenerate cell. A cell not scored yet is an error that says the coverage.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("zc", help="precomputed zero-cost proxy scores of a NAS-Bench-201 cell",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("cell", metavar="CELL", nargs="?", help="a cell in any encoding (string, index, NASLib tuple, ...)")
    p.add_argument("--proxy", action="append", default=None, help="proxy name (repeatable; default: all scored)")
    p.add_argument("--coverage", action="store_true", help="print the setup and per-proxy coverage")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..proxies import zc_bench

    zc = zc_bench.load()
    if args.cell is None and not args.coverage:
        raise ConfigError("give a CELL (or --coverage)")
    out: dict = {}
    if args.cell is not None:
        arch = int(args.cell) if args.cell.strip().isdecimal() and args.cell.isascii() else args.cell
        index = zc.index_of(arch)
        scores = ({p: zc.query(index, p) for p in args.proxy} if args.proxy else zc.query(index))
        out.update(index=index, scores=scores)
    if args.coverage or args.json:
        out.update(setup=zc.setup, coverage=zc.coverage(), cells=zc_bench.NUM_CELLS, shards=len(zc.shards))
    if args.json:
        print_json(out)
        return 0
    if "scores" in out:
        print(f"cell {out['index']}")
        for p, v in out["scores"].items():
            print(f"  {p:18s} {v:.6g}")
    if args.coverage:
        s = zc.setup
        print(f"setup: {s.get('dataset')} minibatch {s.get('batch')}, seed {s.get('seed')}, network {s.get('network')}, "
              f"dagfilter {s.get('version')}; {len(zc.shards)} whole-space shards + the 1,000-cell subset file")
        for p, n in out["coverage"].items():
            print(f"  {p:18s} {n:6d} / {zc_bench.NUM_CELLS} cells")
    return 0
