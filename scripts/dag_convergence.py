#!/usr/bin/env python
"""Sec. 5.1 of the effective depth/width paper: convergence of fully-connected networks shaped
as DAGs (default: DAG#1-#3 of Figure 3), trained with plain SGD at a fixed learning rate.

Writes to OUT: config.json, runs/<dag>__seed<k>.json (one per finished run; a rerun with the
same settings resumes), curves.csv (per-epoch accuracies), summary.json (final accuracies and
the Eq. 12 bounds), convergence.png / .svg (mean +- std across seeds).

Examples:
  # the default CPU setting (5k CIFAR-10 images, 8 epochs, 3 seeds, lr 2e-4)
  python scripts/dag_convergence.py --data-dir ../shared/data/cifar10 --out runs/dag_convergence

  # the paper's exact hyper-parameters (full training set, lr 1e-5) - many CPU hours
  python scripts/dag_convergence.py --data-dir ../shared/data/cifar10 --subset 0 --lr 1e-5 \\
      --epochs 100 --out runs/dag_convergence_paper

  # any other cells (NB201 strings use the cell's op kinds) or data (npz with x, y)
  python scripts/dag_convergence.py --dags dag1 dag3 '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|' \\
      --dataset npz --npz mydata.npz --out runs/mine
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from dagfilter.errors import DagFilterError
from dagfilter.theory.convergence import (ConvergenceConfig, dag_names, export_curves, plot_convergence,
                                          run_experiment, summarize)


def main(argv: list[str] | None = None) -> int:
    """Run (or resume) the experiment; print the summary table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--dags", nargs="+", default=["dag1", "dag2", "dag3"],
                   help="cells: dag1/dag2/dag3 or any cell encoding (default: the paper's three)")
    p.add_argument("--dataset", default="cifar10", help="cifar10 | cifar100 | ImageNet16-120 | npz")
    p.add_argument("--data-dir", default=None, help="dataset directory (default: from the environment)")
    p.add_argument("--npz", default=None, help="npz file with arrays x (N, ...) and y (N,) for --dataset npz")
    p.add_argument("--subset", type=int, default=5000, help="training images used, seeded (0 = all; default 5000)")
    p.add_argument("--width", type=int, default=1024, help="hidden width m (paper: 1024)")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--lr", type=float, default=2e-4, help="fixed SGD learning rate (paper: 1e-5; default 2e-4)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--loss", default="ce", choices=["ce", "mse"])
    p.add_argument("--parameterization", default="standard", choices=["standard", "ntk"])
    p.add_argument("--data-seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    p.add_argument("--out", default="runs/dag_convergence", help="output directory")
    p.add_argument("--overwrite", action="store_true", help="discard runs of another configuration in OUT")
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, args.threads))
    try:
        cfg = ConvergenceConfig(dags=dag_names(args.dags), dataset=args.dataset, data_dir=args.data_dir,
                                npz_path=args.npz, subset=args.subset, width=args.width, epochs=args.epochs,
                                seeds=tuple(args.seeds), lr=args.lr, batch_size=args.batch_size, loss=args.loss,
                                parameterization=args.parameterization, data_seed=args.data_seed)
        groups = run_experiment(cfg, args.out, overwrite=args.overwrite)
    except DagFilterError as exc:
        print(f"dag_convergence: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dag_convergence: interrupted; finished runs are saved, rerun to resume.", file=sys.stderr)
        return 130
    out = Path(args.out)
    rows = summarize(groups)
    (out / "summary.json").write_text(json.dumps({"config": cfg.to_dict(), "rows": rows}, indent=2))
    export_curves(groups, out / "curves.csv")
    n = data_n = cfg.subset or "all"
    caption = (f"{cfg.dataset}, {data_n} training images, width {cfg.width}, ReLU, Kaiming normal, "
               f"SGD lr {cfg.lr:g}, batch {cfg.batch_size}, no momentum/decay/augmentation; "
               f"shading: +-1 std over {len(cfg.seeds)} seeds.")
    paths = plot_convergence(groups, out / "convergence",
                             title="Training accuracy of DAG-shaped FC networks", caption=caption)
    print(f"{'dag':<8} {'seeds':>5} {'final acc (%)':>16} {'mean acc (%)':>13} {'Eq.12 bound':>12}")
    for r in rows:
        print(f"{r['dag']:<8} {r['seeds']:>5} {100 * r['final_acc_mean']:>9.2f} +- {100 * r['final_acc_std']:<4.2f}"
              f" {100 * r['mean_acc_over_epochs']:>13.2f} {r['bound_rho_0.5']:>12.3f}")
    print("figure:", ", ".join(str(p) for p in paths), f"(n={n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
