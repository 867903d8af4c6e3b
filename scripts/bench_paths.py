"""Benchmark: metrics of exponential-path cells - path-depth histogram vs the per-path list.

Workload: Fibonacci-shaped DARTS genotypes (every intermediate node takes the two previous nodes,
all sep_conv_3x3), whose normal cell with ``n`` intermediate nodes has F(n+2) input->output paths
(~1.7e8 at n = 40). For each ``n`` the script times, in the same run:

* **now**: what ``dagfilter metrics`` computes for a cell - ``cell_report`` of
  ``dagfilter.commands.metrics`` (d_bar, m_bar, exact path count, the depth histogram
  ``{d: count}``, Eq. 12 bound, NN-Mass) - including building the cell from JSON text;
* **per-path list** (the output format before issue 18): the same statistics plus the list of
  every path's depth, expanded from the histogram, and the Eq. 12 bound over that list. It is
  only run while the list has at most ``--list-max`` entries (memory grows like F(n+2)).

Target (issue 18): the 40-node Fibonacci genotype's metrics in < 1 s.
Usage: ``python scripts/bench_paths.py [--nodes 10 20 25 30 40 1000 10000] [--list-max 3000000] [--repeat 3]``
"""
from __future__ import annotations

import argparse
import json
import time


def fib_genotype(n: int) -> dict:
    normal = [p for i in range(n) for p in (["sep_conv_3x3", i], ["sep_conv_3x3", i + 1])]
    return {"normal": normal, "normal_concat": [n + 1], "reduce": normal, "reduce_concat": [n + 1]}


def now(text: str) -> dict:
    from dagfilter.commands.metrics import cell_report
    from dagfilter.encodings import darts
    from dagfilter.encodings.parse import parse_arch

    return cell_report(darts.cell_from_genotype(parse_arch(text), "normal"), 0.5)


def per_path_list(text: str) -> dict:
    from dagfilter.encodings import darts
    from dagfilter.encodings.parse import parse_arch
    from dagfilter.metrics import cell_nn_mass, nngp_bound_from_depths, path_stats

    cell = darts.cell_from_genotype(parse_arch(text), "normal")
    s = path_stats(cell)
    depths = [d for d, c in enumerate(s.depth_hist) for _ in range(c)]
    return {"d_bar": s.d_bar, "m_bar": s.m_bar, "num_paths": s.num_paths, "path_depths": depths,
            "nn_mass": cell_nn_mass(cell), "nngp_bound": nngp_bound_from_depths(depths, 0.5)}


def best_of(fn, arg, repeat: int) -> tuple[float, dict]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(arg)
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, nargs="+", default=[10, 20, 25, 30, 40, 1000, 10000])
    ap.add_argument("--list-max", type=int, default=3_000_000, help="largest per-path list the baseline builds")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    now(json.dumps(fib_genotype(3)))  # imports outside the timings
    rows = []
    print(f"{'nodes':>6} {'paths':>14} {'now (s)':>9} {'hist bins':>9} {'per-path list (s)':>18} {'speed-up':>9}")
    for n in args.nodes:
        text = json.dumps(fib_genotype(n))
        t_now, rep = best_of(now, text, args.repeat)
        paths = rep["num_paths"]
        bins = None if rep["path_depth_counts"] is None else len(rep["path_depth_counts"])
        t_old = None
        if isinstance(paths, int) and paths <= args.list_max:
            t_old, old = best_of(per_path_list, text, args.repeat)
            assert old["num_paths"] == paths and abs(old["nngp_bound"] - rep["nngp_bound"]) <= 1e-9 * max(1, paths)
        shown = f"{paths:,}" if isinstance(paths, int) and paths < 10 ** 13 else f"~10^{len(str(paths)) - 1}"
        old_s = f"{t_old:18.4f}" if t_old is not None else f"{'(not run)':>18}"
        speed = f"{t_old / t_now:8.0f}x" if t_old else f"{'-':>9}"
        print(f"{n:>6} {shown:>14} {t_now:9.4f} {str(bins):>9} {old_s} {speed}")
        rows.append({"nodes": n, "paths_digits": len(str(paths)), "now_s": t_now, "hist_bins": bins,
                     "per_path_list_s": t_old})
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
