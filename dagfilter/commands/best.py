"""``dagfilter best --dataset D --metric SPLIT``: the best cell of a benchmark, optionally under cost limits."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, print_json

EPILOG = """examples:
  dagfilter best --dataset cifar10 --metric x-valid          # nats_bench remaps: cifar10-valid / x-valid
  dagfilter best --dataset cifar100 --metric x-test --json
  dagfilter best --dataset ImageNet16-120 --metric x-valid --param-max 0.5 --flop-max 50
  dagfilter best --dataset cifar10 --metric ori-test --hp 12
  dagfilter best --benchmark darts725 --dataset cifar10 --metric valid

--metric accepts a split (x-valid, x-test, ori-test) or nats_bench's short valid / test.
Limits: --flop-max in MFLOPs and --param-max in millions, for the data set's head.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("best", help="best cell of a benchmark by a metric (nats_bench find_best)",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("--dataset", required=True, help="data set name (nats_bench spelling)")
    p.add_argument("--metric", required=True, help="split to rank by (x-valid, x-test, ori-test, valid, test)")
    p.add_argument("--hp", default=None, help="training epochs (default: the full schedule, 200 for NB201)")
    p.add_argument("--flop-max", type=float, default=None, help="keep cells with FLOPs <= this (millions)")
    p.add_argument("--param-max", type=float, default=None, help="keep cells with params <= this (millions)")
    p.add_argument("--benchmark", default="nb201", help="benchmark name or path (default nb201)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import bench
    from ..bench.names import remap_for_find_best

    api = bench.load(args.benchmark)
    index, acc = api.find_best(args.dataset, args.metric, flop_max=args.flop_max, param_max=args.param_max,
                               hp=args.hp)
    ds, metric = remap_for_find_best(args.dataset, args.metric)
    if ds not in getattr(api, "datasets", (ds,)):
        ds, metric = args.dataset, args.metric
    spec = api.query(index, ds, metric, hp=args.hp)
    out = {"benchmark": api.name, **spec.to_dict()}
    if hasattr(api, "arch"):
        out["arch"] = api.arch(index)
    elif hasattr(api, "genotype"):
        out["genotype"] = api.genotype(index)
    if args.json:
        print_json(out)
        return 0
    for k, v in out.items():
        print(f"{k:12s} {v}")
    return 0
