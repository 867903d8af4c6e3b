#!/usr/bin/env python
"""Whole-space tables of the zero-cost benchmark and the DAG filter against the strongest ranker (issue 27).

Reads the shipped zero-cost benchmark (:func:`dagfilter.proxies.zc_bench.load`: the 1,000-cell subset file
plus the finished whole-space shards), NAS-WOT's shipped scores of all 15,625 cells and the analytic
rankers; computes nothing live. **Every table states the cells it covers; while the shards are not
complete the figures are over the scored cells only and are not whole-space figures** (the header says
so, per proxy).

1. per proxy: Spearman ρ, Kendall τ, top-5 % / top-1 % precision (the share of the proxy's top k % that is
   in the true top k %) against the 200-epoch test accuracy on C10 / C100 / IN16, beside the published
   figure;
2. the ensemble recipe as chosen on half A of the 1,000-cell subset (``--recipe``, default
   ``logrank(az+meco+swap+prior)``) reported on the scored cells outside the subset (never seen);
3. searches: N = ``--samples`` cells drawn per seed from the scored cells (``--seeds``, >= 10,000 for
   the reported tables), the best by each ranker picked, cells scored counted; beside the published
   N = 100 searches in :data:`PUBLISHED_SEARCH`;
4. the filter study, settings chosen on the even seeds and reported on the odd ones: the DAG window at
   several fractions as a hard cut in front of the recipe; the window distance as a soft ranking term
   (``logrank(recipe members + w * window_distance)``); a two-stage funnel (the analytic prior keeps the
   top q of the N candidates, the recipe ranks the survivors). For each: scored cells per search and
   the paired difference in C10 test accuracy against the unfiltered recipe with its 95 % interval;
   the rule of the issue (<= 0.5x the scored cells, accuracy not lower: the interval's upper end >= 0)
   picks the default, or the table states the measured negative.

    python scripts/bench_proxies_whole_space.py --seeds 10000 --md docs/results/proxies_whole_space.md
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_proxies as bp  # noqa: E402  (spec helpers, pass costs, published figures)

RECIPE = "logrank(az+meco+swap+prior)"
PUBLISHED_SEARCH = {  # N = 100 searches over all of NAS-Bench-201 (C10 / C100 / IN16 test accuracy)
    "AZ-NAS (CVPR 2024, as quoted in issue 27)": "93.53 / 70.75 / 45.43",
}
"""MeCo's, SWAP's and NAS-WOT's N = 100 searches are to be transcribed from their papers before the complete
tables are published (not filled in from memory)."""
GOALS = {"rho": (0.93, 0.92, 0.91), "search": (93.7, 72.0, 45.5)}
FRACTIONS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
SOFT_WEIGHTS = (0.25, 0.5, 1.0, 2.0)
FUNNEL_KEEP = (0.3, 0.4, 0.5, 0.6)


def precision_at(scores: np.ndarray, acc: np.ndarray, frac: float) -> float:
    """Share of the top ``frac`` by score (non-finite last) that is in the top ``frac`` by accuracy."""
    k = max(1, int(round(frac * scores.size)))
    s = np.where(np.isfinite(scores), scores, -np.inf)
    top_s = np.argsort(-s, kind="stable")[:k]
    top_a = np.argsort(-acc, kind="stable")[:k]
    return float(np.intersect1d(top_s, top_a).size / k)


def vectors(zc, idx: np.ndarray) -> dict[str, np.ndarray]:
    from dagfilter.proxies.shipped import load_shipped_scores
    from dagfilter.rankers import get_ranker

    vec = {p: np.asarray(zc.scores[p][idx], dtype=np.float64) for p in zc.proxies}
    vec["naswot"] = load_shipped_scores("naswot").scores[idx].astype(np.float64)
    for a in bp.ANALYTIC:
        vec[a] = get_ranker(a).scores("nb201", idx).astype(np.float64)
    return vec


def search_pick(spec: str | None, vec, acc, cand: np.ndarray) -> int:
    if spec is None:
        return int(cand[0])
    if spec == "oracle":
        return int(cand[np.argmax(acc[cand])])
    s = np.nan_to_num(bp.spec_scores(spec, vec, cand), nan=-np.inf)
    return int(cand[np.argmax(s)])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scores", default=None, help="benchmarks_data-like folder (default: the installed one)")
    p.add_argument("--recipe", default=RECIPE)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--seeds", type=int, default=10000)
    p.add_argument("--out", default=None, help="JSON report")
    p.add_argument("--md", default=None, help="Markdown report")
    args = p.parse_args(argv)

    from dagfilter import DAGFilter, bench
    from dagfilter.proxies import zc_bench
    from dagfilter.proxies.subset import nb201_subset

    zc = zc_bench.load(args.scores)
    cov = zc.coverage()
    table = bench.load("nb201").table().set_index("index")
    all_idx = np.arange(zc_bench.NUM_CELLS)
    truth = {k: table.loc[all_idx, k].to_numpy(np.float64) for k, _ in bp.ACC}
    vec = vectors(zc, all_idx)
    members = [n for _, n in bp.spec_members(args.recipe)[1]]
    live = [m for m in members if m in zc.scores]
    scored = np.flatnonzero(np.all([~np.isnan(vec[m]) for m in live], axis=0))
    subset = set(nb201_subset().tolist())
    unseen = np.array([i for i in scored.tolist() if i not in subset], dtype=np.int64)
    report: dict = {"coverage": cov, "complete": {p: n == zc_bench.NUM_CELLS for p, n in cov.items()},
                    "setup": zc.setup, "shards": len(zc.shards), "recipe": args.recipe,
                    "recipe_cells": int(scored.size), "recipe_unseen_cells": int(unseen.size)}

    # 1. per proxy over every cell it covers
    rows = []
    for name in list(zc.proxies) + ["naswot"] + list(bp.ANALYTIC) + ["logrank(az)", args.recipe]:
        mem = [n for _, n in bp.spec_members(name)[1]] if "(" in name else [name]
        have = np.flatnonzero(np.all([~np.isnan(vec[m]) for m in mem], axis=0))
        if have.size < 10:
            continue
        s = bp.spec_scores(name, vec, have)
        r = {"proxy": name, "n": int(have.size), "published_C10": bp.PUBLISHED.get(name, "")}
        for key, lab in bp.ACC:
            q = bp.quality(s, truth, have)
            r[f"{lab}_rho"], r[f"{lab}_tau"] = q[f"{lab}_rho"], q[f"{lab}_tau"]
            r[f"{lab}_p5"] = precision_at(s, truth[key][have], 0.05)
            r[f"{lab}_p1"] = precision_at(s, truth[key][have], 0.01)
        rows.append(r)
    report["proxies"] = rows

    # 2. the recipe on the cells it never saw
    if unseen.size >= 10:
        report["recipe_unseen"] = bp.quality(bp.spec_scores(args.recipe, vec, unseen), truth, unseen)

    # 3 + 4. searches over the scored pool, filter variants chosen on even seeds, reported on odd ones
    pool = scored
    accs = np.stack([truth[k] for k, _ in bp.ACC], axis=1)  # (15625, 3)
    masks = {f: np.asarray(DAGFilter.from_space("nb201", fraction=f).mask(all_idx), dtype=bool) for f in FRACTIONS}
    soft = {w: f"logrank({'+'.join(members)}+{w}*window_distance)" for w in SOFT_WEIGHTS}
    variants: dict[str, tuple] = {"random": ("plain", None), "oracle": ("plain", "oracle"),
                                  "naswot": ("plain", "naswot"), "prior": ("plain", "prior"),
                                  "AZ-NAS logrank(az)": ("plain", "logrank(az)"), f"recipe {args.recipe}": ("plain", args.recipe)}
    for f in FRACTIONS:
        variants[f"recipe + DAG window {f}"] = ("cut", f)
    for w, sp in soft.items():
        variants[f"recipe + {w} x window_distance (soft)"] = ("plain", sp)
    for q in FUNNEL_KEEP:
        variants[f"funnel: prior keeps {q}, recipe ranks"] = ("funnel", q)
    res = {k: {"acc": [], "scored": []} for k in variants}
    if pool.size >= args.samples:
        for seed in range(args.seeds):
            cand = np.random.default_rng(seed).permutation(pool)[: args.samples]
            for label, (kind, arg) in variants.items():
                if kind == "plain":
                    c, spec = cand, arg
                elif kind == "cut":
                    c, spec = cand[masks[arg][cand]], args.recipe
                else:
                    pr = np.nan_to_num(vec["prior"][cand], nan=-np.inf)
                    keep = max(1, int(round(arg * cand.size)))
                    c, spec = cand[np.argsort(-pr, kind="stable")[:keep]], args.recipe
                if c.size == 0:
                    c, spec = cand[:1], None
                pick = search_pick(spec, vec, accs[:, 0], c)
                live_cost = spec is not None and spec != "oracle" and any(
                    m in bp.COST for _, m in bp.spec_members(spec)[1])
                res[label]["acc"].append(accs[pick])
                res[label]["scored"].append(int(c.size) if live_cost else 0)
    srows = []
    base = np.asarray(res[f"recipe {args.recipe}"]["acc"]) if res[f"recipe {args.recipe}"]["acc"] else None
    for label, d in res.items():
        if not d["acc"]:
            continue
        a = np.asarray(d["acc"])
        row = {"search": label, "runs": len(a), "scored_mean": float(np.mean(d["scored"]))}
        for j, (_, lab) in enumerate(bp.ACC):
            row[f"{lab}_mean"], row[f"{lab}_sem"] = float(a[:, j].mean()), float(a[:, j].std(ddof=1) / np.sqrt(len(a)))
        if base is not None and (variants[label][0] != "plain" or "window_distance" in label):
            for half, sl in (("A", slice(0, None, 2)), ("B", slice(1, None, 2))):
                diff = a[sl, 0] - base[sl, 0]
                sem = diff.std(ddof=1) / np.sqrt(diff.size)
                row[f"diff_{half}"] = (float(diff.mean()), float(diff.mean() - 1.96 * sem), float(diff.mean() + 1.96 * sem))
                row[f"scored_{half}"] = float(np.mean(np.asarray(d["scored"])[sl]))
        srows.append(row)
    base_scored = next((r["scored_mean"] for r in srows if r["search"] == f"recipe {args.recipe}"), None)
    cand_rows = [r for r in srows if "diff_A" in r]
    ok_a = [r for r in cand_rows if base_scored and r["scored_A"] <= 0.5 * base_scored and r["diff_A"][2] >= 0]
    chosen = max(ok_a, key=lambda r: r["diff_A"][0])["search"] if ok_a else None
    report["searches"] = {"rows": srows, "pool": int(pool.size), "samples": args.samples, "seeds": args.seeds,
                          "filter_chosen_on_even_seeds": chosen, "published": PUBLISHED_SEARCH, "goals": GOALS}
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1, default=float))
    md = markdown(report)
    if args.md:
        Path(args.md).parent.mkdir(parents=True, exist_ok=True)
        Path(args.md).write_text(md)
    print(md)
    return 0


def _f(x) -> str:
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3f}"


def markdown(r: dict) -> str:
    from dagfilter.proxies.zc_bench import NUM_CELLS

    cov = r["coverage"]
    partial = [p for p, ok in r["complete"].items() if not ok]
    head = ("**PARTIAL COVERAGE: these are not whole-space figures.** Proxies scored on fewer than all "
            f"{NUM_CELLS:,} cells: " + ", ".join(f"{p} {cov[p]:,}" for p in partial) + ". Every figure below is "
            "over the cells scored so far (the 1,000-cell subset plus the finished shards, which are blocks of "
            "official indices in a seeded random order)." if partial else
            f"All twelve proxies cover all {NUM_CELLS:,} cells.")
    lines = [head, "", f"Setup: {r['setup']}; {r['shards']} whole-space shards.", "",
             "### Per proxy", "",
             "| proxy | cells | C10 ρ | C10 τ | C10 top-5 % | C10 top-1 % | C100 ρ | C100 top-5 % | IN16 ρ | IN16 top-5 % | published C10 ρ |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for x in r["proxies"]:
        lines.append(f"| {x['proxy']} | {x['n']:,} | {_f(x['C10_rho'])} | {_f(x['C10_tau'])} | {_f(x['C10_p5'])} | "
                     f"{_f(x['C10_p1'])} | {_f(x['C100_rho'])} | {_f(x['C100_p5'])} | {_f(x['IN16_rho'])} | "
                     f"{_f(x['IN16_p5'])} | {x['published_C10']} |")
    u = r.get("recipe_unseen")
    lines += ["", f"### `{r['recipe']}` (chosen on half A of the 1,000-cell subset) on the cells it never saw", ""]
    if u:
        lines.append(f"{u['n']:,} scored cells outside the subset: C10 ρ {_f(u['C10_rho'])} (τ {_f(u['C10_tau'])}), "
                     f"C100 ρ {_f(u['C100_rho'])}, IN16 ρ {_f(u['IN16_rho'])}; goals ρ ≥ "
                     f"{' / '.join(map(str, r['searches']['goals']['rho']))}.")
    else:
        lines.append("No scored cell outside the subset yet.")
    s = r["searches"]
    lines += ["", f"### Searches over the {s['pool']:,} cells the recipe covers (N = {s['samples']} per seed, "
              f"{s['seeds']:,} seeds; mean ± s.e.m. test accuracy of the pick)", "",
              "Published N = 100 searches over all 15,625 cells: "
              + "; ".join(f"{k} {v}" for k, v in s["published"].items())
              + f". Goal ≥ {' / '.join(map(str, s['goals']['search']))}.", "",
              "| search | C10 | C100 | IN16 | cells scored | Δ C10 vs recipe, even seeds [95 %] | Δ C10, odd seeds [95 %] | scored (odd) |",
              "|---|---|---|---|---|---|---|---|"]
    for x in s["rows"]:
        da = x.get("diff_A")
        db = x.get("diff_B")
        fa = f"{da[0]:+.3f} [{da[1]:+.3f}, {da[2]:+.3f}]" if da else ""
        fb = f"{db[0]:+.3f} [{db[1]:+.3f}, {db[2]:+.3f}]" if db else ""
        lines.append(f"| {x['search']} | {x['C10_mean']:.2f} ± {x['C10_sem']:.2f} | {x['C100_mean']:.2f} ± "
                     f"{x['C100_sem']:.2f} | {x['IN16_mean']:.2f} ± {x['IN16_sem']:.2f} | {x['scored_mean']:.1f} | "
                     f"{fa} | {fb} | {x.get('scored_B', '') if not x.get('scored_B') else round(x['scored_B'], 1)} |")
    ch = s["filter_chosen_on_even_seeds"]
    lines += ["", (f"Filter setting chosen on the even seeds (≤ 0.5x the recipe's scored cells, C10 interval "
                   f"reaching 0 or above): **{ch}**; its odd-seed row is the report."
                   if ch else "No filter setting met the rule (≤ 0.5x the scored cells at a C10 accuracy not lower "
                   "than the unfiltered recipe's) on the even seeds: the measured negative stands for this coverage.")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
