"""Short CPU training of the genotypes TE-NAS found in the DARTS space, beside two references.

The genotypes found by ``scripts/bench_tenas_darts.py`` (plain and + DAG, one per seed; those of
``docs/results/darts.md`` ship in ``docs/results/tenas_darts/``, without their trajectories) are not in
any benchmark, so their accuracy has to be measured by training. This script trains each of them,
plus ``DARTS_V2`` and one random DARTS genotype (``GenotypeSpace("darts").sample(default_rng(2026))``)
as references, under the ``darts`` protocol at a reduced CPU size, and tabulates the test accuracy
side by side with each genotype's normal/reduction ``(d_bar, m_bar)`` and parameter count.

Reduced size (defaults): 8 channels, 5 cells, 3 epochs on a seeded 10,000-image subset of the CIFAR-10
training set, evaluated on all 10,000 test images; everything else is the ``darts`` protocol
(batch 96, SGD lr 0.025 cosine, cutout 16, drop-path 0.2, auxiliary head 0.4). About 4-5 CPU-minutes
per genotype on 2 cores. Such short training ranks networks by how fast they learn, not by their
final accuracy; ``--noise-seeds`` trains ``DARTS_V2`` again with other training seeds to show how
much of a difference the seed alone makes.

Every run is its own ``dagfilter train`` run directory under ``--out`` (crash-safe checkpoints): a
finished run is read, a stopped one resumed. Full size on a GPU (36 channels, 20 cells, 600 epochs)::

    dagfilter train docs/results/tenas_darts/tenas-dag-seed0.json --protocol darts --device cuda \\
        --data-dir /data/cifar10 --out runs/darts_full_dag0

Usage::

    python scripts/train_darts_found.py --data-dir ../shared/data/cifar10 --md runs/train_darts/table.md
    python scripts/train_darts_found.py --report-only
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tenas_darts import genotype_metrics  # noqa: E402

#: Seed of the random reference genotype (not one of the search seeds).
RANDOM_SEED = 2026


def random_genotype(seed: int = RANDOM_SEED) -> Any:
    """The random reference genotype: one draw of the registered ``darts`` space."""
    import numpy as np

    from dagfilter.spaces import get_space

    return get_space("darts").sample(np.random.default_rng(seed))


def entries(searches: Path, seeds: list[int], noise_seeds: list[int],
            arms: tuple[str, ...] = ("plain", "dag"), train_seed: int = 0) -> list[tuple[str, Any, int]]:
    """``(name, genotype or result-JSON path, training seed)`` of every run, references first."""
    rows: list[tuple[str, Any, int]] = [("DARTS_V2", "DARTS_V2", train_seed),
                                        (f"random-{RANDOM_SEED}", random_genotype(), train_seed)]
    rows += [(f"DARTS_V2-seed{s}", "DARTS_V2", s) for s in noise_seeds]
    for seed in seeds:
        for arm in arms:
            path = searches / f"tenas-{arm}-seed{seed}.json"
            if not path.is_file():
                raise SystemExit(f"no finished search {path} (run scripts/bench_tenas_darts.py first, "
                                 f"or pass --searches)")
            rows.append((f"tenas-{arm}-seed{seed}", str(path), train_seed))
    return rows


def run_or_read(name: str, cell: Any, seed: int, args: argparse.Namespace) -> dict | None:
    """Train (or resume, or read) one run; None in ``--report-only`` mode when it has not finished."""
    from dagfilter.train.api import resume_run, train_cell

    run_dir = Path(args.out) / name
    metrics, ckpt, config = run_dir / "metrics.json", run_dir / "checkpoint.pt", run_dir / "config.json"
    if config.is_file():  # never resume or read a run of another size
        _check_size(json.loads(config.read_text())["config"], seed, args, run_dir)
    history = json.loads(metrics.read_text()) if metrics.is_file() else []
    if len(history) < args.epochs:
        if args.report_only:
            return None
        print(f"training {name} ({len(history)}/{args.epochs} epochs done)", file=sys.stderr, flush=True)
        if ckpt.is_file():
            res = resume_run(run_dir, data_dir=args.data_dir, progress=not args.quiet)
        else:
            res = train_cell(cell, run_dir, protocol="darts", data_dir=args.data_dir, progress=not args.quiet,
                             channels=args.channels, layers=args.layers, epochs=args.epochs, subset=args.subset,
                             test_subset=args.test_subset, seed=seed)
        history = res.history
    rec = json.loads(config.read_text())
    return {"name": name, "seed": seed, "cell": rec["cell"], "params": rec["model"]["params"],
            "config": rec["config"], "history": history}


def _check_size(config: dict, seed: int, args: argparse.Namespace, run_dir: Path) -> None:
    """Stop when ``run_dir`` holds a run of another size or training seed than asked for."""
    want = {"channels": args.channels, "layers": args.layers, "epochs": args.epochs, "subset": args.subset,
            "test_subset": args.test_subset, "seed": seed}
    wrong = {k: config[k] for k, v in want.items() if config[k] != v}
    if wrong:
        raise SystemExit(f"{run_dir} was trained with {wrong}, not {want}: pass another --out")


def markdown(rows: list[dict], args: argparse.Namespace) -> str:
    lines = [f"`darts` protocol at {args.channels} channels, {args.layers} cells, {args.epochs} epochs on a seeded "
             f"{args.subset:,}-image CIFAR-10 training subset; test top-1 on {args.test_subset:,} CIFAR-10 test images.", "",
             "| genotype | train seed | normal d̄ / m̄ | reduce d̄ / m̄ | params (incl. aux. head) | test top-1 by epoch | final test top-1 |",
             "|---|---:|---|---|---:|---|---:|"]
    for r in rows:
        m = genotype_metrics(json.dumps(r["cell"]))
        nd, nm, rd, rm = m["normal_d_bar"], m["normal_m_bar"], m["reduce_d_bar"], m["reduce_m_bar"]
        curve = " / ".join(f"{h['test_top1']:.2f}" for h in r["history"])
        lines.append(f"| {r['name']} | {r['seed']} | {nd:.2f} / {nm:.2f} | {rd:.2f} / {rm:.2f} | {r['params']:,} | "
                     f"{curve} | {r['history'][-1]['test_top1']:.2f} |")
    found = {arm: [r["history"][-1]["test_top1"] for r in rows if r["name"].startswith(f"tenas-{arm}-")]
             for arm in ("plain", "dag")}
    if found["plain"] and found["dag"]:
        mean = {k: sum(v) / len(v) for k, v in found.items()}
        lines += ["", f"Mean final test top-1: TE-NAS plain {mean['plain']:.2f} ({len(found['plain'])} genotypes), "
                      f"TE-NAS + DAG {mean['dag']:.2f} ({len(found['dag'])} genotypes)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help="CIFAR-10 folder (python batches)")
    p.add_argument("--searches", default="docs/results/tenas_darts",
                   help="folder of tenas-{plain,dag}-seedN.json search results (default: the shipped ones)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="search seeds to train (default 0 1 2)")
    p.add_argument("--arms", nargs="+", default=["plain", "dag"], choices=["plain", "dag"])
    p.add_argument("--noise-seeds", type=int, nargs="*", default=[1], help="extra DARTS_V2 training seeds")
    p.add_argument("--train-seed", type=int, default=0,
                   help="training seed of every run but the --noise-seeds ones (use another --out per seed)")
    p.add_argument("--out", default="runs/train_darts")
    p.add_argument("--channels", type=int, default=8)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--subset", type=int, default=10000, help="training images (seeded subset; default 10000)")
    p.add_argument("--test-subset", type=int, default=10000, help="test images (default all 10000)")
    p.add_argument("--report-only", action="store_true", help="tabulate finished runs, train nothing")
    p.add_argument("--md", default=None, help="write the table here too")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    rows = [r for name, cell, seed in entries(Path(args.searches), args.seeds, args.noise_seeds, tuple(args.arms),
                                                  args.train_seed)
            if (r := run_or_read(name, cell, seed, args)) is not None]
    table = markdown(rows, args) if rows else "no finished runs"
    print(table)
    if args.md:
        Path(args.md).parent.mkdir(parents=True, exist_ok=True)
        Path(args.md).write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
