"""Training throughput (images/second) of the real trainer at the protocols' batch sizes.

Measures ``dagfilter.train.train_cell`` end to end (data loading + augmentation, forward,
backward, SGD step) for

* the NAS-Bench-201 best cell under the ``nb201`` protocol (C=16, N=5, batch 256), and
* DARTS_V2 under the ``darts`` protocol (36 channels, 20 cells, auxiliary head, drop-path,
  cutout, batch 96),

on real CIFAR-10 images. The first ``--warmup`` steps are not timed.

Usage:
    python scripts/bench_train.py [--steps 4] [--warmup 1] [--threads N] [--device cpu]
        [--data-dir DIR] [--only nb201|darts] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dagfilter.train import train_cell  # noqa: E402

NB201_BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
CASES = {
    "nb201": dict(cell=NB201_BEST, protocol="nb201"),
    "darts": dict(cell="DARTS_V2", protocol="darts"),
}


def measure(name: str, data_dir: str, steps: int, warmup: int, device: str) -> dict:
    """Images/s over ``steps`` timed training steps after ``warmup`` untimed ones."""
    case = CASES[name]
    stamps: list[float] = []

    def on_step(event: str, info: dict) -> None:
        if event == "step":
            stamps.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = train_cell(case["cell"], Path(tmp) / name, protocol=case["protocol"], dataset="cifar10",
                            data_dir=data_dir, max_steps=warmup + steps, device=device, progress=False,
                            callbacks=[on_step])
        total = time.perf_counter() - start
        params = json.loads((Path(tmp) / name / "result.json").read_text())["params"]
        batch = json.loads((Path(tmp) / name / "config.json").read_text())["config"]["batch_size"]
    # step k ends at stamps[k]; timed window = steps warmup+1 .. warmup+steps
    window = stamps[warmup + steps - 1] - stamps[warmup - 1] if warmup > 0 else stamps[steps - 1] - start
    return {"case": name, "protocol": case["protocol"], "batch_size": batch, "params_M": params / 1e6,
            "timed_steps": steps, "seconds_per_step": window / steps,
            "images_per_s": batch * steps / window, "wall_s_incl_setup": total,
            "status": result.status}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--data-dir", default=os.environ.get(
        "DAGFILTER_CIFAR10_DIR", str(Path(os.environ.get("DAGFILTER_SHARED", REPO.parent / "shared")) / "data" / "cifar10")))
    ap.add_argument("--only", choices=sorted(CASES), action="append")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    env = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": args.device,
           "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()}
    print(json.dumps(env))
    rows = []
    for name in args.only or list(CASES):
        row = measure(name, args.data_dir, args.steps, args.warmup, args.device)
        rows.append(row)
        print(json.dumps(row))
    if args.json:
        Path(args.json).write_text(json.dumps({"env": env, "results": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
