"""``dagfilter search``: run a registered searcher (NAS-WOT, random, ranked, TE-NAS, FP-NAS) with or without the DAG filter."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from ._common import add_window_options, make_filter
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
  dagfilter search --score naswot+prior --filter 0.5 --samples 100 --runs 20     # ranker combination
  dagfilter search --score prior --filter 0.5 --runs 100                          # no forward pass at all
  dagfilter search --searcher tenas --filter 0.5 --size cpu                        # TE-NAS + DAG
  dagfilter search --searcher fpnas --filter 0.5 --samples 60                      # FP-NAS + DAG (60 updates)
  dagfilter search --samples 100 --filter 0.5 --then-train 10 --epochs 2 --rank capacitance
  dagfilter search --space darts --pool darts725 --searcher naswot --samples 100 --filter 0.5 --runs 200
  dagfilter search --space darts --pool my_cells.jsonl --score params --samples 50

--pool darts725 (or a JSON-lines / CSV file of cells, with or without accuracies) draws candidates
only from the pool; each result then reports the chosen cell's measured accuracy, its rank in the
pool and the pool's best. The NAS-WOT scores of the 725 darts725 cells ship with the package, so
pool searches over them build no network. TE-NAS and FP-NAS prune a supernet and draw no
candidates: --pool does not apply to them and is refused.
"""

_ACC = (("cifar10_test_200", "CIFAR-10"), ("cifar100_test_200", "CIFAR-100"),
        ("imagenet16_test_200", "ImageNet16-120"))


BUILTIN_SEARCHERS = ("naswot", "random", "ranked", "tenas", "fpnas")
"""Named in ``--help`` without importing the searcher modules (that would load torch on every CLI
call); an unknown ``--searcher`` name is an error that lists every registered searcher."""


def register(subparsers: Any) -> None:
    """Add the ``search`` sub-command."""
    p = subparsers.add_parser(
        "search", help="architecture search (NAS-WOT, rankers, TE-NAS, FP-NAS, random) with optional DAG filtering",
        description="Search a space with a registered searcher; with --filter, cells outside the "
                    "DAG filter's window are skipped before any network is built.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("--space", default="nb201", help="search space (default nb201)")
    p.add_argument("--searcher", default="naswot",
                   help=f"a registered searcher: {', '.join(BUILTIN_SEARCHERS)} or your own (default naswot)")
    p.add_argument("--samples", type=int, default=100, help="candidates drawn (default 100)")
    p.add_argument("--budget-mode", default="drawn", choices=["drawn", "scored"],
                   help="'drawn': N candidates drawn; 'scored': draw until N are scored (default drawn)")
    add_window_options(p, "apply the DAG filter")
    p.add_argument("--pool", default=None, metavar="POOL",
                   help="draw candidates only from a pool: darts725, or a JSON-lines/CSV file of cells "
                        "(with or without accuracies)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--runs", type=int, default=1, help="repeat with seeds SEED..SEED+R-1 and print mean ± std")
    p.add_argument("--score-seed", type=int, default=0, help="seed of the proxy minibatch and network init")
    add_scoring_options(p, batch_default=None)
    g = p.add_argument_group("ranking (issue: rank without a forward pass)")
    g.add_argument("--score", metavar="SPEC", default=None,
                   help="select by a ranker spec instead of the searcher's own score: naswot, prior, params, "
                        "naswot+prior, zscore(naswot+prior), 2*naswot+prior:params,d_bar (runs the 'ranked' searcher)")
    g.add_argument("--combine", choices=["rank", "zscore", "logrank"], default=None, help="how multi-term specs combine (default rank)")
    g.add_argument("--iso", choices=["search", "cache", "off"], default="search",
                   help="reuse live scores across NAS-Bench-201 isomorphic cells (default: within the search)")
    g = p.add_argument_group("TE-NAS / FP-NAS")
    g.add_argument("--size", choices=["cpu", "paper"], default=None, help="supernet sizes: reduced CPU size or the paper's")
    g.add_argument("--device", default=None, help="torch device for supernet searchers (default cpu)")
    g.add_argument("--filter-rule", choices=["centroid", "window", "skip"], default=None,
                   help="how --filter enters the search: TE-NAS 'centroid' (default, the authors' rule) or 'window' "
                        "(our earlier rule); FP-NAS 'skip' (its only rule: rejected draws are not trained, not replaced)")
    g.add_argument("--state-dir", default=None, help="where resumable search state is kept")
    g.add_argument("--no-resume", action="store_true", help="start afresh instead of resuming saved state")
    g = p.add_argument_group("brief training of the top cells (funnel)")
    g.add_argument("--then-train", type=int, default=None, metavar="K",
                   help="train the top-K evaluated cells of the (first) search briefly and rank them")
    g.add_argument("--epochs", type=int, default=1, help="brief-training epochs for --then-train (default 1)")
    g.add_argument("--rank", choices=["capacitance", "criticality"], default="capacitance",
                   help="ranking of the briefly trained cells (default capacitance)")
    g.add_argument("--train-out", default="runs/funnel", help="run folder for --then-train (default runs/funnel)")
    p.add_argument("--out", help="write the result JSON (a list under 'runs' when --runs > 1)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _make_searcher(args: argparse.Namespace) -> Any:
    """The chosen searcher, given those CLI options its constructor accepts."""
    import inspect

    import searchers
    from searchers.registry import get_class

    from ..errors import ConfigError

    name = args.searcher
    if args.score is not None:
        if name not in ("naswot", "ranked"):
            raise ConfigError(f"--score selects candidates by a ranker; it cannot be combined with --searcher {name!r}")
        name = "ranked"
    options = {"dataset": args.dataset, "data_dir": args.data_dir, "batch_size": args.batch,
               "score_seed": args.score_seed, "n_jobs": args.n_jobs, "backend": args.backend,
               "scheduler": args.scheduler, "size": args.size, "device": args.device,
               "state_dir": args.state_dir, "resume": False if args.no_resume else None,
               "filter_rule": args.filter_rule}
    if name == "ranked":
        options.update(score=args.score or "naswot", combine=args.combine, iso=args.iso)
    options = {k: v for k, v in options.items() if v is not None}
    params = inspect.signature(get_class(name).__init__).parameters
    if args.filter_rule is not None and "filter_rule" not in params:
        raise ConfigError(f"--filter-rule {args.filter_rule} applies to the tenas and fpnas searchers, not {name!r}")
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        options = {k: v for k, v in options.items() if k in params}
        if "cache" in params:
            options["cache"] = open_cache(args)
    else:
        options["cache"] = open_cache(args)
    return searchers.get(name, **options)


def _stats(values: list[float]) -> str:
    a = np.asarray(values, dtype=np.float64)
    return f"{a.mean():.2f} ± {a.std(ddof=1) if len(a) > 1 else 0.0:.2f}"


def run(args: argparse.Namespace) -> int:
    """Run the search(es) and print the outcome."""
    from ..errors import ConfigError
    from ..limits import MAX_RUNS, MAX_SAMPLES, check_count, check_seed

    check_count(args.runs, "--runs", MAX_RUNS)  # the API's limits, before any work
    check_count(args.samples, "--samples", MAX_SAMPLES, minimum=0)
    check_seed(args.seed, "--seed")
    check_seed(args.seed + args.runs - 1, "--seed + --runs - 1 (the last run's seed)")
    flt = make_filter(args)
    searcher = _make_searcher(args)
    pool_kw: dict[str, Any] = {}
    if args.pool is not None:
        import inspect

        from ..pools import load_pool

        if "pool" not in inspect.signature(searcher.search).parameters:
            raise ConfigError(f"--searcher {searcher.name!r} does not draw candidates (it prunes a supernet), so "
                              f"--pool {args.pool!r} cannot apply; run it without --pool")
        pool_kw["pool"] = load_pool(args.pool, args.space)
    results = []
    for seed in range(args.seed, args.seed + args.runs):
        res = searcher.search(args.space, args.samples, seed, filter=flt, budget_mode=args.budget_mode,
                              progress=not args.quiet, **pool_kw)
        results.append(res)
        if args.runs > 1 and not args.quiet:
            acc = res.accuracies or {}
            shown = (f"pool acc {acc['pool_accuracy']:.2f} (rank {res.pool['rank']})" if "pool_accuracy" in acc
                     else f"c10 {acc.get('cifar10_test_200', float('nan')):.2f}")
            print(f"seed {seed}: {res.chosen_cell} {shown} "
                  f"({res.evaluated} scored, {res.skipped} skipped)", file=sys.stderr)
    summary = _summary(results)
    funnel_result = None
    if args.then_train:
        from ..trained import funnel

        funnel_result = funnel(results[0], k=args.then_train, epochs=args.epochs, rank=args.rank,
                               out=args.train_out, data_dir=args.data_dir, dataset=args.dataset,
                               progress=not args.quiet)
        summary["funnel"] = {"rank": args.rank, "k": args.then_train, "epochs": args.epochs,
                             "kendall_tau": funnel_result.tau, "kendall_tau_brief_val_acc": funnel_result.tau_val}
    from ..jsonio import strict

    if args.out:
        text = (results[0].to_json() if args.runs == 1 else
                json.dumps(strict({"runs": [r.to_dict() for r in results], "summary": summary}), indent=2,
                           allow_nan=False))
        from ..outfiles import stderr_note, write_output

        write_output(args.out, text + "\n", "--out file", notify=stderr_note)
    if args.json:
        print(results[0].to_json() if args.runs == 1 else
              json.dumps(strict({"runs": [r.to_dict() for r in results], "summary": summary}), indent=2,
                           allow_nan=False))
        return 0
    if args.runs == 1:
        print(results[0].summary())
        if funnel_result is not None:
            print(funnel_result.format_table())
        return 0
    label = f"ranked by {args.score}" if args.score else args.searcher
    print(f"{label}{' + ' + flt.describe() if flt else ''} on {args.space}, "
          f"{args.runs} runs, {args.samples} samples ({args.budget_mode})")
    for key, label in _ACC:
        if key in summary:
            print(f"  {label:<15} {summary[key]}")
    if "pool_accuracy" in summary:
        print(f"  pool accuracy   {summary['pool_accuracy']}  (pool {args.pool}, best {summary['pool_best']:.2f}; "
              f"rank {summary['pool_rank']})")
    print(f"  cells scored    {summary['evaluated']}   skipped {summary['skipped']}")
    print(f"  scoring time    {summary['scoring_seconds']} s per search (cold cost); wall {summary['wall_seconds']} s")
    if "forward_passes" in summary:
        print(f"  forward passes  {summary['forward_passes']} per search")
    if funnel_result is not None:
        print(funnel_result.format_table())
    return 0


def _summary(results: list[Any]) -> dict[str, Any]:
    out = {"evaluated": _stats([r.evaluated for r in results]), "skipped": _stats([r.skipped for r in results]),
           "scoring_seconds": _stats([r.scoring_seconds for r in results]),
           "wall_seconds": _stats([r.wall_seconds for r in results])}
    if all(r.searcher == "ranked" for r in results):
        from searchers.ranked import forward_passes

        out["forward_passes"] = _stats([forward_passes(r) for r in results])
    if all(r.accuracies for r in results):
        for key, _ in _ACC:
            if all(key in r.accuracies for r in results):
                out[key] = _stats([r.accuracies[key] for r in results])
    if all(r.pool and r.pool.get("accuracy") is not None for r in results):
        out["pool_accuracy"] = _stats([r.pool["accuracy"] for r in results])
        out["pool_rank"] = _stats([r.pool["rank"] for r in results])
        out["pool_best"] = results[0].pool["best"]
    return out
