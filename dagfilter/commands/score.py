"""``dagfilter score``: proxy scores (NAS-WOT) of given cells, live on real images, cached."""
from __future__ import annotations

import argparse
from typing import Any

from ._common import print_json, read_arch_list

EPILOG = """\
CELL is any encoding: a NAS-Bench-201 arch string, an index (0-15624), a NASLib tuple, 6 op names,
or a JSON file with a "chosen_cell" key. --indices FILE adds one architecture per line.

Scores are cached (key: cell, proxy, dataset, batch, seed, dagfilter version) in --cache-dir
(default $DAGFILTER_CACHE or ~/.cache/dagfilter): a rerun recomputes nothing, an interrupted
run resumes where it stopped.

Data: --data-dir, else $DAGFILTER_CIFAR10_DIR / $DAGFILTER_DATA_DIR; with none of them, CIFAR-10
scoring uses the 256 real training images shipped with dagfilter (batch <= 256). At batch 128 with
seed 0 (or 1) they are bit for bit the data-directory minibatch of the shipped scores, so cells those
files hold (all NB201 cells for naswot, the darts725 cells) are read from benchmarks_data, not
computed; other batches/seeds are cached under the dataset name "cifar10:embedded256s01".

Examples:
  dagfilter score 0 1 2 --proxy naswot --dataset cifar10 --data-dir /data/cifar10
  dagfilter score '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' \\
      --batch 128 --seed 0 --json
  dagfilter score --indices cells.txt --n-jobs 2 --data-dir /data/cifar10
  dagfilter score --indices cells.txt --backend dask --scheduler tcp://10.0.0.5:8786
"""


def add_scoring_options(p: argparse.ArgumentParser, batch_default: int | None = 128) -> None:
    """Options shared by ``score`` and ``search``: data, batch, cache, parallel backend.

    ``batch_default=None`` leaves the minibatch size to each searcher's own default.
    """
    p.add_argument("--dataset", default="cifar10", help="dataset of the minibatch (default cifar10)")
    p.add_argument("--data-dir", default=None,
                   help="dataset directory (else $DAGFILTER_CIFAR10_DIR or $DAGFILTER_DATA_DIR)")
    p.add_argument("--batch", type=int, default=batch_default,
                   help="minibatch size (default 128 for NAS-WOT, as in its paper; searchers pick their own)")
    p.add_argument("--cache-dir", default=None, help="score cache directory (default $DAGFILTER_CACHE or "
                                                     "~/.cache/dagfilter)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the score cache")
    p.add_argument("--n-jobs", type=int, default=1, help="parallel scoring workers (-1 = all cores; default 1)")
    p.add_argument("--backend", default="loky", choices=["loky", "threading", "multiprocessing", "dask"],
                   help="joblib backend for --n-jobs > 1 (default loky); dask needs --scheduler")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler, e.g. tcp://HOST:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def open_cache(args: argparse.Namespace) -> Any:
    """The ScoreCache selected by ``--cache-dir`` / ``--no-cache``."""
    if args.no_cache:
        return None
    from ..cache import ScoreCache

    return ScoreCache(args.cache_dir)


def register(subparsers: Any) -> None:
    """Add the ``score`` sub-command."""
    p = subparsers.add_parser(
        "score", help="score cells with a training-free proxy (NAS-WOT) on real images",
        description="Score architectures with a training-free proxy: build each seeded, untrained "
                    "network and score it on one fixed minibatch of real training images.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("cells", nargs="*", metavar="CELL", help="architectures (any encoding)")
    p.add_argument("--indices", metavar="FILE", help="file with one architecture (or index) per line")
    p.add_argument("--proxy", default="naswot", help="proxy name (default naswot)")
    p.add_argument("--space", default="nb201", help="search space of the cells (default nb201)")
    p.add_argument("--seed", type=int, default=0, help="seeds the minibatch and the network init (default 0)")
    add_scoring_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score the cells and print a table (or JSON)."""
    from ..errors import ConfigError
    from ..proxies import Execution, ScoringSetup, score_cells

    archs = read_arch_list(args.cells, args.indices)
    if not archs:
        raise ConfigError("no cells given: pass CELL arguments or --indices FILE")
    setup = ScoringSetup(args.proxy, args.dataset, args.data_dir, args.batch, args.seed, args.space)
    execution = Execution(args.n_jobs, args.backend, args.scheduler, progress=not args.quiet,
                          desc=f"{args.proxy} scoring")
    res = score_cells(archs, setup, open_cache(args), execution)
    rows = [{"cell": r.cell, "index": r.index, "score": r.score, "seconds": r.seconds, "cached": r.cached}
            for r in res]  # a -inf score prints as "score": null, "score_status": "-inf"
    if args.json:
        print_json({"proxy": args.proxy, "dataset": args.dataset, "batch": args.batch, "seed": args.seed,
                    "setup": setup.to_dict(), "scores": rows})
        return 0
    print(f"{'index':>6}  {'score':>12}  {'seconds':>8}  cached  cell")
    for r in res:
        idx = "-" if r.index is None else str(r.index)
        sec = "-" if r.seconds is None else f"{r.seconds:.2f}"
        print(f"{idx:>6}  {r.score:12.4f}  {sec:>8}  {'yes' if r.cached else 'no ':>6}  {r.cell}")
    return 0
