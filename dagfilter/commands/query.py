"""``dagfilter query CELL --dataset D``: benchmark figures of a cell, in milliseconds."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, print_json

EPILOG = """examples:
  dagfilter query '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|' --dataset cifar100
  dagfilter query 6111 --dataset cifar10 --metric ori-test --hp 200 --json
  dagfilter query '(2, 2, 0, 2, 2, 3)' --dataset ImageNet16-120 --metric x-valid   # NASLib tuple
  dagfilter query 6111 --dataset cifar10 --hp 12                                   # 12-epoch schedule
  dagfilter query genotype.json --benchmark darts725 --dataset cifar10 --metric valid

Data sets and splits are nats_bench's: cifar10-valid (x-valid, ori-test), cifar10 (ori-test),
cifar100 / ImageNet16-120 (x-valid, x-test, ori-test). --hp defaults to the full schedule (200).
Without --metric, every figure the table has for the data set and hp is printed.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("query", help="look up benchmark accuracies and costs of a cell",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("cell", metavar="CELL", help="a cell in any encoding (string, index, NASLib tuple, genotype JSON/file)")
    p.add_argument("--dataset", required=True, help="data set name (nats_bench spelling)")
    p.add_argument("--metric", default=None, help="split or get_more_info key (default: all available)")
    p.add_argument("--hp", default=None, help="training epochs (NAS-Bench-201: 200 or 12; default 200)")
    p.add_argument("--benchmark", default="nb201", help="benchmark name or table/NDS/NATS path (default nb201)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import bench
    from ..errors import BenchmarkError

    api = bench.load(args.benchmark)
    arch = int(args.cell) if args.cell.strip().isdecimal() and args.cell.isascii() else args.cell  # "６１１１": an error
    if args.metric is not None:
        res = api.query(arch, args.dataset, args.metric, hp=args.hp)
        out = {"benchmark": api.name, **res.to_dict()}
    else:
        out = {"benchmark": api.name, **api.get_more_info(arch, args.dataset, hp=args.hp)}
    try:
        out["cost"] = api.get_cost_info(out["index"], args.dataset)
    except BenchmarkError:  # this benchmark has no cost figures
        pass
    if args.json:
        print_json(out)
        return 0
    for k, v in out.items():
        print(f"{k:24s} {v}")
    return 0
