"""``dagfilter funnel``: train a search's top-k cells briefly, rank them, compare with the benchmark."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import HELP_FORMATTER, print_json

EPILOG = """\
SOURCE is a search-result JSON file (dagfilter search --out result.json): its top-K evaluated
cells by search score are trained. It may also be a text file with one cell per line (the
first K are used).

Ranks:
  capacitance  a frozen random MLP probe replaces the classifier; beta_eff of the probe and
               the validation accuracy are recorded during the brief training and the final
               accuracy is predicted at beta_eff -> 0 (Bayesian ridge regression)
  criticality  the plain network is trained; network criticality (sum of module
               criticalities, lower is better) ranks the cells

The table shows the predicted order next to the benchmark's (NAS-Bench-201 200-epoch test
accuracy) with Kendall's tau, and the tau of the brief training's own validation accuracy as
the baseline. Runs go to OUT/<n>-<rank>/ and are resumable: re-run the same command after an
interruption.

Examples:
  dagfilter funnel result.json --k 10 --epochs 2 --rank capacitance --data-dir /data/cifar10
  dagfilter funnel result.json --k 5 --epochs 1 --rank criticality --subset 1000 --out runs/funnel
  dagfilter funnel cells.txt --k 3 --epochs 1 --channels 4 --subset 256 --json
"""


def register(subparsers: Any) -> None:
    """Add the ``funnel`` sub-command."""
    p = subparsers.add_parser(
        "funnel", help="briefly train a search's top-k cells and rank them (capacitance / criticality)",
        description="Train the top-K cells of a search briefly on a data subset, rank them by neural "
                    "capacitance or module criticality, and report the predicted order next to the "
                    "benchmark's true order with Kendall's tau.",
        epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("source", metavar="SOURCE", help="search-result JSON file, or a text file of cells")
    p.add_argument("--k", type=int, default=10, help="number of top cells to train (default 10)")
    p.add_argument("--epochs", type=int, default=1, help="brief-training epochs (default 1)")
    p.add_argument("--rank", choices=["capacitance", "criticality"], default="capacitance",
                   help="ranking evidence (default capacitance)")
    p.add_argument("--data-dir", default=None, help="data directory (default: from the environment)")
    p.add_argument("--dataset", default="cifar10", help="training data set (default cifar10)")
    p.add_argument("--out", default="runs/funnel", help="run directory (default runs/funnel)")
    p.add_argument("--subset", type=int, default=1000, help="training images (default 1000)")
    p.add_argument("--val-subset", type=int, default=500, help="validation images (default 500)")
    p.add_argument("--channels", type=int, default=8, help="network width C (default 8)")
    p.add_argument("--layers", type=int, default=1, help="cells per stage / cells (default 1)")
    p.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    p.add_argument("--lr", type=float, default=0.05, help="learning rate (default 0.05)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--observe-every", type=int, default=None,
                   help="capacitance: steps between observations (default: a quarter epoch)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _source(value: str) -> Any:
    from ..errors import ConfigError

    from ..encodings.parse import read_text_file

    path = Path(value)
    text = read_text_file(path, "funnel source")
    if text.lstrip().startswith("{"):
        return str(path)
    cells = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not cells:
        raise ConfigError(f"{value!r} holds no cells")
    return cells


def run(args: argparse.Namespace) -> int:
    """Run the funnel and print the table (or JSON)."""
    from ..trained import funnel

    res = funnel(_source(args.source), k=args.k, epochs=args.epochs, rank=args.rank, out=args.out,
                 data_dir=args.data_dir, dataset=args.dataset, progress=not args.quiet, subset=args.subset,
                 val_subset=args.val_subset, channels=args.channels, layers=args.layers,
                 batch_size=args.batch_size, lr=args.lr, seed=args.seed, observe_every=args.observe_every)
    if args.json:
        print_json(res.to_dict())
    else:
        print(res.format_table())
        print(f"(details: {Path(args.out) / f'funnel-{args.rank}.json'})")
    return 0
