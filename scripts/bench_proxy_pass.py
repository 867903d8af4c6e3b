#!/usr/bin/env python
"""CPU cost per cell of the shared proxy pass, old implementation vs new, side by side in one run (issue 27).

For each of ``--cells`` cells of the fixed 1,000-cell NAS-Bench-201 subset (CIFAR-10 minibatch of 128,
score seed 0, the setup of the shipped subset scores), one thread, ``time.process_time``, the two
implementations alternate cell by cell on the same seeded network:

* ``old``: :mod:`dagfilter.proxies` as of ``--old-rev`` (default: the commit before the issue-27
  rewrite), loaded from git into a private package ``dagfilter._proxies_old``;
* ``new``: the working tree (``channels_last`` memory format, rebuilt copies for synflow / zen, sort-based
  SWAP count, no autograd graph when no proxy needs one).

Two workloads: ``ensemble`` = the members of the chosen ensemble ``logrank(az+meco+swap+prior)``
(AZ-NAS's three terms, MeCo, SWAP; ``prior`` is analytic) and ``twelve`` = all twelve shared-pass proxies.
Network builds are timed apart (``build``).

Scores: ``new(NCHW)`` (``channels_last=False``) must equal ``old`` bit for bit on this machine; ``new``
(channels-last) may differ by float rounding. Beside the new/old difference the bench measures the
cross-CPU spread: per proxy, the largest relative difference between this machine's ``old`` scores and
the shipped subset scores (made by the same code on another CPU). It fails (exit 1) when NCHW is not
bit-identical or a new/old difference exceeds the per-proxy tolerance of the shipped benchmark
(:data:`dagfilter.proxies.zc_bench.RESCORE_RTOL`, set from these measurements).

    nice -n 19 python scripts/bench_proxy_pass.py --cells 12 --json runs/bench_proxy_pass.json
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLD_REV = "da8e930"
ENSEMBLE = ("az_expressivity", "az_progressivity", "az_trainability", "meco", "swap")


def load_old(rev: str, where: Path):
    """The ``dagfilter/proxies`` package of git revision ``rev`` as ``dagfilter._proxies_old``."""
    files = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", rev, "dagfilter/proxies/"],
                           check=True, capture_output=True, text=True).stdout.split()
    pkg = where / "_proxies_old"
    pkg.mkdir(parents=True, exist_ok=True)
    for f in files:
        if f.endswith(".py"):
            src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{f}"], check=True,
                                 capture_output=True, text=True).stdout
            (pkg / Path(f).name).write_text(src)
    spec = importlib.util.spec_from_file_location("dagfilter._proxies_old", pkg / "__init__.py",
                                                  submodule_search_locations=[str(pkg)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["dagfilter._proxies_old"] = mod
    spec.loader.exec_module(mod)
    return importlib.import_module("dagfilter._proxies_old.passes")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", type=int, default=12, help="subset cells (draw order from --start)")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--old-rev", default=OLD_REV)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    import numpy as np
    import torch

    from dagfilter.data import fixed_batch
    from dagfilter.encodings.nb201 import index_strings
    from dagfilter.proxies.passes import MULTI_PROXIES, compute_proxies
    from dagfilter.proxies.scoring import build_network
    from dagfilter.proxies.subset import load_subset_scores
    from dagfilter.proxies.zc_bench import RESCORE_RTOL

    torch.set_num_threads(1)
    tmp = tempfile.TemporaryDirectory()
    old = load_old(args.old_rev, Path(tmp.name))
    shipped = load_subset_scores()
    images, labels = fixed_batch("cifar10", args.data_dir, 128, 0)
    pos = list(range(args.start, args.start + args.cells))
    cells = index_strings(shipped.indices[pos].tolist())
    cpu: dict[str, list[float]] = {}
    scores: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}, "nchw": {}, "shipped": {}}
    exact = True

    def net_of(cell: str):
        t0 = time.process_time()
        torch.manual_seed(0)
        net = build_network(cell).train()
        cpu.setdefault("build", []).append(time.process_time() - t0)
        return net

    def timed(key: str, fn):
        torch.manual_seed(1)  # the pass draws its base seed from the global generator: same for old and new
        t0 = time.process_time()
        out = fn()
        cpu.setdefault(key, []).append(time.process_time() - t0)
        return out

    for k, cell in zip(pos, cells):
        for work, names in (("ensemble", ENSEMBLE), ("twelve", MULTI_PROXIES)):
            order = ("old", "new") if k % 2 == 0 else ("new", "old")  # alternate who runs first
            got = {}
            for impl in order:
                net = net_of(cell)
                if impl == "old":
                    got[impl] = timed(f"old {work}", lambda: old.compute_proxies(net, images, labels, names))
                else:
                    got[impl] = timed(f"new {work}", lambda: compute_proxies(net, images, labels, names))
            if work == "twelve":
                for name in names:
                    scores["old"].setdefault(name, []).append(got["old"][name])
                    scores["new"].setdefault(name, []).append(got["new"][name])
                    scores["shipped"].setdefault(name, []).append(float(shipped.scores[name][k]))
                if k - args.start < 2:  # the NCHW path of the new code must be the old code exactly
                    net = net_of(cell)
                    torch.manual_seed(1)
                    nchw = compute_proxies(net, images, labels, names, channels_last=False)
                    exact &= all(nchw[n] == got["old"][n] or (math.isnan(nchw[n]) and math.isnan(got["old"][n]))
                                 for n in names)
        print(f"{k}: " + ", ".join(f"{key} {v[-1]:.2f}" for key, v in cpu.items()), flush=True)

    def rel(a, b):
        a, b = np.asarray(a), np.asarray(b)
        ok = np.isfinite(a) & np.isfinite(b)
        if not (np.isfinite(a) == np.isfinite(b)).all() or not (a[~ok] == b[~ok]).all():
            return math.inf
        return float((np.abs(a[ok] - b[ok]) / np.maximum(np.abs(b[ok]), 1e-300)).max()) if ok.any() else 0.0

    table, worst = [], True
    for name in MULTI_PROXIES:
        spread = rel(scores["old"][name], scores["shipped"][name])
        diff = rel(scores["new"][name], scores["old"][name])
        tol = RESCORE_RTOL[name]
        table.append({"proxy": name, "cross_cpu_spread": spread, "new_vs_old": diff, "tolerance": tol,
                      "ok": diff <= tol})
        worst &= diff <= tol
    mean = {k: float(np.mean(v)) for k, v in cpu.items()}
    res = {"cells": cells, "positions": pos, "threads": 1, "old_rev": args.old_rev, "cpu_seconds": cpu,
           "mean": mean, "nchw_equals_old_bitwise": bool(exact), "scores": table,
           "speedup": {w: mean[f"old {w}"] / mean[f"new {w}"] for w in ("ensemble", "twelve")}}
    print(f"\nCPU s per cell (one thread, mean of {len(cells)} cells; network build {mean['build']:.3f} s apart):")
    for w in ("ensemble", "twelve"):
        print(f"  {w:9s} old {mean[f'old {w}']:.2f}  new {mean[f'new {w}']:.2f}  ({res['speedup'][w]:.2f}x)")
    print(f"new code in NCHW equals old bit for bit: {exact}")
    print("proxy            cross-CPU spread  new vs old  tolerance  ok")
    for r in table:
        print(f"  {r['proxy']:16s} {r['cross_cpu_spread']:.1e}        {r['new_vs_old']:.1e}     {r['tolerance']:.1e}  {r['ok']}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(res, indent=1))
    return 0 if (worst and exact) else 1


if __name__ == "__main__":
    sys.exit(main())
