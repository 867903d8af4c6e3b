#!/usr/bin/env python
"""Benchmark: the training-free proxies and their ensembles on the fixed 1,000-cell NAS-Bench-201 subset.

Reads the proxy scores of the subset (``benchmarks_data/proxies_nb201_subset1000.npz``, or a live
score cache with ``--cache-dir``) - nothing is computed here except analytic rankers. Tables:

1. per proxy: cells scored, Spearman rho and Kendall tau against NAS-Bench-201 test accuracy (200
   epochs) on CIFAR-10, CIFAR-100 and ImageNet16-120, CPU seconds per cell measured side by side in
   one run (``timing.json`` of ``scripts/score_proxy_subset.py``: each proxy alone and all in one
   shared call, NAS-WOT as the baseline), forward/backward passes, and the published figure;
2. ensembles (fixed candidate list below, with and without the analytic prior and the DAG filter's
   window): the recipe is **chosen on half A** of the scored cells (even draw positions) by CIFAR-10
   Spearman among those within one forward + one backward per cell, and every number is **reported
   on half B** (odd positions), also restricted to the cells the DAG filter (fraction 0.5) accepts;
3. searches on the half-B pool: each seed draws N = ``--samples`` cells uniformly from the pool,
   optionally keeps those the DAG filter accepts, scores them and keeps the best; mean test accuracy
   of the picks, cells scored and passes per search, for NAS-WOT, the prior, AZ-NAS alone
   (``logrank(az)``) and the chosen ensemble;
4. the DARTS space (``benchmarks_data/proxies_darts725_cifar10.npz``, written by
   ``scripts/score_darts725_proxies.py``; ``--darts-scores`` for another file, ``--no-darts`` to skip):
   per proxy, Spearman and Kendall tau against the ``darts725`` table's CIFAR-10 accuracy on every row
   scored, beside NAS-WOT (shipped DARTS scores) and the analytic rankers, then the recipe chosen on
   NAS-Bench-201 half A applied unchanged (a held-out *space*), also on the rows the default DARTS DAG
   filter window accepts.

Example::

    python scripts/bench_proxies.py --seeds 1000 --md docs/results/proxies.md
    python scripts/bench_proxies.py --cache-dir runs/proxycache --timing runs/proxycache/timing.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ACC = (("cifar10_test_200", "C10"), ("cifar100_test_200", "C100"), ("imagenet16_test_200", "IN16"))
LIVE = ("az_expressivity", "az_progressivity", "az_trainability", "zico", "meco", "swap", "snip", "grad_norm",
        "fisher", "jacov", "synflow", "zen")
ANALYTIC = ("flops", "params", "prior", "d_bar", "window_distance")
PUBLISHED = {  # Spearman rho vs NAS-Bench-201 CIFAR-10 test accuracy, as published (all 15,625 cells unless noted)
    "logrank(az)": "0.913 (AZ-NAS, CVPR 2024)", "meco": "0.89 (MeCo, NeurIPS 2023)", "zico": "0.80 (ZiCo, ICLR 2023)",
    "swap": "0.81 (SWAP, ICLR 2024)", "jacov": "0.73-0.80 (Abdelfattah et al. 2021; issue)",
    "synflow": "0.74-0.77 (Abdelfattah et al. 2021; issue)", "snip": "0.58 (Abdelfattah et al. 2021)",
    "grad_norm": "0.58 (Abdelfattah et al. 2021)", "fisher": "0.36 (Abdelfattah et al. 2021)",
    "zen": "0.35 (as reported in the ZiCo / AZ-NAS comparisons)", "naswot": "0.76-0.80 (Mellor et al. 2021)",
    "flops": "0.73-0.80", "params": "0.75", "prior": "0.830 (ours, all cells)",
}
# (forward, backward) passes per scored cell, minibatch of 64 unless noted; proxies in one shared pass
# cost the maximum of their members (the main pass's loss backward is shared by snip/grad_norm/fisher/zico)
COST = {"az_expressivity": (1, 0), "az_progressivity": (1, 0), "az_trainability": (1, 1), "meco": (1, 0),
        "swap": (1, 0), "snip": (1, 1), "grad_norm": (1, 1), "fisher": (1, 1), "jacov": (1, 1), "zico": (2, 2),
        "synflow": (1, 1), "zen": (2, 0), "naswot": (1, 0)}
ENSEMBLES = (
    "logrank(az)", "logrank(az+prior)", "logrank(az+meco)", "logrank(az+meco+prior)", "logrank(az+swap)",
    "logrank(az+meco+swap+prior)", "rank(az+prior)", "logrank(az+window_distance)",
    "logrank(az+prior+window_distance)", "logrank(az_expressivity+az_trainability+flops+prior)",
    "logrank(az+zico)", "logrank(az+zico+meco+prior)", "logrank(az+snip+prior)", "logrank(az+jacov+prior)",
    "logrank(az+naswot+prior)",
)


def cost_of(names) -> tuple[int, int]:
    """(forward, backward) passes per cell of a set of rankers (shared passes counted once)."""
    live = [n for n in names if n in COST]
    shared = [COST[n] for n in live if n != "naswot"]
    f = max((c[0] for c in shared), default=0)
    b = max((c[1] for c in shared), default=0)
    # jacov's input backward is separate from the loss / probe backwards
    extra_b = 1 if "jacov" in live and any(n in live for n in ("az_trainability", "snip", "grad_norm", "fisher",
                                                                "zico")) else 0
    if "az_trainability" in live and any(n in live for n in ("snip", "grad_norm", "fisher", "zico")):
        extra_b += 1
    return f + (1 if "naswot" in live else 0), b + extra_b


def load_scores(args):
    from dagfilter.proxies.subset import load_subset_scores, subset_scores_from_cache

    if args.cache_dir:
        from dagfilter.cache import ScoreCache

        return subset_scores_from_cache(ScoreCache(args.cache_dir), list(LIVE))
    return load_subset_scores(args.scores)


def all_vectors(sub) -> dict[str, np.ndarray]:
    """Score vectors over the subset for every live proxy, NAS-WOT (shipped) and analytic ranker."""
    from dagfilter.proxies.shipped import load_shipped_scores
    from dagfilter.rankers import get_ranker

    idx = sub.indices
    vec = {p: np.asarray(sub.scores[p], dtype=np.float64) for p in LIVE if p in sub.scores}
    vec["naswot"] = load_shipped_scores("naswot").scores[idx].astype(np.float64)
    for a in ANALYTIC:
        vec[a] = get_ranker(a).scores("nb201", idx).astype(np.float64)
    return vec


def spec_members(spec: str) -> tuple[str, list[tuple[float, str]]]:
    from dagfilter.rankers import parse_spec

    s = parse_spec(spec)
    return s.method or "rank", [(t.weight, t.atom) for t in s.terms]


def spec_scores(spec: str, vec: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Combined scores of ``spec`` over ``rows`` (combination among those rows, as in a search)."""
    from dagfilter.rankers import combine

    method, members = spec_members(spec)
    if len(members) == 1 and members[0][0] == 1 and not spec.startswith(("rank(", "logrank(", "zscore(")):
        return vec[members[0][1]][rows]
    return combine([vec[n][rows] for _, n in members], [w for w, _ in members], method)


def quality(scores: np.ndarray, truth: dict[str, np.ndarray], rows: np.ndarray) -> dict:
    from dagfilter.rankers import rank_quality

    out = {"n": int(rows.size)}
    for key, label in ACC:
        q = rank_quality(scores, truth[key][rows])
        out[f"{label}_rho"], out[f"{label}_tau"] = q["spearman"], q["kendall"]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scores", default=None, help="subset score file (default: the shipped one)")
    p.add_argument("--cache-dir", default=None, help="read the scores from this score cache instead")
    p.add_argument("--timing", default=None, help="timing.json of scripts/score_proxy_subset.py")
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--seeds", type=int, default=1000)
    p.add_argument("--search-pool", choices=("B", "all"), default="B",
                   help="searches draw from half B (default; never used to choose the recipe) or all scored cells")
    p.add_argument("--darts-scores", default=None, help="DARTS-725 proxy score file (default: the shipped one)")
    p.add_argument("--no-darts", action="store_true", help="skip the DARTS-725 table")
    p.add_argument("--out", default=None, help="JSON report")
    p.add_argument("--md", default=None, help="Markdown report")
    args = p.parse_args(argv)

    from dagfilter import DAGFilter, bench

    sub = load_scores(args)
    table = bench.load("nb201").table().set_index("index")
    truth = {k: table.loc[sub.indices, k].to_numpy(np.float64) for k, _ in ACC}
    vec = all_vectors(sub)
    timing = json.loads(Path(args.timing).read_text()) if args.timing else sub.meta.get("timing")
    report: dict = {"subset": {"cells": int(sub.indices.size), "seed": sub.meta.get("subset_seed"),
                               "setup": {k: sub.meta.get(k) for k in ("dataset", "batch", "seed", "version")}},
                    "timing": timing}

    # 1. per proxy, on every cell it was scored on
    rows1 = []
    for name in LIVE + ("naswot",) + ANALYTIC + ("logrank(az)",):
        members = [n for _, n in spec_members(name)[1]] if "(" in name else [name]
        if any(m not in vec for m in members):
            continue
        have = np.flatnonzero(np.all([~np.isnan(vec[m]) for m in members], axis=0))
        if have.size < 10:
            continue
        s = spec_scores(name, vec, have)
        r = {"proxy": name, **quality(s, truth, have), "published_C10": PUBLISHED.get(name, ""),
             "passes": cost_of(members), "non_finite": int((~np.isfinite(s)).sum())}
        if timing and name in timing.get("mean", {}):
            r["cpu_s"] = timing["mean"][name]
        rows1.append(r)
    report["proxies"] = rows1

    # 2. ensembles: choose on half A, report on half B (each over the cells all its members scored)
    pos = np.arange(sub.indices.size)
    flt = DAGFilter.from_space("nb201", fraction=args.fraction)
    accepted = flt.mask(sub.indices)
    ens = []
    for e in ENSEMBLES:
        members = [n for _, n in spec_members(e)[1]]
        have = np.all([~np.isnan(vec[n]) for n in members], axis=0)
        half_a, half_b = pos[have & (pos % 2 == 0)], pos[have & (pos % 2 == 1)]
        if half_a.size < 4 or half_b.size < 4:
            continue
        qa = quality(spec_scores(e, vec, half_a), truth, half_a)
        qb = quality(spec_scores(e, vec, half_b), truth, half_b)
        fb = half_b[accepted[half_b]]
        qf = quality(spec_scores(e, vec, fb), truth, fb)
        ens.append({"ensemble": e, "passes": cost_of(members), "A": qa, "B": qb, "B_filter": qf})
    within = [r for r in ens if r["passes"][0] <= 1 and r["passes"][1] <= 1]
    chosen = max(within, key=lambda r: r["A"]["C10_rho"])["ensemble"]
    members = [n for _, n in spec_members(chosen)[1]] + ["naswot", "prior", "az_expressivity", "az_progressivity",
                                                          "az_trainability"]
    have = np.all([~np.isnan(vec[n]) for n in members], axis=0)
    half_b = pos[have & (pos % 2 == 1)]
    report["ensembles"] = {"rows": ens, "chosen": chosen, "half_A": int((have & (pos % 2 == 0)).sum()),
                           "half_B": int(half_b.size), "half_B_accepted": int(accepted[half_b].sum())}

    # 3. searches on the half-B pool (or every cell the search rankers scored, --search-pool all)
    pool = half_b if args.search_pool == "B" else pos[have]
    accs = {k: truth[k] for k, _ in ACC}
    searches = [("uniform pick (no score)", None), ("oracle (best C10 of the candidates)", "oracle"), ("naswot", "naswot"), ("prior", "prior"), ("AZ-NAS logrank(az)", "logrank(az)"),
                (f"chosen {chosen}", chosen)]
    res: dict = {}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        cand = rng.permutation(pool)[: args.samples]
        keep = accepted[cand]
        for label, spec in searches:
            for filtered in (False, True):
                c = cand[keep] if filtered else cand
                if c.size == 0:
                    continue
                if spec is None:
                    best, scored, passes = 0, 0, (0, 0)
                elif spec == "oracle":
                    best, scored, passes = int(np.argmax(accs["cifar10_test_200"][c])), 0, (0, 0)
                else:
                    s = np.nan_to_num(spec_scores(spec, vec, c), nan=-np.inf)
                    best = int(np.argmax(s))
                    members = [n for _, n in spec_members(spec)[1]]
                    passes = cost_of(members)
                    scored = int(c.size) if any(m in COST for m in members) else 0
                key = (label, filtered)
                d = res.setdefault(key, {"acc": [], "scored": [], "fwd": [], "bwd": []})
                d["acc"].append([accs[k][c[best]] for k, _ in ACC])
                d["scored"].append(scored)
                d["fwd"].append(scored * passes[0])
                d["bwd"].append(scored * passes[1])
    srows = []
    for (label, filtered), d in res.items():
        a = np.asarray(d["acc"])
        row = {"search": label + (" + filter" if filtered else ""), "runs": int(len(a))}
        for j, (_, lab) in enumerate(ACC):
            row[f"{lab}_mean"], row[f"{lab}_sem"] = float(a[:, j].mean()), float(a[:, j].std(ddof=1) / np.sqrt(len(a)))
        for k in ("scored", "fwd", "bwd"):
            row[f"{k}_mean"] = float(np.mean(d[k]))
        srows.append(row)
    report["searches"] = {"rows": srows, "pool": int(pool.size), "samples": args.samples, "fraction": args.fraction,
                          "seeds": args.seeds, "pool_kind": args.search_pool}
    if not args.no_darts:
        report["darts"] = darts_section(args.darts_scores, chosen)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1, default=float))
    md = markdown(report)
    if args.md:
        Path(args.md).parent.mkdir(parents=True, exist_ok=True)
        Path(args.md).write_text(md)
    print(md)
    return 0


DARTS_ANALYTIC = ("params", "flops", "prior", "d_bar", "m_bar", "nn_mass")


def darts_section(path: str | None, chosen: str) -> dict | None:
    """Table 4: proxies and recipes on the DARTS-725 rows scored (None when no score file exists)."""
    from importlib import resources

    from dagfilter import DAGFilter
    from dagfilter.pools import load_pool
    from dagfilter.proxies.shipped import load_darts725_scores
    from dagfilter.proxies.subset import load_subset_scores
    from dagfilter.rankers import get_ranker, rank_quality

    if path is None:
        ref = resources.files("benchmarks_data").joinpath("proxies_darts725_cifar10.npz")
        if not ref.is_file():
            return None
        path = str(ref)
    sub = load_subset_scores(path)
    pool = load_pool("darts725")
    archs = list(pool.archs)
    acc = np.asarray(pool.accuracies, dtype=np.float64)
    vec = {p: np.asarray(v, dtype=np.float64) for p, v in sub.scores.items()}
    vec["naswot"] = np.asarray(load_darts725_scores().scores, dtype=np.float64)
    specs = ["logrank(az)", "logrank(az+flops)", "logrank(az+prior)", chosen, "logrank(az+naswot+prior)",
             "-d_bar+-m_bar+naswot", "params+-d_bar+-m_bar"]  # the last two: issue 15's DARTS recipes
    # the analytic rankers of the table, and any analytic member of a recipe (e.g. the NB201-chosen one)
    for a in dict.fromkeys([*DARTS_ANALYTIC, *(m for sp in specs for _, m in spec_members(sp)[1])]):
        if a not in vec:
            vec[a] = np.asarray(get_ranker(a).scores("darts", archs), dtype=np.float64)
    scored = np.flatnonzero(np.all([~np.isnan(vec[p]) for p in LIVE if p in vec], axis=0))
    flt = DAGFilter.recommended("darts")
    accepted = np.asarray(flt.mask(archs), dtype=bool)
    kept = scored[accepted[scored]]

    def q(spec: str, rows: np.ndarray) -> dict:
        r = rank_quality(spec_scores(spec, vec, rows), acc[rows])
        return {"rho": r["spearman"], "tau": r["kendall"], "n": int(rows.size)}

    names = [p for p in LIVE if p in vec] + ["naswot"] + list(DARTS_ANALYTIC)
    return {"rows_scored": int(scored.size), "rows_total": len(pool), "metric": pool.metric,
            "filter": flt.describe() if hasattr(flt, "describe") else str(flt), "rows_accepted": int(kept.size),
            "proxies": [{"proxy": n, "all": q(n, scored), "filter": q(n, kept)} for n in names],
            "recipes": [{"recipe": sp, "chosen": sp == chosen, "all": q(sp, scored), "filter": q(sp, kept)}
                        for sp in dict.fromkeys(specs)],
            "meta": {k: sub.meta.get(k) for k in ("batch", "seed", "network", "version", "order_seed",
                                                  "cpu_seconds_per_cell", "created")}}


def _f(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3f}"


def markdown(r: dict) -> str:
    su = r["subset"]
    lines = [f"Subset: {su['cells']} NAS-Bench-201 cells drawn uniformly (seed {su['seed']}); scoring setup "
             f"{su['setup']}.", "",
             "### Per proxy (every subset cell it was scored on)", "",
             "| proxy | cells | C10 ρ | C10 τ | C100 ρ | C100 τ | IN16 ρ | IN16 τ | CPU s/cell (alone) | fwd, bwd | -inf | published C10 ρ |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for x in r["proxies"]:
        cpu = f"{x['cpu_s']:.2f}" if "cpu_s" in x else "0 (analytic)" if x["passes"] == (0, 0) else "—"
        lines.append(f"| {x['proxy']} | {x['n']} | {_f(x['C10_rho'])} | {_f(x['C10_tau'])} | {_f(x['C100_rho'])} | "
                     f"{_f(x['C100_tau'])} | {_f(x['IN16_rho'])} | {_f(x['IN16_tau'])} | {cpu} | "
                     f"{x['passes'][0]}, {x['passes'][1]} | {x['non_finite']} | {x['published_C10']} |")
    t = r.get("timing")
    if t:
        lines += ["", f"CPU seconds per cell, one thread, side by side on the first {len(t['cells'])} subset cells: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in t["mean"].items())
                  + " (`joint` = all twelve proxies in one shared call; `naswot` = baseline, batch 128)."]
    e = r["ensembles"]
    lines += ["", "### Ensembles (recipe chosen on half A = even draw positions by C10 ρ among those within "
              "1 fwd + 1 bwd per cell; reported on half B = odd positions, and on the half-B cells the DAG filter "
              f"(0.5) accepts; each over the cells all its members scored; the chosen one over {e['half_A']} / "
              f"{e['half_B']} / {e['half_B_accepted']} cells)", "", f"Chosen on half A: `{e['chosen']}`.", "",
              "| ensemble | fwd, bwd | cells A / B / B∩filter | A: C10 ρ | B: C10 ρ | B: C10 τ | B: C100 ρ | B: IN16 ρ | B∩filter: C10 ρ | B∩filter: C100 ρ | B∩filter: IN16 ρ |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for x in e["rows"]:
        mark = " **(chosen)**" if x["ensemble"] == e["chosen"] else ""
        lines.append(f"| `{x['ensemble']}`{mark} | {x['passes'][0]}, {x['passes'][1]} | "
                     f"{x['A']['n']} / {x['B']['n']} / {x['B_filter']['n']} | {_f(x['A']['C10_rho'])} | "
                     f"{_f(x['B']['C10_rho'])} | {_f(x['B']['C10_tau'])} | {_f(x['B']['C100_rho'])} | "
                     f"{_f(x['B']['IN16_rho'])} | {_f(x['B_filter']['C10_rho'])} | {_f(x['B_filter']['C100_rho'])} | "
                     f"{_f(x['B_filter']['IN16_rho'])} |")
    s = r["searches"]
    where = "half-B pool" if s.get("pool_kind", "B") == "B" else "pool of all scored cells (includes half A)"
    lines += ["", f"### Searches on the {where} ({s['pool']} cells; N = {s['samples']} drawn per seed, filter "
              f"fraction {s['fraction']}, {s['seeds']} seeds; mean ± s.e.m. test accuracy of the pick)", "",
              "| search | C10 | C100 | IN16 | cells scored | fwd passes | bwd passes |", "|---|---|---|---|---|---|---|"]
    for x in s["rows"]:
        lines.append(f"| {x['search']} | {x['C10_mean']:.2f} ± {x['C10_sem']:.2f} | {x['C100_mean']:.2f} ± "
                     f"{x['C100_sem']:.2f} | {x['IN16_mean']:.2f} ± {x['IN16_sem']:.2f} | {x['scored_mean']:.1f} | "
                     f"{x['fwd_mean']:.1f} | {x['bwd_mean']:.1f} |")
    d = r.get("darts")
    if d:
        lines += ["", f"### DARTS space: the {d['rows_scored']} of {d['rows_total']} `darts725` rows scored "
                  f"(uniform random order), against their {d['metric']}", "",
                  f"Setup {d['meta']}. \"Filter\" = the {d['rows_accepted']} scored rows the default DARTS DAG "
                  "filter window accepts. The `logrank` recipes are NAS-Bench-201 ones applied unchanged; the last two are the DARTS recipes of `docs/results/darts.md` (chosen there by 2-fold CV on this table).", "",
                  "| proxy / recipe | ρ | τ | ρ within filter | τ within filter |", "|---|---|---|---|---|"]
        for x in d["proxies"] + d["recipes"]:
            name = x.get("proxy") or f"`{x['recipe']}`" + (" (chosen on NB201)" if x.get("chosen") else "")
            lines.append(f"| {name} | {_f(x['all']['rho'])} | {_f(x['all']['tau'])} | {_f(x['filter']['rho'])} | "
                         f"{_f(x['filter']['tau'])} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
