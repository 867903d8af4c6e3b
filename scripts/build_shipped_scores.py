#!/usr/bin/env python
"""Export the NAS-WOT scores of every NAS-Bench-201 cell from a score cache into
``benchmarks_data/naswot_nb201_cifar10.npz`` (shipped; import with ``dagfilter data import-scores``).

The cache must hold all 15,625 cells for one setup (proxy, data set, batch, seed, this package
version); the file records that setup, the data source and a SHA-256 of the scores.

Example::

    python scripts/build_shipped_scores.py --cache-dir runs/cache --data-source "CIFAR-10 training batches (shared/data/cifar10)"
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cache-dir", default="runs/cache")
    p.add_argument("--proxy", default="naswot")
    p.add_argument("--dataset", default="cifar10")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-source", default="CIFAR-10 python training batches (Krizhevsky 2009), seeded minibatch")
    p.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "benchmarks_data" /
                                        "naswot_nb201_cifar10.npz"))
    args = p.parse_args(argv)

    from dagfilter.cache import ScoreCache
    from dagfilter.proxies import ScoringSetup
    from dagfilter.proxies.shipped import write_shipped_scores

    cache = ScoreCache(args.cache_dir)
    setup = ScoringSetup(args.proxy, args.dataset, batch_size=args.batch, seed=args.seed)
    out = write_shipped_scores(cache, args.out, setup, args.data_source)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
