"""Speed targets of dagfilter.nets: build and forward time, analytic vs built counting.

Usage:
    python scripts/bench_nets.py [--repeats 5] [--threads 1] [--batch 64] [--json out.json]

Measures (wall-clock, CPU):
* build time and one forward pass (batch 64, eval mode, no grad) of the NAS-Bench-201 best
  cell network (CIFAR-10 head, 32x32) and of DARTS_V2 at C=36, layers=20 (32x32);
* time per cell of the closed-form NAS-Bench-201 parameter count vs building the network and
  summing its parameters (the speed ratio), the same for DARTS_V2 (C=36, 20 layers), and the vectorised count of the whole 15,625-cell
  space for all three data-set heads.
"""
from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time

import numpy as np
import torch

from dagfilter.genotypes import DARTS_V2
from dagfilter.nets import (NB201_OP_NAMES, build_network, count_parameters, darts_param_count,
                            nb201_dataset_costs, nb201_param_count)

BEST_NB201 = ("nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3", "nor_conv_3x3")


def timed(fn, repeats: int) -> tuple[float, object]:
    """Median wall-clock seconds of ``fn()`` over ``repeats`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_network(make, batch: int, repeats: int) -> dict:
    build_s, net = timed(make, repeats)
    net.eval()
    x = torch.randn(batch, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        net(x)  # warm-up
        fwd_s, _ = timed(lambda: net(x), repeats)
    return {"build_s": build_s, "forward_s": fwd_s, "params_M": count_parameters(net) / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    res = {"threads": args.threads, "batch": args.batch, "torch": torch.__version__}
    res["nb201_best"] = bench_network(lambda: build_network(BEST_NB201, "nb201"), args.batch, args.repeats)
    res["darts_v2_c36_l20"] = bench_network(lambda: build_network(DARTS_V2, "darts", C=36, layers=20),
                                            args.batch, max(1, args.repeats // 2))

    rng = np.random.default_rng(args.seed)
    space = list(itertools.product(NB201_OP_NAMES, repeat=6))
    sample = [space[i] for i in rng.choice(len(space), size=20, replace=False)]
    built_s, _ = timed(lambda: [count_parameters(build_network(c)) for c in sample], 1)
    analytic_s, _ = timed(lambda: [nb201_param_count(c) for c in sample], args.repeats)
    res["nb201_count_per_cell"] = {"built_s": built_s / len(sample), "analytic_s": analytic_s / len(sample),
                                   "speedup": built_s / analytic_s}
    d_built_s, _ = timed(lambda: count_parameters(build_network(DARTS_V2, "darts", C=36, layers=20)), 1)
    d_analytic_s, _ = timed(lambda: darts_param_count(DARTS_V2, C=36, layers=20), args.repeats)
    res["darts_v2_count"] = {"built_s": d_built_s, "analytic_s": d_analytic_s, "speedup": d_built_s / d_analytic_s}
    whole_s, table = timed(lambda: nb201_dataset_costs(space), args.repeats)
    res["nb201_whole_space_costs_s"] = whole_s
    res["nb201_whole_space_rows"] = len(table)

    text = json.dumps(res, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
