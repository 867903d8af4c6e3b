#!/usr/bin/env python
"""Benchmark: NAS-WOT alone vs NAS-WOT + DAG filter on NAS-Bench-201, live scoring on CIFAR-10.

What it does (all results go to one JSON file, ``--out``):

1. ``searches``: for each seed, NAS-WOT and NAS-WOT + filter (fraction ``--fraction``), N =
   ``--samples`` drawn candidates (the filtered search scores only the accepted ones; same
   candidate stream per seed), plus the random-search baseline (benchmark validation accuracy)
   with and without the filter. Seeds share the persistent score cache (``--cache-dir``), so
   the cost of a search is reported as the summed *cold* per-cell scoring time recorded in the
   cache; ``cold`` below measures real wall-clocks with an empty cache.
2. ``fidelity``: Spearman rank correlation between the cached NAS-WOT scores of every distinct
   cell scored by the searches (a uniformly random set of cells; topped up with more random
   cells until ``--fidelity-min``) and NAS-Bench-201 test accuracy on CIFAR-10, CIFAR-100 and
   ImageNet16-120 (200 epochs).
3. ``cold``: one more seed (``--cold-seed``) of each search with no cache: wall-clock seconds.
4. ``timing``: per-cell NAS-WOT time, sequential, ``--threads`` torch threads, batch 128
   (median over ``--time-cells`` cells), and the filter's per-cell overhead.

Interrupt at any time and rerun the same command: finished scores come from the cache.

Example::

    python scripts/bench_search.py --seeds 20 --samples 100 --fraction 0.5 \
        --data-dir /work/shared/data/cifar10 --cache-dir runs/cache --out runs/bench_search.json --n-jobs 2
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def _mean_std(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs, dtype=np.float64)
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if len(a) > 1 else 0.0, "n": int(len(a))}


def _default_data_dir() -> str:
    shared = Path(os.environ.get("DAGFILTER_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
    return str(shared / "data" / "cifar10")


def run_searches(args: argparse.Namespace, cache) -> list[dict]:
    import searchers
    from dagfilter import DAGFilter

    flt = DAGFilter.from_space("nb201", fraction=args.fraction)
    nw = searchers.get("naswot", data_dir=args.data_dir, batch_size=args.batch, n_jobs=args.n_jobs,
                       cache=cache, chunk_size=args.chunk_size)
    rnd = searchers.get("random")
    rows = []
    for seed in range(args.seed0, args.seed0 + args.seeds):
        row = {"seed": seed}
        for label, s, f in (("naswot", nw, None), ("naswot+filter", nw, flt),
                            ("random", rnd, None), ("random+filter", rnd, flt)):
            res = s.search("nb201", args.samples, seed, filter=f, progress=not args.quiet)
            row[label] = {"chosen_cell": res.chosen_cell, "chosen_index": res.chosen_index, "score": res.score,
                          "evaluated": res.evaluated, "skipped": res.skipped,
                          "scoring_seconds": res.scoring_seconds, "computed_seconds": res.computed_seconds,
                          "wall_seconds": res.wall_seconds, "filter_seconds": res.filter_seconds,
                          "accuracies": res.accuracies}
        rows.append(row)
        a, b = row["naswot"], row["naswot+filter"]
        print(f"seed {seed}: naswot c10 {a['accuracies']['cifar10_test_200']:.2f} ({a['evaluated']} scored, "
              f"{a['scoring_seconds']:.0f} s) | +filter c10 {b['accuracies']['cifar10_test_200']:.2f} "
              f"({b['evaluated']} scored, {b['scoring_seconds']:.0f} s)", file=sys.stderr, flush=True)
    return rows


def summarize(rows: list[dict]) -> dict:
    out = {}
    for label in ("naswot", "naswot+filter", "random", "random+filter"):
        rs = [r[label] for r in rows]
        out[label] = {
            **{k: _mean_std([r["accuracies"][k] for r in rs])
               for k in ("cifar10_test_200", "cifar100_test_200", "imagenet16_test_200")},
            "evaluated": _mean_std([r["evaluated"] for r in rs]),
            "scoring_seconds": _mean_std([r["scoring_seconds"] for r in rs]),
        }
    tot_f = sum(r["naswot+filter"]["scoring_seconds"] for r in rows)
    tot_u = sum(r["naswot"]["scoring_seconds"] for r in rows)
    out["cost_ratio_filtered_over_unfiltered"] = tot_f / tot_u if tot_u else float("nan")
    out["cells_ratio_filtered_over_unfiltered"] = (sum(r["naswot+filter"]["evaluated"] for r in rows)
                                                   / max(1, sum(r["naswot"]["evaluated"] for r in rows)))
    return out


def fidelity(args: argparse.Namespace, cache) -> dict:
    from scipy.stats import spearmanr

    from dagfilter.proxies import Execution, ScoringSetup, score_cells
    from searchers.benchmark import NB201Table

    table = NB201Table()
    setup = ScoringSetup("naswot", "cifar10", args.data_dir, args.batch, args.score_seed)

    def cached():
        return {i: r.score for i, r in cache.by_nb201_index(setup.key).items()}

    have = cached()
    if len(have) < args.fidelity_min:
        order = np.random.default_rng(args.fidelity_seed).permutation(15625)
        extra = [int(i) for i in order if int(i) not in have][:args.fidelity_min - len(have)]
        score_cells(extra, setup, cache, Execution(args.n_jobs, chunk_size=args.chunk_size, progress=not args.quiet,
                                                  desc="fidelity top-up"))
        have = cached()
    idx = np.array(sorted(have))
    scores = np.array([have[i] for i in idx])
    out = {"cells": int(len(idx)), "non_finite_scores": int((~np.isfinite(scores)).sum())}
    for col in ("cifar10_test_200", "cifar100_test_200", "imagenet16_test_200", "cifar10valid_valid_200"):
        rho = spearmanr(scores, table.metric(idx, col)).statistic
        out[col] = float(rho)
    return out


def cold(args: argparse.Namespace) -> dict:
    import searchers
    from dagfilter import DAGFilter

    flt = DAGFilter.from_space("nb201", fraction=args.fraction)
    nw = searchers.get("naswot", data_dir=args.data_dir, batch_size=args.batch, n_jobs=args.n_jobs, cache=None,
                       chunk_size=args.chunk_size)
    out = {}
    for label, f in (("naswot", None), ("naswot+filter", flt)):
        res = nw.search("nb201", args.samples, args.cold_seed, filter=f, progress=not args.quiet)
        out[label] = {"wall_seconds": res.wall_seconds, "evaluated": res.evaluated,
                      "scoring_seconds": res.scoring_seconds, "accuracies": res.accuracies}
    out["wall_ratio"] = out["naswot+filter"]["wall_seconds"] / out["naswot"]["wall_seconds"]
    return out


def timing(args: argparse.Namespace) -> dict:
    import torch

    from dagfilter import DAGFilter
    from dagfilter.proxies import CellScorer, ScoringSetup
    from dagfilter.spaces import get_space

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.fidelity_seed + 1)
    cells = [int(i) for i in rng.choice(15625, size=args.time_cells, replace=False)]
    sc = CellScorer(ScoringSetup("naswot", "cifar10", args.data_dir, args.batch, args.score_seed))
    sc.minibatch()
    sc.score_timed(cells[0])  # warm-up
    times, cpu = [], []
    for i in cells:
        c0 = time.process_time()
        times.append(sc.score_timed(i)[1])
        cpu.append(time.process_time() - c0)
    flt = DAGFilter.from_space("nb201", fraction=args.fraction)
    space = get_space("nb201")
    archs = [space.arch(i) for i in range(2000)]
    t0 = time.perf_counter()
    for a in archs:
        flt.accepts(a)
    per_cell_scalar = (time.perf_counter() - t0) / len(archs)
    t0 = time.perf_counter()
    flt.mask(np.arange(15625))
    per_cell_vector = (time.perf_counter() - t0) / 15625
    t0 = time.perf_counter()
    for _ in range(20):
        flt.mask(np.random.default_rng(0).permutation(15625)[:100])
    per_cell_search = (time.perf_counter() - t0) / 2000
    return {"threads": args.threads, "batch": args.batch, "cells": len(times),
            "median_s": statistics.median(times), "mean_s": statistics.fmean(times),
            "median_cpu_s": statistics.median(cpu),
            "median_cpu_per_thread_s": statistics.median(cpu) / args.threads,
            "min_s": min(times), "max_s": max(times), "load_average": list(os.getloadavg()),
            "filter_accepts_per_cell_s": per_cell_scalar, "filter_mask_per_cell_s": per_cell_vector,
            "filter_mask_in_search_per_cell_s": per_cell_search}


def print_table(summary: dict | None, fid: dict | None, cold_: dict | None, tim: dict | None) -> None:
    if summary:
        print("\n| search | CIFAR-10 | CIFAR-100 | ImageNet16-120 | cells scored | scoring s (cold cost) |")
        print("|---|---|---|---|---|---|")
        for label in ("naswot", "naswot+filter", "random", "random+filter"):
            s = summary[label]
            f = lambda k: f"{s[k]['mean']:.2f} ± {s[k]['std']:.2f}"  # noqa: E731
            print(f"| {label} | {f('cifar10_test_200')} | {f('cifar100_test_200')} | {f('imagenet16_test_200')} | "
                  f"{f('evaluated')} | {f('scoring_seconds')} |")
        print(f"\ncost ratio filtered/unfiltered (summed cold per-cell time): "
              f"{summary['cost_ratio_filtered_over_unfiltered']:.3f}; cells ratio "
              f"{summary['cells_ratio_filtered_over_unfiltered']:.3f}")
    if cold_:
        print(f"cold cache, seed {cold_.get('seed')}: naswot {cold_['naswot']['wall_seconds']:.1f} s, "
              f"+filter {cold_['naswot+filter']['wall_seconds']:.1f} s, ratio {cold_['wall_ratio']:.3f}")
    if fid:
        print(f"fidelity over {fid['cells']} cells: Spearman c10 {fid['cifar10_test_200']:.3f}, "
              f"c100 {fid['cifar100_test_200']:.3f}, IN16 {fid['imagenet16_test_200']:.3f}")
    if tim:
        print(f"per-cell NAS-WOT time ({tim['threads']} threads, batch {tim['batch']}): median {tim['median_s']:.3f} s "
              f"(min {tim['min_s']:.3f}, max {tim['max_s']:.3f}; CPU time {tim['median_cpu_s']:.3f} s = "
              f"{tim['median_cpu_per_thread_s']:.3f} s per thread; load {tim['load_average'][0]:.1f}); "
              f"filter overhead per cell: "
              f"{tim['filter_accepts_per_cell_s'] * 1e6:.1f} us (accepts), "
              f"{tim['filter_mask_in_search_per_cell_s'] * 1e6:.2f} us (vectorized mask of 100)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--seed0", type=int, default=0)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--score-seed", type=int, default=0)
    p.add_argument("--data-dir", default=_default_data_dir())
    p.add_argument("--cache-dir", default="runs/cache")
    p.add_argument("--out", default="runs/bench_search.json")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--chunk-size", type=int, default=2)
    p.add_argument("--threads", type=int, default=2, help="torch threads for the per-cell timing")
    p.add_argument("--time-cells", type=int, default=30)
    p.add_argument("--fidelity-min", type=int, default=1000)
    p.add_argument("--fidelity-seed", type=int, default=12345)
    p.add_argument("--cold-seed", type=int, default=1000)
    p.add_argument("--skip", nargs="*", default=[], choices=["searches", "fidelity", "cold", "timing"])
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    from dagfilter.cache import ScoreCache

    cache = ScoreCache(args.cache_dir)
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    report: dict = {"config": {k: v for k, v in vars(args).items()}, "cpu_count": os.cpu_count()}
    if out_path.exists():
        try:
            report.update({k: v for k, v in json.loads(out_path.read_text()).items() if k != "config"})
        except json.JSONDecodeError:
            pass

    def save() -> None:
        out_path.write_text(json.dumps(report, indent=2))

    if "timing" not in args.skip:
        report["timing"] = timing(args)
        save()
    if "searches" not in args.skip:
        t0 = time.perf_counter()
        rows = run_searches(args, cache)
        report["searches"] = {"rows": rows, "summary": summarize(rows), "wall_seconds": time.perf_counter() - t0}
        save()
    if "fidelity" not in args.skip:
        report["fidelity"] = fidelity(args, cache)
        save()
    if "cold" not in args.skip:
        report["cold"] = {**cold(args), "seed": args.cold_seed}
        save()
    report["load_average_end"] = list(os.getloadavg())
    save()
    print_table(report["searches"]["summary"] if "searches" in report else None, report.get("fidelity"),
                report.get("cold"), report.get("timing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
