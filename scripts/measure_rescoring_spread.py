"""How far a live rescoring may drift from the shipped scores: the cross-kernel spread, measured.

The shipped score files (``benchmarks_data/*.npz``) were computed on one machine. Float kernels
(BLAS, oneDNN convolutions, reductions) sum in an order that depends on the CPU's vector width and
on the thread count, so another CPU gives scores that differ in the last bits; bit equality holds on
one machine, same thread count, same process only. This script rescores the cells the
shipped-score tests rescore, three ways, and prints the relative differences:

* ``1 thr`` / ``2 thr``: float32, ``torch.set_num_threads(1)`` vs ``2`` (two summation orders of
  the same kernels: a stand-in for "another CPU");
* ``f64``: the same network and minibatch in float64 (close to the exact value): how far float32
  rounding moves a score at all, which bounds what any other float32 kernel can do (up to a small
  factor).

The rescoring tests (``tests/test_darts_scores.py``, ``tests/test_shipped_scores.py``,
``tests/test_proxy_subset.py``) compare with :data:`dagfilter.proxies.shipped.NASWOT_RESCORE_RTOL`
(NAS-WOT, 1e-6) and :data:`dagfilter.proxies.zc_bench.RESCORE_RTOL` (the other proxies, set by the
issue-27 measurement; its values at commit 803432d in the last column), which cover these numbers, and check exact equality only within one process.
Measured on the 2-core AMD EPYC (AVX2, no AVX-512), torch 2.13.0 CPU, 2026-12-07, on commit 0c8228c
(``git archive`` of it, so no uncommitted work of the shared tree), max relative difference over the
rescored cells (``shipped`` = live here, 1 or 2 threads, vs the shipped value made on another machine):

    proxy             1thr-vs-2thr  f32-vs-f64  shipped-vs-live   tolerance
    naswot                 0          1.2e-08      3.3e-09          1e-6
    meco                 1.3e-06      1.7e-06      1.7e-06          1e-4
    az_expressivity      2.1e-07      2.1e-07      2.0e-07          1e-5
    az_progressivity     5.8e-07      3.1e-06      3.1e-06          2e-4
    az_trainability      9.4e-05      2.4e-02*     8.4e-05          0.15
    swap                   0            0            0              1e-4
    jacov                1.0e-05      6.1e-06      9.8e-06          1e-3
    snip                 2.2e-04      2.5e-04      2.2e-04          1e-2
    grad_norm            2.7e-04      2.9e-04      2.8e-04          2e-2
    fisher               1.8e-04      3.2e-04      3.1e-04          2e-2
    zico                 2.5e-03      1.7e-03      1.3e-02          0.15
    synflow                0            0            0              1e-6
    zen                  9.5e-08      4.1e-03*     1.5e-07          0.2

``*``: the float64 run also draws its random probes (AZ-NAS trainability's Gaussian probe, zen's
Gaussian inputs) in float64, i.e. other random numbers: not a pure precision effect. NB201 NAS-WOT
(``naswot_nb201_cifar10.npz``, cells 1 / 6111 / 14000, checked by hand the same way): 1.9e-9,
3.1e-9, 1.8e-8. Every measured difference is below its tolerance; on one machine, one thread count
and one process the scores are bit-identical (the tests check that too).

Usage: ``python scripts/measure_rescoring_spread.py [--data-dir DIR] [--skip-darts-multi]``
(about 5 CPU-minutes; the DARTS multi-proxy row is most of it).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from importlib import resources
from pathlib import Path


def _rel(a: float, b: float) -> float:
    if a == b:
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def _with_threads(n: int, fn):
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        return fn()
    finally:
        torch.set_num_threads(old)


def _variants(fn) -> dict[str, dict[str, float]]:
    """``fn(dtype) -> {proxy: score}`` run as 1-thread f32, 2-thread f32, 1-thread f64."""
    import torch

    out = {"1thr": _with_threads(1, lambda: fn(torch.float32)), "2thr": _with_threads(2, lambda: fn(torch.float32))}
    try:
        out["f64"] = _with_threads(1, lambda: fn(torch.float64))
    except Exception as exc:  # a proxy without a float64 path: report, do not guess
        print(f"  float64 run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        out["f64"] = {}
    return out


class _computing_in:
    """Default dtype ``dtype`` while the proxies run (their probes and random inputs follow it); the
    network must be built *before*, in float32, and converted, so that its weights are the same draws."""

    def __init__(self, dtype) -> None:
        self.dtype = dtype

    def __enter__(self) -> None:
        import torch

        self.old = torch.get_default_dtype()
        torch.set_default_dtype(self.dtype)

    def __exit__(self, *exc) -> None:
        import torch

        torch.set_default_dtype(self.old)


def nb201_subset_case(data_dir: str) -> list[tuple[str, str, dict[str, float], float]]:
    """The cell of ``test_shipped_subset_scores_verify_and_match_a_live_rescoring`` (meco, az_expressivity)."""
    import numpy as np
    import torch

    from dagfilter.encodings.nb201 import index_strings
    from dagfilter.proxies import CellScorer, ScoringSetup
    from dagfilter.proxies.subset import load_subset_scores

    shipped = load_subset_scores()
    k = int(np.flatnonzero(np.isfinite(shipped.scores["meco"]))[0])
    cell = index_strings([int(shipped.indices[k])])[0]
    m = shipped.meta
    rows = []
    for proxy in ("meco", "az_expressivity"):
        sc = CellScorer(ScoringSetup(proxy, m["dataset"], data_dir, m["batch"], m["seed"]))

        def run(dtype, sc=sc, proxy=proxy):
            images, labels = sc.minibatch()
            net = sc.build(cell).to(dtype)
            with torch.set_grad_enabled(sc.proxy.needs_grad), _computing_in(dtype):
                return {proxy: float(sc.proxy.fn(net, images.to(dtype), labels))}

        v = _variants(run)
        rows.append((f"nb201 #{int(shipped.indices[k])}", proxy, {n: r.get(proxy, math.nan) for n, r in v.items()},
                     float(shipped.scores[proxy][k])))
    return rows


def darts_multi_case(data_dir: str) -> list[tuple[str, str, dict[str, float], float]]:
    """Row 0 of the shipped DARTS-725 proxy matrix (all shared-pass proxies)."""
    import torch

    from dagfilter.data import fixed_batch
    from dagfilter.pools import load_pool
    from dagfilter.proxies.passes import MULTI_PROXIES, compute_proxies
    from dagfilter.proxies.scoring import build_network
    from dagfilter.proxies.subset import load_subset_scores

    shipped = load_subset_scores(str(resources.files("benchmarks_data").joinpath("proxies_darts725_cifar10.npz")))
    m = shipped.meta
    pool = load_pool("darts725")
    images, labels = fixed_batch(m["dataset"], data_dir, m["batch"], m["seed"])

    def run(dtype):
        torch.manual_seed(m["seed"])
        net = build_network(pool.keys[0], "darts", **dict(m["network"])).train().to(dtype)
        with _computing_in(dtype):
            return compute_proxies(net, images.to(dtype), labels, MULTI_PROXIES)

    v = _variants(run)
    return [("darts725 row 0", p, {n: r.get(p, math.nan) for n, r in v.items()}, float(shipped.scores[p][0]))
            for p in MULTI_PROXIES]


def darts_naswot_case(data_dir: str) -> list[tuple[str, str, dict[str, float], float]]:
    """Rows 0 and 411 of the shipped DARTS-725 NAS-WOT scores (``test_shipped_darts_scores_are_reproduced_live``)."""
    import torch

    from dagfilter.pools import load_pool
    from dagfilter.proxies import CellScorer
    from dagfilter.proxies.shipped import darts725_setup, load_darts725_scores

    shipped = load_darts725_scores().scores
    pool = load_pool("darts725")
    sc = CellScorer(darts725_setup(data_dir))
    rows = []
    for r in (0, 411):
        def run(dtype, r=r):
            images, labels = sc.minibatch()
            net = sc.build(pool.archs[r]).to(dtype)
            with torch.no_grad(), _computing_in(dtype):
                return {"naswot": float(sc.proxy.fn(net, images.to(dtype), labels))}

        v = _variants(run)
        rows.append((f"darts725 row {r}", "naswot", {n: x["naswot"] if x else math.nan for n, x in v.items()},
                     float(shipped[r])))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=os.environ.get("DAGFILTER_CIFAR10_DIR")
                    or str(Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10"))
    ap.add_argument("--skip-darts-multi", action="store_true", help="skip the DARTS multi-proxy row (~3 CPU-min)")
    args = ap.parse_args(argv)
    rows = nb201_subset_case(args.data_dir) + darts_naswot_case(args.data_dir)
    if not args.skip_darts_multi:
        rows += darts_multi_case(args.data_dir)
    print(f"{'cell':16} {'proxy':17} {'1thr-vs-2thr':>12} {'f32-vs-f64':>11} {'shipped-vs-1thr':>15} "
          f"{'shipped-vs-2thr':>15}  live (1 thread)")
    worst: dict[str, list[float]] = {}
    for cell, proxy, v, shipped in rows:
        d = [_rel(v["1thr"], v["2thr"]), _rel(v["1thr"], v["f64"]), _rel(shipped, v["1thr"]), _rel(shipped, v["2thr"])]
        w = worst.setdefault(proxy, [0.0] * 4)
        worst[proxy] = [max(a, b) if not math.isnan(b) else a for a, b in zip(w, d)]
        print(f"{cell:16} {proxy:17} {d[0]:12.1e} {d[1]:11.1e} {d[2]:15.1e} {d[3]:15.1e}  {v['1thr']!r}")
    print("\nmax over cells, per proxy:")
    for proxy, w in worst.items():
        print(f"  {proxy:17} {w[0]:9.1e} {w[1]:9.1e} {w[2]:9.1e} {w[3]:9.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
