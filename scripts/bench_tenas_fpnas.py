"""Plain vs DAG-filtered TE-NAS and FP-NAS on NAS-Bench-201, same seeds.

For each searcher and seed, runs the search without and with the DAG filter (fraction 0.5 by
default) and reports: NTK evaluations / training steps, the candidates skipped or cells
rejected by the filter, the wall-clock ratio filtered / plain, and the chosen cells'
NAS-Bench-201 test accuracies (mean ± std over seeds). Paper reference (Table 2): TE-NAS + DAG
-30.9 % search cost, FP-NAS + DAG -46 %, accuracy equal or better.

Usage::

    python scripts/bench_tenas_fpnas.py --data-dir ../shared/data/cifar10 --seeds 0 1 2 \\
        --out runs/tenas_fpnas            # CPU size (minutes per search)
    python scripts/bench_tenas_fpnas.py --size paper --device cuda --seeds 0 1 2 --fpnas-budget 200

Writes ``<out>/results.json`` (every search result) and ``<out>/table.md``; each finished search
is also kept under ``<out>/runs/`` so an interrupted benchmark resumes where it stopped.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

import searchers
from dagfilter.filter import DAGFilter
from searchers.base import SearchResult

ACC = (("cifar10_test_200", "C10"), ("cifar100_test_200", "C100"), ("imagenet16_test_200", "IN16"))


def _ms(values: list[float]) -> str:
    a = np.asarray(values, dtype=np.float64)
    return f"{a.mean():.2f} ± {a.std(ddof=1) if len(a) > 1 else 0.0:.2f}"


def run_one(name: str, opts: dict, budget: int, seed: int, flt: DAGFilter | None, out: Path,
            progress: bool) -> SearchResult:
    tag = f"{name}-{'dag' if flt else 'plain'}-seed{seed}"
    done = out / "runs" / f"{tag}.json"
    if done.is_file():
        return SearchResult.from_json(done)
    # a fresh state folder per benchmark run: wall-clock figures are never from a resumed search
    s = searchers.get(name, state_dir=out / "state" / tag, resume=False, **opts)
    res = s.search("nb201", budget=budget, seed=seed, filter=flt, progress=progress)
    done.parent.mkdir(parents=True, exist_ok=True)
    res.to_json(done)
    return res


def cost(res: SearchResult) -> float:
    """NTK evaluations (TE-NAS) or training steps (FP-NAS)."""
    st = res.config["stats"]
    return float(st["ntk_evaluations"] if res.searcher == "tenas" else st["training_steps"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--size", default="cpu", choices=["cpu", "paper"])
    p.add_argument("--device", default="cpu")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--fpnas-budget", type=int, default=60, help="FP-NAS iterations (default 60)")
    p.add_argument("--searchers", nargs="+", default=["tenas", "fpnas"])
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    p.add_argument("--out", default="runs/tenas_fpnas")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    flt = DAGFilter.from_space("nb201", args.fraction)
    opts = {"data_dir": args.data_dir, "size": args.size, "device": args.device}
    results: dict[str, dict[str, list[SearchResult]]] = {}
    t0 = time.time()
    for name in args.searchers:
        budget = args.fpnas_budget if name == "fpnas" else 1
        for seed in args.seeds:
            for mode, f in (("plain", None), ("dag", flt)):
                res = run_one(name, opts, budget, seed, f, out, not args.quiet)
                results.setdefault(name, {}).setdefault(mode, []).append(res)
                acc = res.accuracies or {}
                print(f"[{time.time() - t0:7.0f}s] {name} {mode} seed {seed}: cost {cost(res):.0f} "
                      f"skipped {res.skipped} wall {res.wall_seconds:.1f}s c10 {acc.get('cifar10_test_200', float('nan')):.2f}"
                      f"  {res.chosen_cell}", file=sys.stderr, flush=True)

    unit = {"tenas": "NTK evals", "fpnas": "train steps"}
    lines = [f"NAS-Bench-201, size {args.size}, seeds {args.seeds}, filter fraction {args.fraction}, "
             f"device {args.device}", "",
             "| searcher | cost unit | cost (mean) | skipped/rejected | cost ratio | wall s (mean) | wall ratio | "
             + " | ".join(f"{lab} test acc" for _, lab in ACC) + " |",
             "|---|---|---|---|---|---|---|" + "---|" * len(ACC)]
    summary: dict[str, dict[str, object]] = {}
    for name, modes in results.items():
        plain_cost = np.mean([cost(r) for r in modes["plain"]])
        plain_wall = np.mean([r.wall_seconds for r in modes["plain"]])
        for mode, rs in modes.items():
            c = np.mean([cost(r) for r in rs])
            w = np.mean([r.wall_seconds for r in rs])
            per_seed_wall = [r.wall_seconds / p.wall_seconds for r, p in zip(rs, modes["plain"])]
            accs = {lab: _ms([r.accuracies[key] for r in rs]) if all(r.accuracies for r in rs) else "n/a"
                    for key, lab in ACC}
            label = f"{name}{' + DAG' if mode == 'dag' else ''}"
            lines.append(f"| {label} | {unit[name]} | {c:.0f} | {np.mean([r.skipped for r in rs]):.0f} | "
                         f"{c / plain_cost:.3f} | {w:.1f} | {w / plain_wall:.3f} (per seed {_ms(per_seed_wall)}) | "
                         + " | ".join(accs.values()) + " |")
            summary[label] = {"cost": float(c), "cost_ratio": float(c / plain_cost), "wall": float(w),
                              "wall_ratio": float(w / plain_wall), "accuracies": accs,
                              "chosen": [r.chosen_cell for r in rs]}
    table = "\n".join(lines)
    print(table)
    (out / "table.md").write_text(table + "\n")
    (out / "results.json").write_text(json.dumps(
        {"summary": summary, "runs": {n: {m: [r.to_dict() for r in rs] for m, rs in ms.items()}
                                      for n, ms in results.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
