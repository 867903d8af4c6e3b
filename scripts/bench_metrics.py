"""Benchmark: d_bar/m_bar and the filter mask, DP vs networkx path enumeration, side by side.

Workloads
  1. the whole NAS-Bench-201 space (15,625 cells), vectorized DP + filter mask;
  2. 10,000 random DARTS genotypes (normal cells, seeded): per-cell DP (``path_stats``), batched DP
     (``batch_depth_width``), and the baseline: networkx ``all_simple_paths`` enumeration on the
     MultiDiGraph of each cell (the same cells, in the same run).

Targets (issue 2): NB201 space in < 0.2 s; DP >= 20x faster than enumeration on DARTS cells.
Usage: ``python scripts/bench_metrics.py [--darts 10000] [--repeat 3] [--json OUT]``
"""
from __future__ import annotations

import argparse
import json
import time

import networkx as nx
import numpy as np

from dagfilter import DAGFilter
from dagfilter.encodings import nb201
from dagfilter.metrics import batch_depth_width, nb201_depth_width, path_stats
from dagfilter.ops import DEFAULT_REGISTRY
from dagfilter.spaces import get_space


def enumerate_depth_width(cell) -> tuple[float, float]:
    """Baseline: explicit path enumeration with networkx (zero edges removed first)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(cell.num_nodes))
    for e in cell.edges:
        kind = DEFAULT_REGISTRY.kind(e.op)
        if kind != "zero":
            g.add_edge(e.src, e.dst, w=1 if kind == "param" else 0)
    depths = []
    for src in cell.inputs:
        for path in nx.all_simple_edge_paths(g, src, cell.output):
            depths.append(sum(g.edges[u, v, k]["w"] for u, v, k in path))
    if not depths:
        return 0.0, 0.0
    d = sum(depths) / len(depths)
    return d, (sum(1 for x in depths if x > 0) / d if d > 0 else 0.0)


def best_of(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--darts", type=int, default=10_000, help="number of random DARTS genotypes")
    ap.add_argument("--repeat", type=int, default=3, help="repeats (best time is reported)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write the numbers to this JSON file")
    args = ap.parse_args()

    codes = nb201.index_codes()
    flt = DAGFilter.from_space("nb201")

    def nb201_all():
        d, m = nb201_depth_width(codes)
        return flt.accepts_metrics(d, m)

    t_nb201, mask = best_of(nb201_all, args.repeat)
    nb_cells = [nb201.from_index(i) for i in range(0, nb201.NUM_ARCHS, 5)]
    t_nb_enum, _ = best_of(lambda: [enumerate_depth_width(c) for c in nb_cells], 1)
    t_nb_dp, _ = best_of(lambda: [path_stats(c) for c in nb_cells], 1)

    space = get_space("darts")
    cells = [space.cell_of(g) for g in space.samples(args.darts, seed=args.seed)]
    t_dp, dp = best_of(lambda: [path_stats(c) for c in cells], args.repeat)
    t_batch, (bd, bm) = best_of(lambda: batch_depth_width(cells), args.repeat)
    t_enum, enum = best_of(lambda: [enumerate_depth_width(c) for c in cells], 1)
    agree = all(abs(s.d_bar - e[0]) < 1e-9 and abs(s.m_bar - e[1]) < 1e-9 for s, e in zip(dp, enum))
    agree &= bool(np.allclose(bd, [e[0] for e in enum]) and np.allclose(bm, [e[1] for e in enum]))

    n = len(cells)
    res = {
        "nb201_space_seconds": t_nb201, "nb201_kept": int(mask.sum()),
        "nb201_us_per_cell_vectorized": 1e6 * t_nb201 / nb201.NUM_ARCHS,
        "nb201_us_per_cell_dp": 1e6 * t_nb_dp / len(nb_cells),
        "nb201_us_per_cell_enumeration": 1e6 * t_nb_enum / len(nb_cells),
        "darts_cells": n,
        "darts_us_per_cell_dp": 1e6 * t_dp / n, "darts_us_per_cell_batch": 1e6 * t_batch / n,
        "darts_us_per_cell_enumeration": 1e6 * t_enum / n,
        "darts_speedup_dp_vs_enumeration": t_enum / t_dp, "darts_speedup_batch_vs_enumeration": t_enum / t_batch,
        "results_agree": agree,
    }
    print(f"NAS-Bench-201, all {nb201.NUM_ARCHS} cells (d_bar, m_bar + mask): {1e3 * t_nb201:.1f} ms "
          f"({res['nb201_us_per_cell_vectorized']:.2f} us/cell; target < 200 ms); kept {res['nb201_kept']}")
    print(f"  per-cell DP {res['nb201_us_per_cell_dp']:.1f} us vs networkx enumeration "
          f"{res['nb201_us_per_cell_enumeration']:.1f} us")
    print(f"DARTS, {n} random normal cells:")
    print(f"  DP per cell      {res['darts_us_per_cell_dp']:8.1f} us/cell")
    print(f"  DP batched       {res['darts_us_per_cell_batch']:8.1f} us/cell")
    print(f"  enumeration (nx) {res['darts_us_per_cell_enumeration']:8.1f} us/cell")
    print(f"  speed-up: DP {res['darts_speedup_dp_vs_enumeration']:.1f}x, batched "
          f"{res['darts_speedup_batch_vs_enumeration']:.1f}x (target >= 20x); results agree: {agree}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
