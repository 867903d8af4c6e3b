"""``dagfilter data ...``: build or inspect compact benchmark tables."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, print_json

EPILOG = """examples:
  dagfilter data import --from-nats ~/.torch/NATS-tss-v1_0-3ffb9-simple --out nb201_official.npz
  dagfilter data import --from-nats NATS-tss-v1_0-3ffb9-full.pickle.pbz2 --out nb201_official.npz
  dagfilter data import --from-nds ~/nds_data/ --out nds.npz        # DARTS.json, ENAS.json, ... *_in.json
  dagfilter data info                                                 # shipped tables
  dagfilter data info nb201_official.npz --json
  dagfilter data import-scores --cache-dir runs/cache               # shipped NAS-WOT scores of all 15,625 cells
  dagfilter data import-scores --space darts --cache-dir runs/cache  # ... and of the 725 darts725 cells

An imported table opens with dagfilter.bench.load(PATH) or --benchmark PATH in 'query' / 'best'.
Importing the full NATS-Bench reads every architecture file: it shows progress, checkpoints to
OUT.partial.npz, and resumes from there when re-run.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("data", help="import official benchmark files or the shipped NAS-WOT scores; table info",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    imp = sub.add_parser("import", help="rebuild a compact table from official / NDS files",
                         epilog=EPILOG, formatter_class=HELP_FORMATTER)
    src = imp.add_mutually_exclusive_group(required=True)
    src.add_argument("--from-nats", metavar="PATH", help="NATS-Bench tss fast-mode folder or .pickle.pbz2 file")
    src.add_argument("--from-nds", metavar="PATH", help="an NDS .json file or a folder of them")
    imp.add_argument("--out", required=True, help="output table (.npz)")
    imp.add_argument("--checkpoint-every", type=int, default=500, help="architectures between checkpoints")
    sc = sub.add_parser("import-scores", formatter_class=HELP_FORMATTER,
                        help="write the shipped NAS-WOT scores of all NAS-Bench-201 cells into a score cache",
                        description="Write the shipped NAS-WOT scores of all 15,625 NAS-Bench-201 cells (CIFAR-10 "
                                    "minibatch, batch 128, score seed 0) into a score cache, under the key a "
                                    "live computation of that setup uses; searches then read them instead of "
                                    "running a forward pass.")
    sc.add_argument("--cache-dir", default=None, help="score cache directory (default $DAGFILTER_CACHE or "
                                                      "~/.cache/dagfilter)")
    sc.add_argument("--proxy", default="naswot", help="which shipped scores (default naswot)")
    sc.add_argument("--space", choices=["nb201", "darts"], default="nb201",
                    help="nb201: the 15,625 NAS-Bench-201 cells (default); darts: the 725 cells of the darts725 "
                         "pool (DARTS network with 16 channels, 8 cells)")
    info = sub.add_parser("info", help="describe a table (default: the shipped ones)", formatter_class=HELP_FORMATTER)
    info.add_argument("table", nargs="?", default=None, help="table path or benchmark name")
    info.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _describe(api) -> dict:
    figs = [f"{f.dataset}/{f.split}/hp={f.hp}/{f.trials}" for f in api.available_figures()]
    meta = getattr(api, "meta", {})
    return {"benchmark": api.name, "rows": len(api), "figures": figs,
            "data_version": meta.get("data_version"), "source": meta.get("source"), "sha256": meta.get("sha256")}


def run(args: argparse.Namespace) -> int:
    from .. import bench
    from ..errors import ConfigError

    if args.data_command == "import":
        from ..outfiles import stderr_note

        if args.from_nats:
            from ..bench.official import import_nats_table

            out = import_nats_table(args.from_nats, args.out, checkpoint_every=args.checkpoint_every,
                                    notify=stderr_note)
        else:
            from ..bench.nds import load_nds

            load_nds(args.from_nds, cache=args.out, notify=stderr_note)
            out = args.out
        print(f"wrote {out}")
        return 0
    if args.data_command == "import-scores":
        from ..cache import ScoreCache
        from ..proxies.shipped import import_darts725_scores, import_shipped_scores

        cache = ScoreCache(args.cache_dir)
        if args.space == "darts":
            if args.proxy != "naswot":
                raise ConfigError(f"the darts725 pool ships naswot scores only, not {args.proxy!r}")
            shipped = import_darts725_scores(cache)
        else:
            shipped = import_shipped_scores(cache, args.proxy)
        m = shipped.meta
        print(f"imported {len(shipped.scores)} {m['proxy']} scores ({m['dataset']}, batch {m['batch']}, seed {m['seed']}, "
              f"dagfilter {m['version']}) into {cache.path}")
        print("searches and 'dagfilter rank' with the same setup (--dataset cifar10 with the full CIFAR-10 "
              "--data-dir, --batch 128, --score-seed 0" + (", --space darts" if args.space == "darts" else "")
              + ") now read them")
        return 0
    if args.data_command == "info":
        names = [args.table] if args.table else list(bench.available())
        rows = [_describe(bench.load(n)) for n in names]
        if args.json:
            print_json(rows if len(rows) > 1 else rows[0])
            return 0
        for r in rows:
            print(f"{r['benchmark']}: {r['rows']} rows, version {r['data_version']}, sha256 {str(r['sha256'])[:12]}")
            print(f"  source: {r['source']}")
            for f in r["figures"]:
                print(f"  {f}")
        return 0
    raise ConfigError("dagfilter data needs an action: import, import-scores or info (see dagfilter data --help)")
