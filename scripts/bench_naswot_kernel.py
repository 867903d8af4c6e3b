"""Binary-Gram kernels of NAS-WOT side by side on this machine: float32 ``c @ c.T`` vs int8 ``_int_mm``.

NAS-WOT's kernel needs ``c c^T`` for every ReLU's 0/1 activation codes (batch x units). Both kernels
give the same integers; which one is faster depends on the CPU (int8 wins with AVX-512 VNNI and
loses by 10-100x on AVX2-only CPUs). ``dagfilter.proxies.naswot.gram_kernel`` makes this choice
once per process from a small measurement; this script shows the full picture, checks the two
results are equal, and times one whole NAS-WOT score with each kernel forced.

    python scripts/bench_naswot_kernel.py            # table on stdout
    python scripts/bench_naswot_kernel.py --md out.md
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

import torch

from dagfilter.proxies.naswot import gram_kernel, measure_gram_kernels

SIZES = [(128, 1024), (128, 4096), (128, 16384), (128, 65536)]


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "")
    except OSError:
        return "unknown"
    wanted = ["avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"]
    return ", ".join(f for f in wanted if f" {f}" in flags) or "none of avx2/avx512"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _equal_results(batch: int, units: int) -> bool:
    codes = torch.rand(batch, units, generator=torch.Generator().manual_seed(1)) > 0.5
    c32 = codes.to(torch.float32)
    ref = (c32 @ c32.T).to(torch.int64)
    if not hasattr(torch, "_int_mm"):
        return True
    c8 = codes.view(torch.int8)
    return bool(torch.equal(torch._int_mm(c8, c8.t()).to(torch.int64), ref))


def _score_seconds(kernel: str, cell: int) -> tuple[float, float]:
    """Wall seconds of one live NAS-WOT score (embedded minibatch) with ``kernel`` forced, in a fresh process."""
    code = (
        "import time;from dagfilter.proxies import ScoringSetup;"
        "from dagfilter.proxies.config import Execution;"
        "from dagfilter.proxies.scoring import score_cells;"
        "s=ScoringSetup(proxy='naswot');t=time.perf_counter();"
        f"r=score_cells([{cell}],s,None,Execution(progress=False));print(time.perf_counter()-t, r[0].score)"
    )
    env = dict(os.environ, DAGFILTER_GRAM_KERNEL=kernel)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    secs, score = out.stdout.strip().splitlines()[-1].split(" ", 1)
    return float(secs), score


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions per size (best is kept)")
    ap.add_argument("--md", help="also write the table to this Markdown file")
    ap.add_argument("--score-cell", type=int, default=6111, help="NB201 cell for the whole-score timing (-1: skip)")
    args = ap.parse_args(argv)

    lines = [
        f"CPU: {_cpu_name()} ({os.cpu_count()} logical cores; flags: {_cpu_flags()}); torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        f"kernel chosen by gram_kernel() here: **{gram_kernel()}**",
        "",
        "| codes (batch x units) | float32 ms | int8 _int_mm ms | int8 / float32 | equal |",
        "|---|---|---|---|---|",
    ]
    for batch, units in SIZES:
        t = measure_gram_kernels(batch, units, reps=args.reps)
        ratio = t["int8"] / t["float32"] if t["float32"] > 0 else float("nan")
        lines.append(
            f"| {batch} x {units} | {t['float32'] * 1e3:.2f} | {t['int8'] * 1e3:.2f} | {ratio:.1f}x | "
            f"{'yes' if _equal_results(batch, units) else 'NO'} |"
        )
    if args.score_cell >= 0:
        lines += ["", "| whole NAS-WOT score, cell %d (fresh process) | seconds | score |" % args.score_cell, "|---|---|---|"]
        for kernel in ("float32", "int8"):
            secs, score = _score_seconds(kernel, args.score_cell)
            lines.append(f"| {kernel} forced | {secs:.2f} | {score} |")
    text = "\n".join(lines)
    print(text)
    if args.md:
        with open(args.md, "w") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
