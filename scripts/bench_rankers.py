#!/usr/bin/env python
"""Benchmark: how well each ranker (analytic, live NAS-WOT, combinations) ranks architectures,
and what a search with it finds - without computing anything new.

1. ``correlation``: Spearman, Kendall tau-b and top-5 % precision of every ranker against
   NAS-Bench-201 test accuracy (200 epochs) on CIFAR-10, CIFAR-100 and ImageNet16-120:
   analytic rankers over all 15,625 cells and over the cells whose NAS-WOT score is cached;
   NAS-WOT and its combinations over the cached cells only (``--cache-dir``, filled by
   ``scripts/bench_search.py``; CIFAR-10 minibatch, batch 128, score seed 0). The 2020 NAS-WOT
   score shipped in the benchmark table (``naswot_v1``, Jacobian covariance) is listed for
   reference over all cells.
2. ``darts``: analytic rankers over the 725 DARTS-space genotypes vs their CIFAR-10 validation
   accuracy.
3. ``search``: simulated searches (N = ``--samples``, ``--seeds`` seeds) restricted to the cached
   pool: each seed draws N distinct cells uniformly from the cached cells (not from the whole
   space - the restriction that makes every NAS-WOT score a cache hit), optionally filters them
   (fraction ``--fraction``), scores them with the ranker (isomorphism-aware: one NAS-WOT
   evaluation per class) and keeps the best. Reported: mean ± std test accuracy of the chosen
   cells and forward passes spent (cold cost; cache hits count, isomorphism reuse does not).

When every NB201 cell is cached the pool *is* the space: each seed then draws exactly the
candidate stream of a live ``dagfilter search --seed SEED`` (``numpy.random.default_rng(seed)``
permutation of the 15,625 indices), so the simulated searches are the live searches.

The NAS-WOT scores of every cell for the default setup ship with dagfilter: run
``dagfilter data import-scores --cache-dir runs/cache`` first to reproduce every table here
without scoring anything (``tests/test_shipped_scores.py`` rescores cells live to check them).

Every number comes from cached scores and benchmark tables; 200 seeds take well under a
minute (10,000 about ten) and the script can simply be rerun as the cache grows.

Protocol for issue #10's search target (fixed on 2026-11-23 *before* the NAS-WOT scores of
the whole space existed, so that the recipe is not chosen by its outcome):

* headline: ``naswot+prior`` with the default recipe (rank-sum of params and d_bar), rank
  combination, filter fraction 0.5, N = 100 drawn, ``iso="search"``; NAS-WOT scores
  naswot/cifar10/batch 128/seed 0;
* reported on seeds 0-99 (what the issue asks; equal to the live runs on those seeds) and on
  seeds 0-9,999, whose mean (standard error ~0.02 on ImageNet16-120) is the estimate the
  targets are read against;
* secondary, reported but not replacing the headline: ``naswot+prior:params,d_bar,window_distance``
  and ``zscore(naswot+prior)`` on the same seeds. The default recipe is not changed on the
  strength of these results.

Example::

    python scripts/bench_rankers.py --cache-dir runs/cache --seeds 200 --out runs/bench_rankers.json \
        --md runs/bench_rankers.md
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ACC = (("cifar10_test_200", "C10"), ("cifar100_test_200", "C100"), ("imagenet16_test_200", "IN16"))
ANALYTIC = ("params", "flops", "d_bar", "m_bar", "nn_mass", "window_distance", "window_distance:l2", "prior",
            "zscore(params+d_bar)", "prior:params,d_bar,window_distance")
LIVE = ("naswot", "naswot+prior", "naswot+d_bar", "naswot+params", "zscore(naswot+prior)", "2*naswot+prior",
        "naswot+prior:params,d_bar,window_distance")
SEARCHES = (("naswot", "naswot", False), ("naswot + filter", "naswot", True), ("prior", "prior", False),
            ("prior + filter", "prior", True), ("naswot + prior", "naswot+prior", False),
            ("naswot + prior + filter", "naswot+prior", True), ("params", "params", False),
            ("params + filter", "params", True), ("d_bar", "d_bar", False),
            ("zscore(naswot + prior) + filter", "zscore(naswot+prior)", True),
            ("naswot + prior:params,d_bar,window_distance + filter", "naswot+prior:params,d_bar,window_distance", True),
            ("uniform pick (no score)", None, False))


def cached_pool(cache, dataset: str, batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and NAS-WOT scores of every cached NB201 cell of this setup (current version)."""
    from dagfilter.proxies import ScoringSetup

    rows = cache.by_nb201_index(ScoringSetup("naswot", dataset, batch_size=batch, seed=seed).key)
    idx = np.asarray(sorted(rows), dtype=np.int64)
    return idx, np.asarray([rows[i].score for i in idx], dtype=np.float64)


def correlation(args, ctx, table, pool: np.ndarray) -> list[dict]:
    from dagfilter.rankers import get_ranker, rank_quality

    out = []
    everything = np.arange(15625)
    truths = {k: table[k].to_numpy(np.float64) for k, _ in ACC}
    complete = len(pool) == len(everything)
    for spec in ANALYTIC + LIVE:
        r = get_ranker(spec, ctx)
        for subset, idx in (("all", everything), ("cached", pool)):
            if (r.kind == "live" and subset == "all" and not complete) or (complete and subset == "cached"):
                continue  # live scores only where cached; with every cell cached "cached" is "all"
            if len(idx) < 2:
                continue
            t0 = time.perf_counter()
            s = r.scores("nb201", idx)
            cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            s = r.scores("nb201", idx)
            dt = time.perf_counter() - t0
            row = {"ranker": r.name, "kind": r.kind, "cells": subset, "n": int(len(idx)), "seconds": dt,
                   "cold_seconds": cold}
            for k, label in ACC:
                q = rank_quality(s, truths[k][idx])
                row.update({f"{label}_spearman": q["spearman"], f"{label}_kendall": q["kendall"],
                            f"{label}_top5": q["top_precision"]})
            out.append(row)
    if "naswot_v1_score_cifar10" in table.columns:
        s = table["naswot_v1_score_cifar10"].to_numpy(np.float64)
        row = {"ranker": "naswot_v1 (table, 2020 score)", "kind": "reference", "cells": "all", "n": 15625,
               "seconds": None}
        for k, label in ACC:
            q = rank_quality(s, truths[k])
            row.update({f"{label}_spearman": q["spearman"], f"{label}_kendall": q["kendall"],
                        f"{label}_top5": q["top_precision"]})
        out.append(row)
    return out


def darts(ctx) -> list[dict]:
    from dagfilter import bench
    from dagfilter.encodings.parse import parse_arch
    from dagfilter.rankers import get_ranker, rank_quality

    b = bench.load("darts725")
    tab = b.table()
    genos = [parse_arch(json.loads(g) if isinstance(g, str) else g) for g in tab["genotype"]]
    acc = tab["val_accuracy"].to_numpy(np.float64)
    out = []
    for spec in ANALYTIC + ("d_bar:reduce", "m_bar:reduce"):
        r = get_ranker(spec, ctx)
        t0 = time.perf_counter()
        s = r.scores("darts", genos)
        dt = time.perf_counter() - t0
        q = rank_quality(s, acc)
        out.append({"ranker": r.name, "n": len(genos), "seconds": dt, "spearman": q["spearman"],
                    "kendall": q["kendall"], "top5": q["top_precision"]})
    return out


def search(args, ctx, table, pool: np.ndarray, searches=SEARCHES) -> list[dict]:
    """Simulated searches for every ``(name, spec, filtered)`` of ``searches``; each row keeps the
    chosen cell index of every seed (``chosen``).

    ``args.draw == "pool"``: each seed draws N cells from ``pool`` (every live score a cache hit).
    ``args.draw == "stream"``: each seed draws the live candidate stream (a seeded permutation of
    all 15,625 cells); a row whose live ranker meets an uncached cell in any seed gets no numbers
    (``missing_from_seed`` names the first such seed), so no row is a biased subset of seeds.
    """
    from tqdm import tqdm

    from dagfilter import DAGFilter
    from dagfilter.rankers import get_ranker

    flt = DAGFilter.from_space("nb201", fraction=args.fraction)
    rankers = {spec: get_ranker(spec, ctx) for _, spec, _ in searches if spec}
    accs = {k: table[k].to_numpy(np.float64) for k, _ in ACC}
    cached = np.zeros(15625, dtype=bool)
    cached[pool] = True
    res: dict[str, dict[str, list]] = {name: {"acc": [], "passes": [], "reused": [], "scored": [], "chosen": []}
                                       for name, _, _ in searches}
    missing_from: dict[str, int] = {}  # search -> first seed that met an uncached cell
    stream = args.draw == "stream"
    for seed in tqdm(range(args.seed0, args.seed0 + args.seeds), desc="simulated searches", file=sys.stderr):
        rng = np.random.default_rng(seed)
        cand = rng.permutation(15625 if stream else pool)[:args.samples]
        keep = flt.mask(cand)
        for name, spec, filtered in searches:
            c = cand[keep] if filtered else cand
            if len(c) == 0 or name in missing_from:
                continue
            if spec is None:
                best, passes, reused = 0, 0, 0  # the first candidate of a random stream = a uniform pick
            elif rankers[spec].kind == "live" and not cached[c].all():
                missing_from[name] = seed
                continue
            else:
                out = rankers[spec].evaluate("nb201", c)
                s = np.where(np.isnan(out.scores), -np.inf, out.scores)
                best, passes, reused = int(np.argmax(s)), out.forward_passes, int(out.reused.sum())
            res[name]["acc"].append([accs[k][c[best]] for k, _ in ACC])
            res[name]["passes"].append(passes)
            res[name]["reused"].append(reused)
            res[name]["scored"].append(len(c))
            res[name]["chosen"].append(int(c[best]))
    rows = []
    for name, spec, filtered in searches:
        row: dict = {"search": name, "score": spec, "filter": filtered}
        if name in missing_from:
            row.update(runs=0, missing_from_seed=missing_from[name])
            rows.append(row)
            continue
        a = np.asarray(res[name]["acc"])
        row["runs"] = int(len(a))
        for j, (_, label) in enumerate(ACC):
            row[f"{label}_mean"], row[f"{label}_std"] = float(a[:, j].mean()), float(a[:, j].std(ddof=1))
            row[f"{label}_sem"] = row[f"{label}_std"] / np.sqrt(len(a))
        for key in ("passes", "reused", "scored"):
            row[f"{key}_mean"] = float(np.mean(res[name][key]))
        row["chosen"] = res[name]["chosen"]
        rows.append(row)
    return rows


def iso_savings(args) -> dict:
    """Isomorphism savings on the real candidate stream (``searchers.base._draw``: a seeded
    permutation of all 15,625 cells): candidates per search whose class was already drawn."""
    from dagfilter import DAGFilter
    from dagfilter.bench import nb201_iso_classes

    cls = nb201_iso_classes()
    flt = DAGFilter.from_space("nb201", fraction=args.fraction)
    accepted = flt.mask(np.arange(15625))
    out: dict[str, list[int]] = {"unfiltered": [], "filtered": []}
    for seed in range(args.seed0, args.seed0 + max(args.seeds, 1000)):
        cand = np.random.default_rng(seed).permutation(15625)[:args.samples]
        for key, c in (("unfiltered", cand), ("filtered", cand[accepted[cand]])):
            out[key].append(len(c) - len(np.unique(cls[c])))
    return {k: {"mean_saved": float(np.mean(v)), "max_saved": int(np.max(v)), "runs": len(v)} for k, v in out.items()}


def _correlation_md(report: dict) -> list[str]:
    lines = ["### Ranking quality on NAS-Bench-201 (test accuracy, 200 epochs)", "",
              "| ranker | cells | n | C10 ρ | C10 τ | C10 top5% | C100 ρ | C100 τ | C100 top5% | IN16 ρ | IN16 τ "
              "| IN16 top5% | time |", "|" + "---|" * 13]
    for r in report["correlation"]:
        t = "" if r["seconds"] is None else f"{r['seconds'] * 1e3:.0f} ms (cold {r['cold_seconds'] * 1e3:.0f})"
        lines.append(f"| {r['ranker']} | {r['cells']} | {r['n']} | " + " | ".join(
            f"{r[f'{lab}_{m}']:.3f}" for lab in ("C10", "C100", "IN16") for m in ("spearman", "kendall", "top5"))
            + f" | {t} |")
    lines += ["", "### DARTS space, 725 genotypes (CIFAR-10 validation accuracy)", "",
              "| ranker | ρ | τ | top5% | time |", "|---|---|---|---|---|"]
    for r in report["darts"]:
        lines.append(f"| {r['ranker']} | {r['spearman']:.3f} | {r['kendall']:.3f} | {r['top5']:.3f} | "
                     f"{r['seconds'] * 1e3:.0f} ms |")
    return lines


def markdown(report: dict) -> str:
    lines = [f"NAS-WOT cached cells (pool): {report['pool_size']} "
             f"(cache {report['cache']}, naswot/cifar10/batch {report['batch']}/seed {report['score_seed']})", ""]
    if report["correlation"]:
        lines += _correlation_md(report)
    s0 = max(report["search"], key=lambda r: r["runs"])
    where = (f"the cached pool of {report['pool_size']} cells" if report["draw"] == "pool" else
             "the whole space: each seed's candidates are those of the live search with that seed")
    lines += ["", f"### Simulated searches: N={report['samples']} drawn from {where}; seeds {report['seed0']}-"
              f"{report['seed0'] + s0['runs'] - 1}, filter fraction {report['fraction']}", "",
              "mean ± std over seeds; s.e. = standard error of the mean (C10 / C100 / IN16)", "",
              "| search | CIFAR-10 | CIFAR-100 | ImageNet16-120 | s.e. | scored | forward passes | iso reused |",
              "|---|---|---|---|---|---|---|---|"]
    for r in report["search"]:
        if not r["runs"]:
            lines.append(f"| {r['search']} | not computed: seed {r['missing_from_seed']} draws cells whose "
                         "NAS-WOT score is not cached | | | | | | |")
            continue
        sem = " / ".join(f"{r[f'{lab}_sem']:.2f}" for lab in ("C10", "C100", "IN16"))
        lines.append(f"| {r['search']} | " + " | ".join(f"{r[f'{lab}_mean']:.2f} ± {r[f'{lab}_std']:.2f}"
                                                      for lab in ("C10", "C100", "IN16"))
                     + f" | {sem} | {r['scored_mean']:.1f} | {r['passes_mean']:.1f} | {r['reused_mean']:.2f} |")
    iso = report["iso_savings"]
    lines += ["", f"Isomorphism savings on the real stream (N={report['samples']}, {iso['unfiltered']['runs']} seeds): "
              f"{iso['unfiltered']['mean_saved']:.2f} scorings saved per search unfiltered (max "
              f"{iso['unfiltered']['max_saved']}), {iso['filtered']['mean_saved']:.2f} with the filter (max "
              f"{iso['filtered']['max_saved']})."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--cache-dir", default="runs/cache")
    p.add_argument("--dataset", default="cifar10", help="NAS-WOT minibatch data set of the cached scores")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--score-seed", type=int, default=0)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--seeds", type=int, default=200)
    p.add_argument("--seed0", type=int, default=0)
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--draw", choices=["auto", "stream", "pool"], default="auto",
                   help="candidates of a simulated search: the live stream over the whole space, or N cells "
                        "of the cached pool (auto: stream when every cell is cached, else pool)")
    p.add_argument("--skip-correlation", action="store_true", help="only the search table (and iso savings)")
    p.add_argument("--min-cached", type=int, default=1000, help="warn when fewer cells are cached")
    p.add_argument("--out", default="runs/bench_rankers.json")
    p.add_argument("--md", default=None, help="also write the tables as Markdown here")
    args = p.parse_args(argv)

    from dagfilter import bench
    from dagfilter.cache import ScoreCache
    from dagfilter.rankers import RankerContext

    cache = ScoreCache(args.cache_dir)
    ctx = RankerContext(dataset=args.dataset, batch_size=args.batch, score_seed=args.score_seed, cache=cache,
                        cache_only=True, iso="search")
    table = bench.load("nb201").table()
    pool, _ = cached_pool(cache, args.dataset, args.batch, args.score_seed)
    if len(pool) < args.min_cached:
        print(f"warning: only {len(pool)} NAS-WOT scores cached (< {args.min_cached}); rerun when "
              f"scripts/bench_search.py has scored more", file=sys.stderr)
    if len(pool) < args.samples:
        print(f"error: {len(pool)} cached cells cannot feed searches of N={args.samples}", file=sys.stderr)
        return 2
    if args.draw == "auto":
        args.draw = "stream" if len(pool) == 15625 else "pool"
    corr_ctx = ctx.with_options(iso="off")  # correlations: every cell its own score
    report = {"cache": str(cache.path), "pool_size": int(len(pool)), "batch": args.batch,
              "score_seed": args.score_seed, "samples": args.samples, "fraction": args.fraction, "seed0": args.seed0,
              "draw": args.draw,
              "correlation": [] if args.skip_correlation else correlation(args, corr_ctx, table, pool),
              "darts": [] if args.skip_correlation else darts(corr_ctx),
              "search": search(args, ctx, table, pool), "iso_savings": iso_savings(args)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    md = markdown(report)
    if args.md:
        Path(args.md).write_text(md + "\n")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
