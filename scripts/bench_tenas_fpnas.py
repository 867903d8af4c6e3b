"""Plain vs DAG-filtered TE-NAS and FP-NAS on NAS-Bench-201, paired seeds.

For each searcher and seed, runs the search without the filter and with it under each
requested filter rule (TE-NAS: ``centroid`` = the authors' rule, ``window`` = our earlier one;
FP-NAS: ``skip`` = rejected draws skipped, not replaced), all with the same seed, so
each filtered search is paired with its plain twin. Reports, per arm: mean ± std (sample std)
of the chosen cell's test accuracy on CIFAR-10 / CIFAR-100 / ImageNet16-120 from the shipped
NAS-Bench-201 table, the paired difference filtered - plain with a 95 % t-interval over seeds,
and the cost: NTK and linear-region evaluations (TE-NAS) or training steps (FP-NAS), candidates
skipped / draws rejected, and wall seconds, each also as a ratio to the plain arm. Paper
reference (Table 2): TE-NAS + DAG -30.9 % search cost, FP-NAS + DAG -46 %, accuracy equal or
better.

Usage::

    python scripts/bench_tenas_fpnas.py --data-dir ../shared/data/cifar10 --seeds 0-9 \\
        --out runs/tenas_fpnas --tenas-rules centroid window --fpnas-rules skip
    python scripts/bench_tenas_fpnas.py --size paper --device cuda --seeds 0 1 2 --fpnas-budget 200

``--seeds`` takes numbers and ranges (``0-9 12``). Writes ``<out>/results.json`` (every
search result) and ``<out>/table.md``; each finished search is also kept under
``<out>/runs/`` so an interrupted benchmark resumes where it stopped (``--report-only`` makes
the tables from what is there without running anything).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

import searchers
from dagfilter.filter import DAGFilter
from searchers.base import SearchResult

ACC = (("cifar10_test_200", "C10"), ("cifar100_test_200", "C100"), ("imagenet16_test_200", "IN16"))
DEFAULT_RULES = {"tenas": "centroid", "fpnas": "skip"}

#: The paper's Table 2 rows (3 seeds, GPU seconds), for the side-by-side table.
PAPER_ROWS = {
    "tenas": {"label": "TE-NAS", "acc": ("93.9 (0.47)", "71.24 (0.56)", "42.38 (0.46)"), "cost": "1558 s"},
    "tenas+dag": {"label": "TE-NAS + DAG", "acc": ("93.6 (0.37)", "71.26 (0.77)", "44.38 (0.76)"),
                  "cost": "1077 s (-30.9 %)"},
    "fpnas": {"label": "FP-NAS", "acc": ("77.4 (16.6)", "64.7 (5.3)", "26.7 (10.4)"), "cost": "4837 s"},
    "fpnas+dag": {"label": "FP-NAS + DAG", "acc": ("93.3 (0.3)", "70.8 (0.4)", "44.5 (1.4)"),
                  "cost": "2612 s (-46.0 %)"},
}


def parse_seeds(items: Sequence[str]) -> list[int]:
    """``["0-9", "12"]`` -> ``[0, ..., 9, 12]``."""
    out: list[int] = []
    for it in items:
        a, _, b = str(it).partition("-")
        out.extend(range(int(a), int(b) + 1) if b else [int(a)])
    return out


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    a = np.asarray(values, dtype=np.float64)
    return float(a.mean()), float(a.std(ddof=1)) if len(a) > 1 else 0.0


def paired_interval(diffs: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired differences and its two-sided t-interval ``(mean, low, high)``."""
    from scipy import stats

    d = np.asarray(diffs, dtype=np.float64)
    m = float(d.mean())
    if len(d) < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))
    return m, m - half, m + half


def add_run_options(p: argparse.ArgumentParser, default_out: str) -> None:
    """``--threads``, ``--out``, ``--report-only`` and ``--quiet`` (shared by the search benchmarks)."""
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    p.add_argument("--out", default=default_out)
    p.add_argument("--report-only", action="store_true", help="tabulate finished searches, run nothing")
    p.add_argument("--quiet", action="store_true")


def prepare_run(args: argparse.Namespace) -> tuple[Path, list[int]]:
    """Apply ``--threads``, create ``--out``; returns the output folder and the parsed ``--seeds``."""
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out, parse_seeds(args.seeds)


def run_one(name: str, opts: dict[str, Any], budget: int, seed: int, flt: DAGFilter | None, rule: str,
            out: Path, progress: bool) -> SearchResult:
    tag = f"{name}-{rule if flt else 'plain'}-seed{seed}"
    done = out / "runs" / f"{tag}.json"
    if done.is_file():
        return SearchResult.from_json(done)
    # a fresh state folder per search: wall-clock figures are never from a resumed search
    s = searchers.get(name, state_dir=out / "state" / tag, resume=False, filter_rule=rule, **opts)
    res = s.search("nb201", budget=budget, seed=seed, filter=flt, progress=progress)
    done.parent.mkdir(parents=True, exist_ok=True)
    res.to_json(done)
    return res


def costs(res: SearchResult) -> dict[str, float]:
    """The cost figures of one search."""
    st = res.config["stats"]
    if res.searcher == "tenas":
        return {"NTK evals": float(st["ntk_evaluations"]), "LR evals": float(st["lr_evaluations"]),
                "skipped": float(res.skipped), "wall s": float(res.wall_seconds)}
    return {"train steps": float(st["training_steps"]), "rejected": float(res.skipped),
            "wall s": float(res.wall_seconds)}


def summarize(name: str, arms: dict[str, list[SearchResult]], seeds: list[int]) -> tuple[list[str], dict[str, Any]]:
    """Markdown lines and a JSON summary for one searcher; arms are keyed by rule ('plain' first)."""
    common = set.intersection(*({r.seed for r in rs} for rs in arms.values()))  # complete pairs only
    plain = {r.seed: r for r in arms["plain"] if r.seed in common}
    lines = []
    summary: dict[str, Any] = {}
    cost_keys = list(costs(arms["plain"][0]))
    head = "| arm | n | " + " | ".join(f"{lab} test acc" for _, lab in ACC) + " | " + " | ".join(cost_keys) + " |"
    lines += [head, "|---|---|" + "---|" * (len(ACC) + len(cost_keys))]
    for rule, rs in arms.items():
        rs = [r for r in rs if r.seed in plain]
        label = "plain" if rule == "plain" else f"+ DAG ({rule})"
        accs = {lab: mean_std([r.accuracies[key] for r in rs]) for key, lab in ACC}
        cs = {k: mean_std([costs(r)[k] for r in rs]) for k in cost_keys}
        ratio = {k: np.mean([costs(r)[k] for r in rs]) / np.mean([costs(plain[r.seed])[k] for r in rs])
                 if np.mean([costs(plain[r.seed])[k] for r in rs]) > 0 else math.nan for k in cost_keys}
        cells = [f"{m:.2f} ± {s:.2f}" for m, s in accs.values()]
        ccells = [f"{cs[k][0]:.0f}" + ("" if rule == "plain" or not math.isfinite(ratio[k]) else f" ({ratio[k]:.2f}×)")
                  if k != "wall s" else f"{cs[k][0]:.1f}" + ("" if rule == "plain" else f" ({ratio[k]:.2f}×)")
                  for k in cost_keys]
        lines.append(f"| {label} | {len(rs)} | " + " | ".join(cells) + " | " + " | ".join(ccells) + " |")
        entry: dict[str, Any] = {"n": len(rs), "seeds": [r.seed for r in rs],
                                 "accuracy": {lab: {"mean": m, "std": s} for lab, (m, s) in accs.items()},
                                 "cost": {k: {"mean": cs[k][0], "std": cs[k][1], "ratio": ratio[k]} for k in cost_keys},
                                 "chosen": [r.chosen_cell for r in rs]}
        if rule != "plain":
            entry["paired_diff"] = {}
            for key, lab in ACC:
                m, lo, hi = paired_interval([r.accuracies[key] - plain[r.seed].accuracies[key] for r in rs])
                entry["paired_diff"][lab] = {"mean": m, "low": lo, "high": hi}
        summary[rule] = entry
    diffs = [(rule, e) for rule, e in summary.items() if rule != "plain"]
    if diffs:
        lines += ["", "Paired difference filtered − plain (same seed), mean [95 % t-interval]:", "",
                  "| arm | n | " + " | ".join(lab for _, lab in ACC) + " |", "|---|---|" + "---|" * len(ACC)]
        for rule, e in diffs:
            lines.append(f"| + DAG ({rule}) | {e['n']} | " + " | ".join(
                f"{d['mean']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]" for d in e["paired_diff"].values()) + " |")
    return lines, summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--size", default="cpu", choices=["cpu", "paper"])
    p.add_argument("--device", default="cpu")
    p.add_argument("--seeds", nargs="+", default=["0-9"], help="seeds and ranges (default 0-9)")
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--fpnas-budget", type=int, default=60, help="FP-NAS iterations (default 60)")
    p.add_argument("--searchers", nargs="+", default=["tenas", "fpnas"])
    p.add_argument("--tenas-rules", nargs="+", default=["centroid"], help="TE-NAS filter rules (default centroid)")
    p.add_argument("--fpnas-rules", nargs="+", default=["skip"], help="FP-NAS filter rules (default skip)")
    add_run_options(p, "runs/tenas_fpnas")
    args = p.parse_args(argv)
    out, seeds = prepare_run(args)
    flt = DAGFilter.from_space("nb201", args.fraction)
    opts = {"data_dir": args.data_dir, "size": args.size, "device": args.device}
    rules = {"tenas": args.tenas_rules, "fpnas": args.fpnas_rules}
    results: dict[str, dict[str, list[SearchResult]]] = {}
    t0 = time.time()
    for seed in seeds:  # seed-major: an interruption leaves complete pairs behind
        for name in args.searchers:
            budget = args.fpnas_budget if name == "fpnas" else 1
            for rule, f in [("plain", None)] + [(r, flt) for r in rules[name]]:
                tag = f"{name}-{rule}-seed{seed}"
                if args.report_only:
                    path = out / "runs" / f"{tag}.json"
                    if not path.is_file():
                        continue
                    res = SearchResult.from_json(path)
                else:
                    res = run_one(name, opts, budget, seed, f, DEFAULT_RULES[name] if rule == "plain" else rule,
                                  out, not args.quiet)
                results.setdefault(name, {}).setdefault(rule, []).append(res)
                acc = res.accuracies or {}
                print(f"[{time.time() - t0:7.0f}s] {tag}: {costs(res)} c10 {acc.get('cifar10_test_200', math.nan):.2f}"
                      f"  {res.chosen_cell}", file=sys.stderr, flush=True)

    titles = {"tenas": "TE-NAS", "fpnas": f"FP-NAS ({args.fpnas_budget} iterations)"}
    lines = [f"NAS-Bench-201, size {args.size}, seeds {seeds[0]}-{seeds[-1]} ({len(seeds)}), filter fraction "
             f"{args.fraction}, device {args.device}, {args.threads} thread(s)", ""]
    summary: dict[str, Any] = {}
    for name, arms in results.items():
        if "plain" not in arms:
            continue
        sub, summary[name] = summarize(name, arms, seeds)
        lines += [f"### {titles[name]}", ""] + sub + [""]
    lines += ["### Paper (Table 2, 3 seeds, GPU seconds)", "",
              "| method | C10 | C100 | IN16 | search cost |", "|---|---|---|---|---|"]
    lines += [f"| {r['label']} | " + " | ".join(r["acc"]) + f" | {r['cost']} |" for r in PAPER_ROWS.values()]
    table = "\n".join(lines)
    print(table)
    (out / "table.md").write_text(table + "\n")
    (out / "results.json").write_text(json.dumps(
        {"summary": summary, "runs": {n: {m: [r.to_dict() for r in rs] for m, rs in ms.items()}
                                      for n, ms in results.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
