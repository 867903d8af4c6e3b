#!/usr/bin/env python
"""Score the fixed 1,000-cell NAS-Bench-201 subset with every shared-pass proxy (resumable background job).

Phases, each resumable through the score cache (one row per proxy and cell, the same key a live
``CellScorer`` would use: CIFAR-10 training minibatch of ``--batch`` images, score seed ``--seed``):

0. timing: on the first ``--timing-cells`` subset cells, CPU seconds (``time.process_time``, one
   thread) of every proxy computed alone, of NAS-WOT (the baseline) and of all proxies in one shared
   call, side by side; written to ``<cache-dir>/timing.json``;
1. the most valuable proxies in one shared pass per cell: the AZ-NAS terms, ZiCo, MeCo, SWAP, and
   snip / grad_norm / fisher (they reuse the same backward), cells in subset (draw) order;
2. jacov, synflow, zen.

``--plan`` interleaves them (default ``1:250,2:120,1:1000,2:1000``: phase 1 on the first 250 cells,
phase 2 on the first 120, then both to the end), so that a shared CPU still yields every proxy on a
uniform prefix of the subset.

Run it niced, on one thread::

    nohup nice -n 10 env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python scripts/score_proxy_subset.py \\
        --cache-dir runs/proxycache --data-dir ../shared/data/cifar10 > runs/proxy_subset.log 2>&1 &

A new machine whose cache is gone can continue from the shipped file: ``--seed-from-shipped`` copies
every finished score of ``benchmarks_data/proxies_nb201_subset1000.npz`` (and its CPU timing) into the
cache first, so only the missing cells are scored.

Export what is finished (``benchmarks_data/proxies_nb201_subset1000.npz``, SHA-256 checked)::

    python scripts/score_proxy_subset.py --cache-dir runs/proxycache --export
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

PHASE1 = ("az_expressivity", "az_progressivity", "az_trainability", "zico", "meco", "swap",
          "snip", "grad_norm", "fisher")
PHASE2 = ("jacov", "synflow", "zen")
ALL = PHASE1 + PHASE2
OUT = Path(__file__).resolve().parents[1] / "benchmarks_data" / "proxies_nb201_subset1000.npz"


def _log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def timing(cells: list[str], images, labels, seed: int, path: Path) -> dict:
    """CPU seconds per cell of each proxy alone, NAS-WOT and the joint call."""
    import torch

    from dagfilter.proxies import get_proxy
    from dagfilter.proxies.passes import compute_proxies
    from dagfilter.proxies.scoring import build_network

    rows: dict[str, list[float]] = {}
    for cell in cells:
        for name in ("naswot",) + ALL + ("joint",):
            torch.manual_seed(seed)
            net = build_network(cell).train()
            t0 = time.process_time()
            if name == "joint":
                compute_proxies(net, images, labels, ALL, channels_last=False)
            elif name == "naswot":
                with torch.no_grad():
                    get_proxy("naswot").fn(net, images, labels)
            else:
                get_proxy(name).fn(net, images, labels)
            rows.setdefault(name, []).append(time.process_time() - t0)
        _log(f"timing {len(rows['joint'])}/{len(cells)}")
    res = {"cells": cells, "cpu_seconds": rows, "threads": torch.get_num_threads(),
           "mean": {k: sum(v) / len(v) for k, v in rows.items()}}
    path.write_text(json.dumps(res, indent=1))
    return res


def run_phase(names: tuple[str, ...], cells: list[str], indices: list[int], images, labels, cache, args) -> None:
    import torch

    from dagfilter.proxies.passes import compute_proxies
    from dagfilter.proxies.scoring import build_network

    have = {n: cache.get_many(cells, (n, "cifar10", args.batch, args.seed)) for n in names}
    todo = [k for k, c in enumerate(cells) if any(c not in have[n] for n in names)]
    _log(f"phase {names}: {len(cells) - len(todo)} cached, {len(todo)} to score")
    t_start = time.time()
    for done, k in enumerate(todo, 1):
        cell = cells[k]
        torch.manual_seed(args.seed)
        net = build_network(cell).train()
        t0 = time.process_time()
        scores = compute_proxies(net, images, labels, names, channels_last=False)  # the shipped file's kernels
        sec = time.process_time() - t0
        for n, s in scores.items():
            cache.put_many([(cell, s, sec, indices[k])], (n, "cifar10", args.batch, args.seed))
        if done % 10 == 0 or done == len(todo):
            rate = (time.time() - t_start) / done
            _log(f"  {done}/{len(todo)} cells, {rate:.2f} s/cell wall, last {sec:.2f} s CPU")


def seed_cache_from_shipped(cache, cache_dir: Path, batch: int, seed: int) -> int:
    """Copy the shipped subset scores (finished cells only) and their timing into ``cache``.

    The CPU seconds of a seeded row are not known per cell; they are stored as missing (None)."""
    import math

    from dagfilter.encodings.nb201 import index_strings
    from dagfilter.proxies.subset import load_subset_scores

    shipped = load_subset_scores()
    if shipped.meta.get("batch") != batch or shipped.meta.get("seed") != seed:
        raise SystemExit(f"the shipped scores use batch {shipped.meta.get('batch')}, seed {shipped.meta.get('seed')}; "
                         f"this run asks for batch {batch}, seed {seed}")
    cells = index_strings(shipped.indices.tolist())
    n = 0
    for proxy, row in shipped.scores.items():
        rows = [(cells[k], float(v), None, int(shipped.indices[k])) for k, v in enumerate(row) if not math.isnan(v)]
        cache.put_many(rows, (proxy, "cifar10", batch, seed))
        n += len(rows)
    tpath = cache_dir / "timing.json"
    if "timing" in shipped.meta and not tpath.exists():
        tpath.write_text(json.dumps(shipped.meta["timing"], indent=1))
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cache-dir", default="runs/proxycache")
    p.add_argument("--data-dir", default=None, help="CIFAR-10 folder (default: $DAGFILTER_CIFAR10_DIR etc.)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timing-cells", type=int, default=10)
    p.add_argument("--limit", type=int, default=None, help="score only the first N subset cells")
    p.add_argument("--plan", default="1:250,2:120,1:1000,2:1000",
                   help="PHASE:UPTO steps: run phase 1 or 2 on the first UPTO subset cells, in order")
    p.add_argument("--seed-from-shipped", action="store_true",
                   help="copy the finished scores of the shipped file into the cache before scoring")
    p.add_argument("--export", action="store_true", help="write the shipped score file from the cache and stop")
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args(argv)

    import torch

    from dagfilter.cache import ScoreCache
    from dagfilter.encodings.nb201 import index_strings
    from dagfilter.proxies.subset import nb201_subset, write_subset_scores

    torch.set_num_threads(1)
    cache = ScoreCache(args.cache_dir)
    if args.seed_from_shipped:
        n = seed_cache_from_shipped(cache, Path(args.cache_dir), args.batch, args.seed)
        _log(f"seeded the cache with {n} shipped scores")
    if args.export:
        tpath = Path(args.cache_dir) / "timing.json"
        extra = {"timing": json.loads(tpath.read_text())} if tpath.exists() else {}
        res = write_subset_scores(cache, args.out, list(ALL), "cifar10", args.batch, args.seed,
                                  "CIFAR-10 python training batches (Krizhevsky 2009), seeded minibatch", extra)
        print(f"wrote {args.out}: " + ", ".join(f"{p} {res.count(p)}" for p in ALL))
        return 0
    indices = nb201_subset().tolist()[: args.limit]
    cells = index_strings(indices)
    from dagfilter.data import fixed_batch

    images, labels = fixed_batch("cifar10", args.data_dir, args.batch, args.seed)
    tpath = Path(args.cache_dir) / "timing.json"
    if args.timing_cells and not tpath.exists():
        timing(cells[: args.timing_cells], images, labels, args.seed, tpath)
    for step in args.plan.split(","):
        phase, _, upto = step.partition(":")
        n = int(upto) if upto else len(cells)
        run_phase(PHASE1 if phase == "1" else PHASE2, cells[:n], indices[:n], images, labels, cache, args)
    _log("all done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
