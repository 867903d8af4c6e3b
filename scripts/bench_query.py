"""Speed of benchmark queries: cold load and 100,000 random queries, with pandas as the baseline.

Reports, side by side in one run:

* cold load (fresh Python process, median of ``--repeats``): ``dagfilter.bench.load("nb201")``
  versus ``pandas.read_csv`` of the source table (imports timed separately);
* 100,000 random queries (seeded): batch (one vectorized call), single by index, single by
  official string, single by NASLib tuple; baseline ``DataFrame.at`` / fancy indexing.

Targets: cold load < 100 ms, < 5 us per query amortized in batch, < 50 us per single query.
Usage: ``python scripts/bench_query.py [--n 100000] [--seed 0] [--repeats 5] [--json OUT]``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CSV = Path(os.environ.get("DAGFILTER_SHARED", ROOT.parent / "shared")) / "data/nb201/nb201_table.csv"

_COLD_DAGFILTER = """
import time
t0 = time.perf_counter()
from dagfilter import bench
t1 = time.perf_counter()
api = bench.load("nb201")
t2 = time.perf_counter()
api.query(6111, "cifar10", "test-accuracy", hp=200)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""
_COLD_PANDAS = """
import time, sys
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t2 = time.perf_counter()
df.at[6111, "cifar10_test_200"]
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def _cold(code: str, repeats: int, *args: str) -> list[float]:
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
        runs.append([float(x) for x in out.stdout.split()])
    return [statistics.median(r[i] for r in runs) for i in range(3)]


def _per_query(fn, items) -> float:
    t = time.perf_counter()
    for x in items:
        fn(x)
    return (time.perf_counter() - t) / len(items) * 1e6


def main(argv: "list[str] | None" = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", default=None, help="also write the numbers to this JSON file")
    args = ap.parse_args(argv)

    import pandas as pd
    from tqdm import tqdm

    from dagfilter import bench
    from dagfilter.encodings import nb201 as enc

    res: dict[str, float] = {}
    steps = tqdm(total=6, desc="bench_query", file=sys.stderr)
    imp, load, first = _cold(_COLD_DAGFILTER, args.repeats)
    res.update(dagfilter_import_ms=imp * 1e3, dagfilter_cold_load_ms=load * 1e3, dagfilter_first_query_ms=first * 1e3)
    steps.update()
    pimp, pload, pfirst = _cold(_COLD_PANDAS, args.repeats, str(CSV))
    res.update(pandas_import_ms=pimp * 1e3, pandas_read_csv_ms=pload * 1e3, pandas_first_query_ms=pfirst * 1e3)
    steps.update()

    api = bench.load("nb201")
    df = pd.read_csv(CSV)
    rng = np.random.default_rng(args.seed)
    idx = rng.integers(0, enc.NUM_ARCHS, size=args.n)
    strings = [api.arch(i) for i in range(enc.NUM_ARCHS)]
    naslib = [enc.to_naslib(enc.from_index(i)) for i in range(enc.NUM_ARCHS)]

    t = time.perf_counter()
    vals = api.query_many(idx, "cifar10", "test-accuracy", hp=200)
    res["dagfilter_batch_us"] = (time.perf_counter() - t) / args.n * 1e6
    t = time.perf_counter()
    base = df["cifar10_test_200"].to_numpy()[idx]
    res["pandas_batch_us"] = (time.perf_counter() - t) / args.n * 1e6
    assert np.array_equal(vals, base), "batch answers differ from the source table"
    steps.update()

    items = [int(i) for i in idx]
    res["dagfilter_single_index_us"] = _per_query(lambda i: api.query(i, "cifar10", "test-accuracy", 200), items)
    res["pandas_single_at_us"] = _per_query(lambda i: df.at[i, "cifar10_test_200"], items)
    steps.update()
    sitems = [strings[i] for i in items]
    res["dagfilter_single_string_us"] = _per_query(lambda s: api.query(s, "cifar10", "test-accuracy", 200), sitems)
    by_str = df.set_index("arch_str")["cifar10_test_200"]
    res["pandas_single_string_us"] = _per_query(lambda s: by_str.at[s], sitems)
    steps.update()
    nitems = [naslib[i] for i in items[: max(1, args.n // 10)]]
    res["dagfilter_single_naslib_us"] = _per_query(lambda s: api.query(s, "cifar10", "test-accuracy", 200), nitems)
    steps.update()
    steps.close()

    print(f"NAS-Bench-201 queries ({args.n:,} random, seed {args.seed}; cold figures: median of {args.repeats} "
          "fresh processes)")
    rows = [
        ("cold load (ms)", res["dagfilter_cold_load_ms"], res["pandas_read_csv_ms"], "< 100"),
        ("  import (ms)", res["dagfilter_import_ms"], res["pandas_import_ms"], ""),
        ("batch query, per item (us)", res["dagfilter_batch_us"], res["pandas_batch_us"], "< 5"),
        ("single query by index (us)", res["dagfilter_single_index_us"], res["pandas_single_at_us"], "< 50"),
        ("single query by string (us)", res["dagfilter_single_string_us"], res["pandas_single_string_us"], "< 50"),
        ("single query by NASLib tuple (us)", res["dagfilter_single_naslib_us"], float("nan"), "< 50"),
    ]
    print(f"{'':36s}{'dagfilter':>12s}{'pandas':>12s}{'target':>10s}")
    for name, a, b, target in rows:
        print(f"{name:36s}{a:12.3f}{b:12.3f}{target:>10s}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
