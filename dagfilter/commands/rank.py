"""``dagfilter rank``: rank cells (by default a whole space) by any ranker spec, with benchmark agreement."""
from __future__ import annotations

import argparse
import math
from typing import Any

from ._common import add_window_options, make_filter, print_json, read_arch_list
from .score import add_scoring_options, open_cache

EPILOG = """\
SPEC is a ranker or a combination (see --list): params, flops, d_bar, m_bar, nn_mass,
window_distance, prior (rank-sum of params and d_bar), prior:params,d_bar,window_distance,
naswot (live: one forward pass per cell, cached), naswot+prior, zscore(naswot+prior),
2*naswot+prior. Combinations rank among the cells being ranked.

Without CELL arguments every NAS-Bench-201 cell is ranked (analytic specs: milliseconds, no
network built). With --filter F only the cells inside the DAG filter's window are ranked.
Where a shipped table knows the cells, their benchmark accuracies are listed and the ranking's
Spearman, Kendall tau and top-5 % precision against them are printed.

Examples:
  dagfilter rank --score prior --top 10
  dagfilter rank --score params --filter 0.5 --csv runs/params_ranking.csv
  dagfilter rank --score naswot+prior --cache-only --cache-dir runs/cache --data-dir /data/cifar10
  dagfilter rank --space darts --score params DARTS_V1 DARTS_V2
  dagfilter rank --space darts --pool darts725 --score prior:params,nn_mass   # the 725 cells, measured
  dagfilter rank --list
"""


def register(subparsers: Any) -> None:
    """Add the ``rank`` sub-command."""
    p = subparsers.add_parser(
        "rank", help="rank cells (default: all of NAS-Bench-201) by a ranker spec, with benchmark agreement",
        description="Rank architectures by a ranker spec (analytic DAG priors, live proxies or combinations) "
                    "and compare the ranking with benchmark accuracies.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("cells", nargs="*", metavar="CELL", help="architectures (any encoding); default: the whole space")
    p.add_argument("--indices", metavar="FILE", help="file with one architecture (or index) per line")
    p.add_argument("--score", metavar="SPEC", default="prior", help="ranker spec (default prior)")
    p.add_argument("--combine", choices=["rank", "zscore", "logrank"], default=None,
                   help="how multi-term specs combine (default rank)")
    p.add_argument("--space", default="nb201", help="space of the cells (default nb201)")
    p.add_argument("--pool", default=None, metavar="POOL",
                   help="rank a pool's cells: darts725, or a JSON-lines/CSV file of cells (its accuracies, "
                        "if any, are compared with the ranking)")
    add_window_options(p, "rank only the cells inside the DAG filter's window")
    p.add_argument("--top", type=int, default=10, help="rows to print (default 10)")
    p.add_argument("--score-seed", type=int, default=0, help="seed of the live proxy minibatch and network init")
    p.add_argument("--cache-only", action="store_true",
                   help="live parts read the score cache only (a missing cell is an error)")
    p.add_argument("--iso", choices=["search", "cache", "off"], default="off",
                   help="reuse live scores across NAS-Bench-201 isomorphic cells (default off: every cell its own)")
    add_scoring_options(p)
    p.add_argument("--csv", metavar="FILE", default=None, help="write every ranked row to this CSV file")
    p.add_argument("--json", action="store_true", help="print JSON (config, quality and the --top rows)")
    p.add_argument("--list", action="store_true", help="list the registered rankers and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Rank the cells and print the best rows and the agreement with the benchmark."""
    from ..errors import ConfigError
    from ..proxies.config import Execution
    from ..rankers import RankerContext, available_rankers, get_ranker
    from ..rankers.ranking import rank_cells

    if args.list:
        for name, desc in available_rankers().items():
            print(f"{name:<16} {desc}")
        return 0
    if args.top < 0:
        raise ConfigError(f"--top must be >= 0, got {args.top}")
    archs = read_arch_list(args.cells, args.indices) or None
    if archs is not None and args.pool is not None:
        raise ConfigError("give either CELL arguments / --indices or --pool, not both")
    if archs is not None and args.space == "nb201":
        archs = [int(a) if isinstance(a, str) and a.strip().isdecimal() and a.isascii() and len(a.strip()) <= 18 else a
                 for a in archs]  # ASCII digits only: "６１１１" goes to parse_arch, which refuses it
    flt = make_filter(args)
    ctx = RankerContext(dataset=args.dataset, data_dir=args.data_dir, batch_size=args.batch,
                        score_seed=args.score_seed, cache=open_cache(args), cache_only=args.cache_only,
                        execution=Execution(args.n_jobs, args.backend, args.scheduler), iso=args.iso)
    if not args.quiet and not args.cache_only and get_ranker(args.score, ctx, combine=args.combine).kind == "live":
        import sys

        n = "all" if archs is None and args.pool is None else str(len(archs)) if archs else f"pool {args.pool}"
        print(f"note: {args.score!r} is live: of the {n} cells, those missing from the score cache cost one "
              f"forward pass each "
              f"(cache: {ctx.cache.path if ctx.cache else 'off'}); finished scores are kept, so an interrupted "
              "run resumes. --cache-only reads the cache only.", file=sys.stderr)
    res = rank_cells(args.score, args.space, archs, ctx, flt, args.combine, progress=not args.quiet,
                     pool=args.pool)
    if args.csv:
        from ..outfiles import stderr_note, write_output

        write_output(args.csv, res.rows.to_csv(index=False), "--csv file", notify=stderr_note)
    if args.json:
        print_json(res.to_dict(top=args.top))
        return 0
    _print(res, args)
    return 0


def _print(res: Any, args: argparse.Namespace) -> None:
    where = f"{res.config['n']} {args.space} cells" + (f" inside the filter (fraction {args.filter})"
                                                        if args.filter is not None else "")
    st = res.stats
    # forward passes that ran in this call, not the cold cost (with --cache-only none run)
    cost = (f" (cold cost {st.get('forward_passes', 0)}: {st.get('live_cached', 0)} read from the score cache, "
            f"{st.get('iso_reused', 0)} reused from isomorphic cells)" if res.kind == "live" else "")
    print(f"{res.spec} ({res.kind}) over {where}; forward passes run now: {st.get('live_computed', 0)}{cost}")
    acc_cols = [c for c in res.rows.columns if c.endswith(("_test", "_val", "_acc"))]
    print(f"{'rank':>5}  {'index':>6}  {'score':>12}  " + "  ".join(f"{c:>15}" for c in acc_cols) + "  cell")
    for _, r in res.top(args.top).iterrows():
        accs = "  ".join(f"{r[c]:15.2f}" if math.isfinite(r[c]) else f"{'-':>15}" for c in acc_cols)
        print(f"{int(r['rank']):>5}  {int(r['index']):>6}  {r['score']:12.4f}  {accs}  {r['cell']}")
    if res.quality:
        print("\nagreement with the benchmark (all ranked cells):")
        print(f"  {'dataset':<16} {'spearman':>9} {'kendall':>8} {'top-5%':>7} {'n':>6}")
        for ds, q in res.quality.items():
            print(f"  {ds:<16} {q['spearman']:9.3f} {q['kendall']:8.3f} {q['top_precision']:7.3f} {q['n']:>6}")
    if args.csv:
        print(f"\nwrote {len(res.rows)} rows to {args.csv}")
