#!/usr/bin/env python
"""DARTS-space study on the measured 725-cell pool (``darts725``): window study, pool searches,
ranker recipe by 2-fold cross-validation. Prints Markdown tables (``docs/results/darts.md``).

Inputs (all shipped): the ``darts725`` table (accuracy, d̄/m̄ of both cells), the shipped NAS-WOT
scores of its 725 cells (``benchmarks_data/naswot_darts725_cifar10.npz``), and analytic rankers
(params, FLOPs, d̄, m̄, NN-Mass) computed by :mod:`dagfilter.rankers`. No network is built; the
whole study takes about a minute on one CPU core.

Search semantics are those of ``searcher.search(..., pool="darts725")`` (N cells drawn per seed
by ``default_rng(seed).permutation``; filtered-out cells skipped; the best score among the rest
chosen): ``tests/test_darts_study.py`` checks that the simulation picks exactly what the searchers
pick.

Example::

    python scripts/bench_darts.py --seeds 1000 --samples 100 > runs/bench_darts.md
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np


def fmt(x: float, nd: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{x:.{nd}f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=1000, help="search seeds 0..S-1 (default 1000)")
    p.add_argument("--samples", type=int, default=100, help="cells drawn per search (default 100)")
    p.add_argument("--cv-seed", type=int, default=0, help="seed of the 2-fold split (default 0)")
    p.add_argument("--max-terms", type=int, default=3, help="terms per ranker recipe (default 3)")
    p.add_argument("--scores", default=None, help="NAS-WOT score file (default: the shipped one)")
    args = p.parse_args(argv)

    from dagfilter.report import darts_study as ds
    from dagfilter.rankers.analytic import DEFAULT_PRIOR

    t0 = time.perf_counter()
    inp = ds.study_inputs(args.scores)
    acc, metrics, feats, meta = inp["accuracy"], inp["metrics"], inp["features"], inp["naswot_meta"]
    best = float(acc.max())
    print(f"<!-- bench_darts.py --seeds {args.seeds} --samples {args.samples} --cv-seed {args.cv_seed}; "
          f"NAS-WOT setup {meta.get('network')} batch {meta.get('batch')} seed {meta.get('seed')} -->\n")

    # ------------------------------------------------------------------ ranker agreement (whole pool)
    from scipy.stats import spearmanr

    print("### Each ranker alone on the 725 cells (Spearman with CIFAR-10 validation accuracy)\n")
    print("| ranker | Spearman ρ |\n|---|---:|")
    for name, v in feats.items():
        v2 = np.where(np.isfinite(v), v, np.nanmin(np.where(np.isfinite(v), v, np.nan)) - 1)
        print(f"| {name} | {spearmanr(v2, acc).statistic:.3f} |")
    print(f"| prior (default: params + d_bar) | "
          f"{ds.recipe_spearman(feats, acc, np.arange(len(acc)), DEFAULT_PRIOR):.3f} |\n")

    # ------------------------------------------------------------------ ranker recipe by 2-fold CV
    cv = ds.cv_recipes(feats, acc, seed=args.cv_seed, max_terms=args.max_terms)
    print(f"### Ranker recipe by 2-fold cross-validation ({cv[0]['candidates']} recipes: rank-sums of 1-"
          f"{args.max_terms} of {', '.join(feats)}, each ±1; split seed {args.cv_seed})\n")
    print("| direction | chosen on the first half | ρ (choosing half) | **held-out ρ** | n |\n|---|---|---:|---:|---:|")
    for r in cv:
        print(f"| {r['fold']} | `{r['chosen']}` | {r['train_spearman']:.3f} | **{r['test_spearman']:.3f}** | "
              f"{r['n_train']}/{r['n_test']} |")
    print(f"\nMean held-out Spearman: **{np.mean([r['test_spearman'] for r in cv]):.3f}**\n")
    live_free = {k: v for k, v in feats.items() if k != "naswot"}
    cv_free = ds.cv_recipes(live_free, acc, seed=args.cv_seed, max_terms=args.max_terms)
    print("Without NAS-WOT (analytic only, no forward pass):\n")
    print("| direction | chosen | ρ (choosing half) | **held-out ρ** |\n|---|---|---:|---:|")
    for r in cv_free:
        print(f"| {r['fold']} | `{r['chosen']}` | {r['train_spearman']:.3f} | **{r['test_spearman']:.3f}** |")
    print(f"\nMean held-out Spearman: **{np.mean([r['test_spearman'] for r in cv_free]):.3f}**\n")

    # ------------------------------------------------------------------ window study
    searches = ds.default_searches(feats, acc)
    for r in cv:
        searches.setdefault(f"cv_{r['fold']}", ds.rank_combination(feats, r["recipe"]))
    ws = ds.window_study(metrics, acc, searches, args.samples, range(args.seeds))
    k_default = ds.choose_default(ws)
    labels = {"naswot": "NAS-WOT", "random": "random", "prior": "prior",
              **{f"cv_{r['fold']}": f"`{r['chosen']}` ({r['fold']})" for r in cv}}
    print(f"### Window study (N = {args.samples} drawn from the pool, {args.seeds} seeds; pool best {best:.2f})\n")
    print("Kept = share of the 725 cells inside the window; top-10 % kept = share of the 72 most accurate "
          "cells inside it. Search columns: mean CIFAR-10 validation accuracy of the chosen cell (mean cells "
          "scored per search). NAS-WOT = best shipped NAS-WOT score; random = best accuracy among the scored "
          "cells (random search with a training oracle); prior = params + d̄ rank-sum; the CV recipes are "
          "the ranker recipes chosen above.\n")
    print("| window | part | f | d̄ range | m̄ range | kept | top-10 % kept | " + " | ".join(labels.values()) + " |")
    print("|---|---|---:|---|---|---:|---:|" + "---:|" * len(labels))
    for i, row in ws.iterrows():
        cells = [f"{fmt(row[h + '_acc'])} ({row[h + '_scored']:.0f})"
                 + (f" [{int(row[h + '_empty'])} empty]" if row[h + "_empty"] else "") for h in labels]
        mark = " **default**" if i == k_default else ""
        rng = ("- | -" if row["family"] == "none" else
               f"[{row['d_lo']:.2f}, {row['d_hi']:.2f}] | [{row['m_lo']:.1f}, {row['m_hi']:.1f}]")
        print(f"| {row['family']}{mark} | {row['part']} | {fmt(row['fraction'])} | {rng} | {row['kept']:.3f} | "
              f"{row['top_kept']:.3f} | " + " | ".join(cells) + " |")
    d = ws.loc[k_default]
    print(f"\nDefault by the rule: **{d['family']} window, fraction {d['fraction']:g}, part {d['part']}** "
          f"(d̄ in [{d['d_lo']:.3f}, {d['d_hi']:.3f}], m̄ in [{d['m_lo']:.2f}, {d['m_hi']:.2f}]): keeps "
          f"{d['kept']:.1%} of the pool and {d['top_kept']:.1%} of its top-10 %.\n")
    base = ws.iloc[0]
    print("Targets on the default window (vs. unfiltered, same seeds):\n")
    print("| searcher | unfiltered acc | filtered acc | Δ | cells scored (filtered / unfiltered) |\n|---|---:|---:|---:|---:|")
    for h, lab in labels.items():
        print(f"| {lab} | {base[h + '_acc']:.3f} | {d[h + '_acc']:.3f} | {d[h + '_acc'] - base[h + '_acc']:+.3f} | "
              f"{d[h + '_scored'] / base[h + '_scored']:.2f} |")
    print()

    # ------------------------------------------------------------------ the rule, cross-validated
    n = len(acc)
    perm = np.random.default_rng([args.cv_seed, 0xC5]).permutation(n)
    halves = (np.sort(perm[: n // 2]), np.sort(perm[n // 2:]))
    print("Rule checked out of sample (window chosen from one half's top-10 %, measured on the other):\n")
    print("| direction | chosen | kept (other half) | top-10 % kept (other half) |\n|---|---|---:|---:|")
    for name, (a, b) in (("A->B", halves), ("B->A", halves[::-1])):
        wa = ds.window_table({k: v[a] for k, v in metrics.items()}, acc[a])
        ka = ds.choose_default(wa)
        ra = wa.loc[ka]
        wb = ds.window_table({k: v[b] for k, v in metrics.items()}, acc[b])
        rb = wb.loc[ka]
        print(f"| {name} | {ra['family']} {ra['part']} f={ra['fraction']:g} | {rb['kept']:.3f} | {rb['top_kept']:.3f} |")
    print(f"\n<!-- {time.perf_counter() - t0:.1f} s -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
