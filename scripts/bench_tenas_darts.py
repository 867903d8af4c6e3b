"""TE-NAS with and without the DAG filter in the DARTS space, paired seeds, at a CPU size.

Each seed runs TE-NAS on the DARTS supernet twice with the same seed: plain, and with the DAG
filter (the authors' ``centroid`` rule, :mod:`searchers.tenas`). Reports per arm the cost (NTK and
linear-region evaluations, candidates skipped, wall seconds) and every found genotype with the
``(d_bar, m_bar)`` of its normal and reduction cells. The found genotypes are not in any
benchmark: train them with ``dagfilter train --protocol darts`` (the genotype is the result
JSON's ``chosen_cell``); this script does no training.

Sizes. ``--size tiny`` (default here) is the CPU preset ``cpu`` with ``repeats=1``, ``cells=3``,
``lr_inputs=100``, ``lr_cells=3`` (DARTS supernet of 3 cells with C = 4, NTK on 8 real CIFAR-10
images, linear regions on 100 3x3 crops through a 3-cell, 2-channel supernet), chosen so one plain
search takes ~20 CPU-minutes on one core; ``--size smoke`` (a 2-cell supernet of C = 2, one reduction
and one normal cell, NTK on 4 images, linear regions on 20 crops through a 2-cell supernet) runs every
step of the pipeline in about 2-4 CPU-minutes per search (the test suite uses it; its genotypes mean
nothing); ``--size cpu`` / ``paper`` use the presets unchanged.

Usage::

    python scripts/bench_tenas_darts.py --data-dir ../shared/data/cifar10 --seeds 0-2 --arms plain
    python scripts/bench_tenas_darts.py --data-dir ../shared/data/cifar10 --seeds 0-2 --arms dag
    python scripts/bench_tenas_darts.py --seeds 0-2 --report-only

Finished searches are kept under ``<out>/runs/`` (a stopped search resumes from its state folder);
``<out>/table.md`` holds the table of the searches found there.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tenas_fpnas import add_run_options, prepare_run  # noqa: E402

import searchers  # noqa: E402
from dagfilter.filter import DAGFilter  # noqa: E402
from searchers.base import SearchResult  # noqa: E402

#: ``--size tiny``: overrides of the ``cpu`` preset (see the module docstring).
TINY = dict(repeats=1, cells=3, lr_inputs=100, lr_cells=3)
#: ``--size smoke``: the smallest supernet that runs every step (see the module docstring).
SMOKE = dict(C=2, cells=2, batch_size=4, repeats=1, lr_inputs=20, lr_cells=2)
#: ``--size`` -> (searcher preset, overrides of that preset).
SIZES = {"smoke": ("cpu", SMOKE), "tiny": ("cpu", TINY), "cpu": ("cpu", {}), "paper": ("paper", {})}


def run_search(seed: int, arm: str, args: argparse.Namespace, out: Path) -> SearchResult:
    """One TE-NAS search (``arm`` = ``plain`` or ``dag``); resumes from its own state folder."""
    tag = f"tenas-{arm}-seed{seed}"
    done = out / "runs" / f"{tag}.json"
    if done.is_file():
        return SearchResult.from_json(done)
    size, extra = SIZES[args.size]
    s = searchers.get("tenas", data_dir=args.data_dir, size=size, device=args.device,
                      state_dir=out / "state" / tag, resume=True, **extra)
    flt = DAGFilter.recommended("darts") if arm == "dag" else None
    res = s.search("darts", budget=1, seed=seed, filter=flt, progress=not args.quiet)
    done.parent.mkdir(parents=True, exist_ok=True)
    res.to_json(done)
    return res


def genotype_metrics(genotype: Any) -> dict[str, float]:
    """``(d_bar, m_bar)`` of the normal and the reduction cell of a genotype."""
    from dagfilter.encodings.darts import cells_from_genotype
    from dagfilter.metrics import depth_width

    out = {}
    for part, cell in zip(("normal", "reduce"), cells_from_genotype(genotype)):
        out[f"{part}_d_bar"], out[f"{part}_m_bar"] = depth_width(cell)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help="CIFAR-10 directory (NTK minibatches, crops, training)")
    p.add_argument("--size", default="tiny", choices=list(SIZES), help="supernet size (default tiny)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seeds", nargs="+", default=["0-2"], help="seeds and ranges (default 0-2)")
    p.add_argument("--arms", nargs="+", default=["plain", "dag"], choices=["plain", "dag"],
                   help="which arms to run (run them in two processes to use two cores)")
    add_run_options(p, "runs/tenas_darts")
    args = p.parse_args(argv)
    out, seeds = prepare_run(args)
    t0 = time.time()
    lines = [f"TE-NAS in the DARTS space, size {args.size}, device {args.device}, {args.threads} thread(s)", "",
             "| arm | seed | NTK evals | LR evals | skipped | wall s | normal d̄ / m̄ | reduce d̄ / m̄ |",
             "|---|---|---:|---:|---:|---:|---|---|"]
    for arm in args.arms:
        for seed in seeds:
            if args.report_only and not (out / "runs" / f"tenas-{arm}-seed{seed}.json").is_file():
                continue
            res = run_search(seed, arm, args, out)
            st, m = res.config["stats"], genotype_metrics(res.chosen_cell)
            print(f"[{time.time() - t0:7.0f}s] {arm} seed {seed}: {st} {res.chosen_cell}", file=sys.stderr, flush=True)
            lines.append(f"| {'plain' if arm == 'plain' else '+ DAG'} | {seed} | {st['ntk_evaluations']} | "
                         f"{st['lr_evaluations']} | {res.skipped} | {res.wall_seconds:.0f} | "
                         f"{m['normal_d_bar']:.2f} / {m['normal_m_bar']:.2f} | "
                         f"{m['reduce_d_bar']:.2f} / {m['reduce_m_bar']:.2f} |")
    table = "\n".join(lines)
    print(table)
    (out / "table.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
