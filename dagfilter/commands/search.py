"""``dagfilter search``: run a registered searcher (NAS-WOT, random) with or without the DAG filter."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from .score import add_scoring_options, open_cache

EPILOG = """\
--samples N draws N candidates from the space (one seeded stream per seed). With --filter F the
cells outside the DAG filter's window (fraction F of the radius) are skipped before any network is
built, so fewer cells are scored (about 40 of 100 on NAS-Bench-201 at F = 0.5). With
--budget-mode scored, candidates are drawn until N have been scored instead.

--seed drives the sampling; --score-seed (default 0) seeds the NAS-WOT minibatch and network
initialisation, so runs with different seeds share cached scores.

Examples:
  dagfilter search --space nb201 --searcher naswot --dataset cifar10 --samples 100 --filter 0.5 \\
      --seed 0 --data-dir /data/cifar10
  dagfilter search --searcher naswot --samples 100 --runs 20 --n-jobs 2 --data-dir /data/cifar10
  dagfilter search --searcher random --samples 100 --filter 0.5 --runs 500
  dagfilter search --searcher naswot --samples 100 --out result.json && dagfilter train result.json --out runs/best
"""

_ACC = (("cifar10_test_200", "CIFAR-10"), ("cifar100_test_200", "CIFAR-100"),
        ("imagenet16_test_200", "ImageNet16-120"))


def register(subparsers: Any) -> None:
    """Add the ``search`` sub-command."""
    import searchers

    p = subparsers.add_parser(
        "search", help="architecture search (NAS-WOT, random) with optional DAG filtering",
        description="Search a space with a registered searcher; with --filter, cells outside the "
                    "DAG filter's window are skipped before any network is built.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("--space", default="nb201", help="search space (default nb201)")
    p.add_argument("--searcher", default="naswot", help=f"one of: {', '.join(searchers.available())} (default naswot)")
    p.add_argument("--samples", type=int, default=100, help="candidates drawn (default 100)")
    p.add_argument("--budget-mode", default="drawn", choices=["drawn", "scored"],
                   help="'drawn': N candidates drawn; 'scored': draw until N are scored (default drawn)")
    p.add_argument("--filter", type=float, default=None, metavar="FRACTION",
                   help="apply the DAG filter with this window fraction (paper: 0.5); default: no filter")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--runs", type=int, default=1, help="repeat with seeds SEED..SEED+R-1 and print mean ± std")
    p.add_argument("--score-seed", type=int, default=0, help="seed of the proxy minibatch and network init")
    add_scoring_options(p)
    p.add_argument("--out", help="write the result JSON (a list under 'runs' when --runs > 1)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _make_searcher(args: argparse.Namespace) -> Any:
    """The chosen searcher, given those CLI options its constructor accepts."""
    import inspect

    import searchers
    from searchers.registry import get_class

    options = {"dataset": args.dataset, "data_dir": args.data_dir, "batch_size": args.batch,
               "score_seed": args.score_seed, "n_jobs": args.n_jobs, "backend": args.backend,
               "scheduler": args.scheduler}
    params = inspect.signature(get_class(args.searcher).__init__).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        options = {k: v for k, v in options.items() if k in params}
        if "cache" in params:
            options["cache"] = open_cache(args)
    else:
        options["cache"] = open_cache(args)
    return searchers.get(args.searcher, **options)


def _stats(values: list[float]) -> str:
    a = np.asarray(values, dtype=np.float64)
    return f"{a.mean():.2f} ± {a.std(ddof=1) if len(a) > 1 else 0.0:.2f}"


def run(args: argparse.Namespace) -> int:
    """Run the search(es) and print the outcome."""
    from ..errors import ConfigError
    from ..filter import DAGFilter

    if args.runs < 1:
        raise ConfigError(f"--runs must be >= 1, got {args.runs}")
    flt = None if args.filter is None else DAGFilter.from_space(args.space, fraction=args.filter)
    searcher = _make_searcher(args)
    results = []
    for seed in range(args.seed, args.seed + args.runs):
        res = searcher.search(args.space, args.samples, seed, filter=flt, budget_mode=args.budget_mode,
                              progress=not args.quiet)
        results.append(res)
        if args.runs > 1 and not args.quiet:
            acc = res.accuracies or {}
            print(f"seed {seed}: {res.chosen_cell} c10 {acc.get('cifar10_test_200', float('nan')):.2f} "
                  f"({res.evaluated} scored, {res.skipped} skipped)", file=sys.stderr)
    summary = _summary(results)
    if args.out:
        text = (results[0].to_json() if args.runs == 1 else
                json.dumps({"runs": [r.to_dict() for r in results], "summary": summary}, indent=2))
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    if args.json:
        print(results[0].to_json() if args.runs == 1 else
              json.dumps({"runs": [r.to_dict() for r in results], "summary": summary}, indent=2))
        return 0
    if args.runs == 1:
        print(results[0].summary())
        return 0
    print(f"{args.searcher}{' + filter ' + format(args.filter, 'g') if flt else ''} on {args.space}, "
          f"{args.runs} runs, {args.samples} samples ({args.budget_mode})")
    for key, label in _ACC:
        if key in summary:
            print(f"  {label:<15} {summary[key]}")
    print(f"  cells scored    {summary['evaluated']}   skipped {summary['skipped']}")
    print(f"  scoring time    {summary['scoring_seconds']} s per search (cold cost); wall {summary['wall_seconds']} s")
    return 0


def _summary(results: list[Any]) -> dict[str, str]:
    out = {"evaluated": _stats([r.evaluated for r in results]), "skipped": _stats([r.skipped for r in results]),
           "scoring_seconds": _stats([r.scoring_seconds for r in results]),
           "wall_seconds": _stats([r.wall_seconds for r in results])}
    if all(r.accuracies for r in results):
        for key, _ in _ACC:
            out[key] = _stats([r.accuracies[key] for r in results])
    return out
