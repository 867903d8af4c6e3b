"""Kendall tau of the brief-training rankings against NAS-Bench-201's 200-epoch accuracy.

Picks ``--cells`` NAS-Bench-201 cells at evenly spaced quantiles of the CIFAR-10 200-epoch test
accuracy (so they span the accuracy range), trains each briefly on a CIFAR-10 subset on CPU
twice - plain (for module criticality and the validation-accuracy baseline) and with a
capacitance probe head (for the beta_eff extrapolation) - and prints the taus.

Resumable: re-running with the same ``--out`` continues (finished cells are cached).

    python scripts/bench_rank_tau.py --data-dir ../shared/data/cifar10 --out runs/rank/tau
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from dagfilter import bench
from dagfilter.trained import funnel, kendall_tau


def pick_cells(n: int) -> list[str]:
    api = bench.load("nb201")
    acc = api.query_many(np.arange(len(api)), "cifar10", "test-accuracy")
    order = np.argsort(acc, kind="stable")
    qs = np.linspace(0.03, 0.995, n)
    idx = [int(order[int(q * (len(order) - 1))]) for q in qs]
    from dagfilter.cell import Cell
    return [Cell.from_nb201_index(i).to_nb201_str() for i in idx]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default="runs/rank/tau")
    ap.add_argument("--cells", type=int, default=12)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--subset", type=int, default=2000)
    ap.add_argument("--val-subset", type=int, default=500)
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--crit-loss", default="ce", choices=["ce", "error"])
    ap.add_argument("--crit-epsilon", type=float, default=0.05)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cells = pick_cells(args.cells)
    common = dict(out=args.out, data_dir=args.data_dir, subset=args.subset, val_subset=args.val_subset,
                  channels=args.channels, layers=args.layers, batch_size=args.batch_size, lr=args.lr, seed=0)
    t0 = time.time()
    crit = funnel(cells, k=len(cells), epochs=args.epochs, rank="criticality",
                  crit_kwargs={"loss": args.crit_loss, "epsilon": args.crit_epsilon,
                               "sigmas": [0.003, 0.01, 0.03, 0.1, 0.3], "noise_samples": 1}, **common)
    t1 = time.time()
    cap = funnel(cells, k=len(cells), epochs=args.epochs, rank="capacitance", **common)
    t2 = time.time()
    print(crit.format_table())
    print(cap.format_table())
    bench_acc = [r.benchmark_acc for r in crit.rows]
    summary = {
        "cells": cells, "benchmark_acc": bench_acc, "settings": vars(args),
        "tau_criticality": crit.tau, "tau_val_acc_plain": crit.tau_val,
        "tau_capacitance": cap.tau, "tau_val_acc_probe": cap.tau_val,
        "tau_last_beta": kendall_tau([-abs(r.details["observations"][-1]["beta"]) for r in cap.rows], bench_acc),
        "seconds_criticality_runs": t1 - t0, "seconds_capacitance_runs": t2 - t1,
    }
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k.startswith("tau") or k.startswith("sec")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
