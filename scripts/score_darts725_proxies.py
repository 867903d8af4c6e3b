#!/usr/bin/env python
"""Score the 725 cells of the shipped DARTS-space table (``darts725``) with every shared-pass proxy,
resumably, and write ``benchmarks_data/proxies_darts725_cifar10.npz`` (SHA-256 checked on load).

Setup: the shipped NAS-WOT DARTS setup (:func:`dagfilter.proxies.shipped.darts725_setup`): the DARTS
CIFAR network with 16 channels and 8 cells, ``train()`` mode, weights from ``torch.manual_seed(0)`` just
before the build, one fixed minibatch of 128 real CIFAR-10 training images (seed 0); all twelve proxies
of :data:`dagfilter.proxies.passes.MULTI_PROXIES` in one shared call per cell. On DARTS networks the
AZ-NAS terms read the feature map after the stem and after every cell; a cell also reads the map two
steps back, so its block Jacobian (trainability) is the one with respect to the previous cell's output.

Rows are scored in a seeded random order (``default_rng(725).permutation(725)``), so whatever has
finished when the CPU time runs out is a uniform random sample of the table. ``--shard I/N`` lets N
workers share the order (worker I takes positions I, I+N, ...), each with its own state file
``<state-prefix>.<I>.jsonl`` (one JSON line per scored row), so an interrupted worker resumes where it
stopped. ``--export`` merges every state file and writes the shipped matrix (NaN = not scored).

Cost: about 8-13 CPU-seconds per cell on one thread (all twelve proxies together).

Example::

    nohup nice -n 10 env OMP_NUM_THREADS=1 python scripts/score_darts725_proxies.py \\
        --data-dir ../shared/data/cifar10 --shard 0/2 > runs/darts725_proxies.0.log 2>&1 &
    python scripts/score_darts725_proxies.py --export
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ORDER_SEED = 725
OUT = Path(__file__).resolve().parents[1] / "benchmarks_data" / "proxies_darts725_cifar10.npz"


def score_order(n: int = 725, seed: int = ORDER_SEED) -> list[int]:
    """Table rows in the seeded random order in which they are scored."""
    import numpy as np

    return np.random.default_rng(seed).permutation(n).tolist()


def read_states(prefix: str, cpu: list[float] | None = None) -> dict[int, dict[str, float]]:
    """Every scored row of every shard's state file: ``{row: {proxy: score}}`` (``cpu``, if given,
    receives each row's CPU seconds)."""
    done: dict[int, dict[str, float]] = {}
    for path in sorted(Path(prefix).parent.glob(Path(prefix).name + ".*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:  # a line cut by a kill: that row is scored again
                    continue
                done[int(rec["row"])] = {k: float(v) for k, v in rec["scores"].items()}
                if cpu is not None:
                    cpu.append(float(rec["cpu_seconds"]))
    return done


def export(prefix: str, out: str) -> None:
    """Write the shipped matrix (proxies x 725 rows) from the state files."""
    import numpy as np

    from dagfilter import __version__
    from dagfilter.proxies.passes import MULTI_PROXIES
    from dagfilter.proxies.shipped import darts725_setup
    from dagfilter.proxies.subset import write_score_matrix

    cpu: list[float] = []
    done = read_states(prefix, cpu)
    proxies = list(MULTI_PROXIES)
    matrix = np.full((len(proxies), 725), np.nan)
    for row, scores in done.items():
        for r, p in enumerate(proxies):
            matrix[r, row] = scores[p]
    setup = darts725_setup()
    meta = {"proxies": proxies, "benchmark": "darts725", "dataset": setup.dataset, "batch": setup.batch_size,
            "seed": setup.seed, "space": setup.space, "network": dict(setup.network), "version": __version__,
            "order_seed": ORDER_SEED,
            "cpu_seconds_per_cell": round(sum(cpu) / max(len(cpu), 1), 2), "data_source": "CIFAR-10 python training batches (Krizhevsky 2009), "
            "seeded minibatch"}
    got = write_score_matrix(matrix, np.arange(725), meta, out)
    print(f"wrote {out}: {got.count(proxies[0])} of 725 rows scored", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help="CIFAR-10 folder (python batches); needed to score")
    p.add_argument("--state-prefix", default="runs/darts725_proxies")
    p.add_argument("--shard", default="0/1", help="I/N: this worker takes order positions I, I+N, ...")
    p.add_argument("--export", action="store_true", help="merge the state files into the shipped .npz and stop")
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args(argv)
    if args.export:
        export(args.state_prefix, args.out)
        return 0
    if args.data_dir is None:
        p.error("--data-dir is required to score (a CIFAR-10 folder with the python batches)")
    try:
        i, n = (int(v) for v in args.shard.split("/"))
        assert 0 <= i < n
    except (ValueError, AssertionError):
        p.error(f"--shard must be I/N with 0 <= I < N, got {args.shard!r}")

    import torch

    torch.set_num_threads(1)
    from dagfilter.data import fixed_batch
    from dagfilter.pools import load_pool
    from dagfilter.proxies.passes import MULTI_PROXIES, compute_proxies
    from dagfilter.proxies.scoring import build_network
    from dagfilter.proxies.shipped import darts725_setup

    pool = load_pool("darts725")
    setup = darts725_setup(args.data_dir)
    images, labels = fixed_batch(setup.dataset, args.data_dir, setup.batch_size, setup.seed)
    done = read_states(args.state_prefix)
    mine = [r for r in score_order(len(pool))[i::n] if r not in done]
    state = Path(f"{args.state_prefix}.{i}.jsonl")
    state.parent.mkdir(parents=True, exist_ok=True)
    print(f"shard {i}/{n}: {len(done)} rows scored in all, {len(mine)} to go", flush=True)
    t0 = time.perf_counter()
    with state.open("a") as fh:
        for k, row in enumerate(mine, 1):
            torch.manual_seed(setup.seed)
            net = build_network(pool.keys[row], "darts", **dict(setup.network)).train()
            c0 = time.process_time()
            scores = compute_proxies(net, images, labels, MULTI_PROXIES)
            secs = time.process_time() - c0
            enc = {k2: (v if math.isfinite(v) else str(v)) for k2, v in scores.items()}
            fh.write(json.dumps({"row": row, "scores": enc, "cpu_seconds": round(secs, 3)}) + "\n")
            fh.flush()
            if k % 5 == 0 or k == len(mine):
                el = time.perf_counter() - t0
                print(f"{time.strftime('%H:%M:%S')} {k}/{len(mine)} rows, {el / k:.1f} s/row wall, "
                      f"last {secs:.1f} s CPU", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
