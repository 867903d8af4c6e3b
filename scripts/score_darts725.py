#!/usr/bin/env python
"""Score all 725 cells of the shipped DARTS-space table (``bench.load("darts725")``) with NAS-WOT,
resumably, and write the shipped score file ``benchmarks_data/naswot_darts725_cifar10.npz``.

Setup (:func:`dagfilter.proxies.shipped.darts725_setup`, recorded in the file): NAS-WOT on the DARTS
CIFAR network with 16 initial channels and 8 cells (reductions at cells 2 and 5; no auxiliary head,
no drop-path; 10 classes; ``train()`` mode), weights from ``torch.manual_seed(0)`` just before the
build, one fixed minibatch of 128 real CIFAR-10 training images at 32x32
(:func:`dagfilter.data.fixed_batch`, seed 0) - exactly what :class:`dagfilter.proxies.CellScorer`
computes for that setup. Each row is scored from its canonical genotype (the table's: a node's two
inputs sorted), so the weights a cell gets do not depend on how a user wrote the genotype.

Progress goes to ``--state`` (one JSON line per scored row), so an interrupted run resumes where it
stopped; ``--export`` writes the shipped file once every row is scored. Cost: ~1.5 s per cell on
one free CPU thread (~18 min for the 725).

Example::

    nohup nice -n 10 env OMP_NUM_THREADS=1 python scripts/score_darts725.py --data-dir ../shared/data/cifar10 \\
        --state runs/darts725_naswot.jsonl --export > runs/darts725_naswot.log 2>&1 &
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, help="CIFAR-10 folder (python batches)")
    p.add_argument("--state", default="runs/darts725_naswot.jsonl")
    p.add_argument("--export", action="store_true", help="write the shipped .npz when all rows are scored")
    p.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "benchmarks_data" /
                                        "naswot_darts725_cifar10.npz"))
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    from dagfilter import __version__
    from dagfilter.pools import load_pool
    from dagfilter.proxies import CellScorer
    from dagfilter.proxies.shipped import darts725_setup, write_darts725_scores

    pool = load_pool("darts725")
    setup = darts725_setup(args.data_dir)
    state = Path(args.state)
    state.parent.mkdir(parents=True, exist_ok=True)
    done: dict[int, float] = {}
    if state.exists():
        for line in state.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                done[int(r["row"])] = float(r["score"])
    todo = [i for i in range(len(pool)) if i not in done]
    print(f"setup {setup.to_dict()}; {len(done)} scored, {len(todo)} to go", flush=True)
    scorer = CellScorer(setup)
    t0 = time.perf_counter()
    with state.open("a") as fh:
        for k, row in enumerate(todo):
            score, secs = scorer.score_timed(pool.keys[row])
            fh.write(json.dumps({"row": row, "score": score, "seconds": round(secs, 4)}) + "\n")
            fh.flush()
            done[row] = score
            if k % 10 == 0:
                el = time.perf_counter() - t0
                print(f"{k + 1}/{len(todo)} row {row} score {score:.4f} {secs:.2f}s elapsed {el:.0f}s "
                      f"eta {el / (k + 1) * (len(todo) - k - 1):.0f}s", flush=True)
    if args.export:
        out = write_darts725_scores([done[i] for i in range(len(pool))], args.out, setup, __version__,
                                    "CIFAR-10 python training batches (Krizhevsky 2009), seeded minibatch")
        print(f"wrote {out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
