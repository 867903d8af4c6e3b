#!/usr/bin/env python
"""Score all 15,625 NAS-Bench-201 cells with the twelve shared-pass proxies (resumable background job, issue 27).

Setup: exactly the one of the shipped 1,000-cell subset scores (``benchmarks_data/proxies_nb201_subset1000.npz``):
CIFAR-10 training minibatch of 128 real images (seed 0), benchmark network (C = 16, N = 5), PyTorch's
default init after ``torch.manual_seed(0)``, BatchNorm on batch statistics, one thread.

Work is cut into shards of ``--shard-size`` (50) consecutive official indices (small, so that a busy shared
CPU still finishes several per session; the manifest fixes the size for every later resume), written as
``<out-dir>/p<phase>_shard_<k>.npz`` (scores, indices, per-cell CPU seconds, source, setup) and recorded in
``<out-dir>/manifest.json`` with the file's SHA-256 (checked here on resume); every 25 finished shards are
packed into one immutable ``<out-dir>/pack_XXX.npz`` (its SHA-256 in the manifest too), so that
:func:`dagfilter.proxies.zc_bench.load` reads a few dozen files. Two phases, each over the whole space before the next:

1. the chosen ensemble's members and the cheap proxies in one shared pass per cell: AZ-NAS terms, MeCo,
   SWAP, snip / grad_norm / fisher (one shared backward), jacov, synflow;
2. ZiCo (a second minibatch forward + backward) and zen (two forwards of a Gaussian-initialised copy).

Shards run in a seeded random order (``--order-seed``), so any prefix of finished shards is a uniform
sample of index blocks. The 1,000 subset cells are not rescored: their shipped scores are copied in
(``source`` = 1; the shipped file's setup is checked to be this one). Scoring runs in channels-last
memory format (:func:`dagfilter.proxies.passes.compute_proxies`); ``scripts/bench_proxy_pass.py``
measures how far that is from the NCHW kernels the subset was scored with.

The job resumes: finished shards (in the manifest, checksum verified) are skipped, and the cells of an
unfinished shard are kept in ``<work-dir>/partial_p<phase>_<k>.json`` every few cells. Several processes
may run at once (one per idle core, same arguments): each claims a shard in the work dir before scoring it
(a claim of a dead process is taken over) and updates the manifest under a file lock. ``--git-commit``
commits each finished shard and the manifest (their paths only) as it completes; ``--stop-at HH:MM``
(UTC) starts no shard after that time. Run it niced, one thread::

    nohup nice -n 19 env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python scripts/score_nb201_proxies.py \\
        --data-dir ../shared/data/cifar10 --git-commit > runs/nb201_full.log 2>&1 &
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "benchmarks_data" / "proxies_nb201_full"
PHASES = {
    1: ("az_expressivity", "az_progressivity", "az_trainability", "meco", "swap", "snip", "grad_norm", "fisher",
        "jacov", "synflow"),
    2: ("zico", "zen"),
}
NUM_CELLS = 15625


def _log(msg: str) -> None:
    print(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), msg, flush=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def shard_ranges(shard_size: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of every shard (the last may be shorter)."""
    return [(a, min(a + shard_size, NUM_CELLS)) for a in range(0, NUM_CELLS, shard_size)]


def shard_order(n: int, seed: int) -> list[int]:
    """The seeded order in which shards are scored."""
    import numpy as np

    return np.random.default_rng(seed).permutation(n).tolist()


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def setup_meta(args: argparse.Namespace) -> dict:
    """The setup every shard records (and the manifest; a resume with another setup is refused)."""
    import torch

    from dagfilter import __version__

    return {"space": "nb201", "dataset": "cifar10", "batch": args.batch, "seed": args.seed,
            "network": {"C": 16, "N": 5}, "init": "pytorch default after torch.manual_seed(seed)",
            "bn": "train (batch statistics)", "minibatch": "first 64 of the batch; zico: both halves of 64",
            "data_source": "CIFAR-10 python training batches (Krizhevsky 2009), seeded minibatch "
                           "(dagfilter.data.fixed_batch)",
            "memory_format": "channels_last", "threads": 1, "version": __version__,
            "torch": torch.__version__.split("+")[0], "shard_size": args.shard_size, "order_seed": args.order_seed}


def stop_time(hhmm: str) -> float:
    """The next moment (epoch seconds) the UTC clock shows ``hhmm`` (today, or tomorrow if already past)."""
    import datetime as dt

    try:
        h, m = (int(x) for x in hhmm.split(":"))
        now = dt.datetime.now(dt.timezone.utc)
        t = now.replace(hour=h, minute=m, second=0, microsecond=0)
    except ValueError:
        raise SystemExit(f"--stop-at wants HH:MM (UTC), got {hhmm[:20]!r}") from None
    return (t if t > now else t + dt.timedelta(days=1)).timestamp()


def claim(work: Path, key: str) -> bool:
    """Claim shard ``key`` for this process (a file holding its pid); False when a live process holds it.
    A claim left by a dead process is taken over (its partial cells are kept)."""
    path = work / f"claim_{key}"
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        try:
            pid = int(path.read_text().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid and pid != os.getpid():
            try:
                os.kill(pid, 0)
                return False  # alive
            except ProcessLookupError:
                pass
            except PermissionError:
                return False
        path.write_text(str(os.getpid()))
        return True
    with os.fdopen(fd, "w") as fh:
        fh.write(str(os.getpid()))
    return True


@contextlib.contextmanager
def locked(work: Path):
    """An exclusive lock (``flock``) shared by every process of the job."""
    import fcntl

    with open(work / "manifest.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_manifest(out_dir: Path) -> dict | None:
    p = out_dir / "manifest.json"
    return json.loads(p.read_text()) if p.exists() else None


def write_manifest(out_dir: Path, manifest: dict) -> None:
    p = out_dir / "manifest.json"
    tmp = p.with_name("manifest.json.tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, p)


def shipped_subset(args: argparse.Namespace) -> dict[int, dict[str, float]]:
    """``{index: {proxy: score}}`` of the shipped subset cells, if its setup is this job's."""
    import math

    from dagfilter.proxies.subset import load_subset_scores

    sub = load_subset_scores()
    m = sub.meta
    if (m.get("dataset"), m.get("batch"), m.get("seed")) != ("cifar10", args.batch, args.seed):
        _log(f"shipped subset setup {m.get('dataset')}/{m.get('batch')}/{m.get('seed')} differs: not reused")
        return {}
    out: dict[int, dict[str, float]] = {}
    for k, i in enumerate(sub.indices.tolist()):
        out[int(i)] = {p: float(v[k]) for p, v in sub.scores.items() if not math.isnan(v[k])}
    return out


def git_commit(paths: list[Path], msg: str) -> None:
    rel = [str(p.relative_to(ROOT)) for p in paths]
    for attempt in range(30):
        if (ROOT / ".git" / "index.lock").exists():
            time.sleep(2)
            continue
        r = subprocess.run(["git", "-C", str(ROOT), "add", "--", *rel], capture_output=True, text=True)
        if r.returncode == 0:
            r = subprocess.run(["git", "-C", str(ROOT), "commit", "-q", "-m", msg, "--", *rel],
                               capture_output=True, text=True)
        if r.returncode == 0:
            return
        if "index.lock" not in (r.stderr + r.stdout):
            _log(f"git commit failed: {r.stderr.strip()[:300]}")
            return
        time.sleep(2)
    _log("git commit gave up (index.lock)")


def score_shard(phase: int, k: int, rng: tuple[int, int], images, labels, reuse, args, work: Path, eta) -> Path:
    """Score (or finish) one shard; returns its file."""
    import numpy as np
    import torch

    from dagfilter.encodings.nb201 import index_strings
    from dagfilter.proxies.passes import compute_proxies
    from dagfilter.proxies.scoring import build_network

    names = PHASES[phase]
    start, stop = rng
    partial = work / f"partial_p{phase}_{k:03d}.json"
    done: dict[str, dict] = json.loads(partial.read_text()) if partial.exists() else {}
    cells = index_strings(list(range(start, stop)))
    for pos, cell in enumerate(cells):
        i = start + pos
        if str(i) in done:
            continue
        old = reuse.get(i, {})
        if all(n in old for n in names):
            done[str(i)] = {"scores": [old[n] for n in names], "cpu": None, "source": 1}
            continue
        torch.manual_seed(args.seed)
        net = build_network(cell).train()
        t0 = time.process_time()
        s = compute_proxies(net, images, labels, names)
        sec = time.process_time() - t0
        done[str(i)] = {"scores": [s[n] for n in names], "cpu": sec, "source": 0}
        eta.tick(sec)
        if len(done) % 5 == 0 or pos == len(cells) - 1:
            tmp = partial.with_name(partial.name + ".tmp")
            tmp.write_text(json.dumps(done))
            os.replace(tmp, partial)
        if eta.should_log():
            _log(eta.line(phase))
    idx = np.arange(start, stop, dtype=np.int64)
    scores = np.array([done[str(i)]["scores"] for i in idx.tolist()], dtype=np.float64).T  # (P, n)
    cpu = np.array([np.nan if done[str(i)]["cpu"] is None else done[str(i)]["cpu"] for i in idx.tolist()])
    source = np.array([done[str(i)]["source"] for i in idx.tolist()], dtype=np.int8)
    meta = dict(setup_meta(args), proxies=list(names), phase=phase, shard=k, cells=[start, stop],
                cpu_model=cpu_name(), created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                reused_from="benchmarks_data/proxies_nb201_subset1000.npz (source = 1)")
    out = Path(args.out_dir) / f"p{phase}_shard_{k:03d}.npz"  # 313 shards per phase at size 50
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(tmp, scores=scores, indices=idx, cpu_seconds=cpu, source=source, meta=np.asarray(json.dumps(meta)))
    os.replace(tmp, out)
    partial.unlink(missing_ok=True)
    return out


class Eta:
    """Progress and ETA of the whole job from the CPU-seconds and wall time spent so far."""

    def __init__(self, todo_cells: dict[int, int]) -> None:
        self.todo = dict(todo_cells)  # phase -> cells still to compute (estimate)
        self.t0 = time.time()
        self.cells = 0
        self.cpu = 0.0
        self.last = 0.0

    def tick(self, sec: float) -> None:
        self.cells += 1
        self.cpu += sec

    def should_log(self) -> bool:
        if time.time() - self.last >= 60 or self.cells in (1, 5):
            self.last = time.time()
            return True
        return False

    def line(self, phase: int) -> str:
        wall = time.time() - self.t0
        rate = self.cells / wall * 3600 if wall > 0 else 0.0
        left = max(0, sum(self.todo.values()) - self.cells)
        eta_h = left / rate if rate > 0 else float("inf")
        return (f"phase {phase}: {self.cells} cells scored this run, {self.cpu / max(self.cells, 1):.2f} CPU-s/cell, "
                f"{rate:.0f} cells/h wall; ~{left} cells left in all phases, ETA {eta_h:.1f} h at this rate")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help="CIFAR-10 folder (default: $DAGFILTER_CIFAR10_DIR etc.)")
    p.add_argument("--out-dir", default=str(OUT_DIR))
    p.add_argument("--work-dir", default="runs/nb201_full_work", help="partial shards (not shipped)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shard-size", type=int, default=50)
    p.add_argument("--order-seed", type=int, default=27)
    p.add_argument("--phases", default="1,2", help="phases to run, in order (default 1,2)")
    p.add_argument("--max-shards", type=int, default=None, help="stop after this many shards this run")
    p.add_argument("--stop-at", default=None, help="HH:MM UTC: start no new shard after this time")
    p.add_argument("--git-commit", action="store_true", help="git-commit each finished shard and the manifest")
    args = p.parse_args(argv)

    import torch

    from dagfilter.data import fixed_batch
    from dagfilter.proxies.zc_bench import pack_shards

    torch.set_num_threads(1)
    out_dir, work = Path(args.out_dir), Path(args.work_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    setup = setup_meta(args)
    manifest = read_manifest(out_dir) or {"setup": setup, "num_cells": NUM_CELLS,
                                          "phases": {str(k): list(v) for k, v in PHASES.items()}, "shards": {}}
    keep = ("dataset", "batch", "seed", "network", "shard_size", "order_seed", "memory_format")
    if any(manifest["setup"].get(x) != setup[x] for x in keep):
        raise SystemExit(f"{out_dir}/manifest.json was made with another setup: "
                         f"{ {x: manifest['setup'].get(x) for x in keep} }; this run: { {x: setup[x] for x in keep} }")
    for name, rec in manifest["shards"].items():  # resume only from verified shards
        if file_sha256(out_dir / rec["file"]) != rec["sha256"]:
            raise SystemExit(f"{out_dir / rec['file']} fails its SHA-256 check (edited or corrupted); "
                             f"remove it and its manifest entry to rescore it")
    ranges = shard_ranges(args.shard_size)
    order = shard_order(len(ranges), args.order_seed)
    reuse = shipped_subset(args)
    images, labels = fixed_batch("cifar10", args.data_dir, args.batch, args.seed)
    phases = [int(x) for x in args.phases.split(",")]
    todo = {ph: sum(sum(1 for i in range(*ranges[k]) if not all(n in reuse.get(i, {}) for n in PHASES[ph]))
                    for k in order if f"p{ph}_{k:03d}" not in manifest["shards"]) for ph in phases}
    _log(f"setup {json.dumps(setup)}")
    _log(f"{len(manifest['shards'])} shards already done; cells to compute per phase: {todo}; "
         f"{len(reuse)} subset cells reused from the shipped file")
    eta = Eta(todo)
    deadline = stop_time(args.stop_at) if args.stop_at else None
    finished = 0
    for ph in phases:
        for k in order:
            key = f"p{ph}_{k:03d}"
            if key in (read_manifest(out_dir) or manifest)["shards"]:  # another process may have finished it
                continue
            if args.max_shards is not None and finished >= args.max_shards:
                _log(f"--max-shards {args.max_shards} reached")
                return 0
            if deadline is not None and time.time() >= deadline:
                _log(f"--stop-at {args.stop_at} reached: no new shard started")
                return 0
            if not claim(work, key):  # a live process is scoring it
                continue
            t0 = time.time()
            path = score_shard(ph, k, ranges[k], images, labels, reuse, args, work, eta)
            with locked(work):  # read-modify-write of the manifest, one process at a time
                manifest = read_manifest(out_dir) or manifest
                manifest["shards"][key] = {"file": path.name, "sha256": file_sha256(path), "phase": ph,
                                           "cells": list(ranges[k]), "proxies": list(PHASES[ph])}
                write_manifest(out_dir, manifest)
                packs = pack_shards(out_dir)  # every 25 shards: one immutable pack file (what load() reads)
                manifest = read_manifest(out_dir)
            (work / f"claim_{key}").unlink(missing_ok=True)
            finished += 1
            _log(f"shard {key} (cells {ranges[k][0]}-{ranges[k][1] - 1}) done in {(time.time() - t0) / 60:.1f} min; "
                 f"{sum(1 for x in manifest['shards'] if x.startswith(f'p{ph}_'))}/{len(ranges)} phase-{ph} shards; "
                 + eta.line(ph))
            if args.git_commit:
                git_commit([path, out_dir / "manifest.json", *packs],
                           f"NB201 whole-space proxy scores: shard {key} (official indices {ranges[k][0]}-"
                           f"{ranges[k][1] - 1}, phase {ph}: {', '.join(PHASES[ph])}), SHA-256 in manifest (issue 27)")
    _log("all requested phases done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
