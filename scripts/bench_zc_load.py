#!/usr/bin/env python
"""How long ``dagfilter.proxies.zc_bench.load()`` takes (goal: < 100 ms), side by side in one run:

* ``shipped``: the installed files as they are (subset file + the whole-space shards finished so far);
* ``complete``: a synthetic complete benchmark in a temporary folder, in the exact shard format of
  ``scripts/score_nb201_proxies.py`` (50-cell shards, both phases: 626 shards, 25 per pack, random scores), so the
  time of the finished benchmark is known before it exists.

Wall time of ``load()`` after the module is imported (median of ``--reps``), and of one ``query``.

    python scripts/bench_zc_load.py
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PHASES = {1: ["az_expressivity", "az_progressivity", "az_trainability", "meco", "swap", "snip", "grad_norm", "fisher",
              "jacov", "synflow"], 2: ["zico", "zen"]}


def synthetic(root: Path, shard_size: int = 50) -> None:
    """A complete benchmark folder under ``root`` (random scores, real format and checksums)."""
    import shutil
    from importlib import resources

    (root / "proxies_nb201_full").mkdir(parents=True)
    shutil.copy(Path(str(resources.files("benchmarks_data"))) / "proxies_nb201_subset1000.npz", root)
    rng = np.random.default_rng(0)
    shards = {}
    for ph, names in PHASES.items():
        for k, a in enumerate(range(0, 15625, shard_size)):
            b = min(a + shard_size, 15625)
            f = root / "proxies_nb201_full" / f"p{ph}_shard_{k:03d}.npz"
            meta = {"proxies": names, "phase": ph, "shard": k, "cells": [a, b]}
            np.savez(f, scores=rng.normal(size=(len(names), b - a)), indices=np.arange(a, b),
                     cpu_seconds=rng.random(b - a), source=np.zeros(b - a, dtype=np.int8),
                     meta=np.asarray(json.dumps(meta)))
            shards[f"p{ph}_{k:03d}"] = {"file": f.name, "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
                                        "cells": [a, b], "proxies": names, "phase": ph}
    (root / "proxies_nb201_full" / "manifest.json").write_text(json.dumps({"setup": {}, "shards": shards}))
    from dagfilter.proxies.zc_bench import pack_shards

    pack_shards(root / "proxies_nb201_full")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=7)
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    from dagfilter.proxies import zc_bench
    imp = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        synthetic(Path(tmp))
        rows = {}
        for label, root, verify in (("shipped", None, False), ("complete", Path(tmp), False),
                                    ("complete, verify_shards", Path(tmp), True)):
            times = []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                zc = zc_bench.load(root, verify_shards=verify)
                times.append(time.perf_counter() - t0)
            zc.query(15624 - 6111) if zc.coverage()["meco"] == 15625 else None  # first query imports the parser
            t0 = time.perf_counter()
            zc.query(6111) if zc.coverage()["meco"] == 15625 else None
            q = time.perf_counter() - t0
            rows[label] = (statistics.median(times), len(zc.shards), min(zc.coverage().values()), q)
    print(f"import dagfilter.proxies.zc_bench: {imp * 1000:.0f} ms")
    for label, (t, n, cov, q) in rows.items():
        print(f"load() {label:24s} {t * 1000:6.1f} ms  ({n} shards, min coverage {cov} cells); "
              f"then query(6111) {q * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
