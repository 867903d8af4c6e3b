"""Build the compact benchmark tables shipped in ``benchmarks_data/``.

Writes ``benchmarks_data/nb201.npz`` (all 15,625 NAS-Bench-201 cells) from
``<shared>/data/nb201/nb201_table.csv`` and ``benchmarks_data/darts725.npz`` from
``<shared>/data/darts/darts_space_725.csv`` (see each PROVENANCE.md and
``benchmarks_data/ATTRIBUTION.md``). ``<shared>`` is ``$DAGFILTER_SHARED`` or the ``shared``
folder beside the repository. ``benchmarks_data/nb201_order.npy`` is read, not rewritten.

The params / FLOPs per data-set head come from ``dagfilter.nets`` (analytic counters); rerun
this script when those change. Usage::

    python scripts/build_benchmarks_data.py [--shared DIR] [--out DIR] [--only nb201|darts725]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: "list[str] | None" = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("DAGFILTER_SHARED", str(ROOT.parent / "shared")))
    ap.add_argument("--out", default=str(ROOT / "benchmarks_data"))
    ap.add_argument("--only", choices=["nb201", "darts725"], default=None)
    args = ap.parse_args(argv)

    from dagfilter.bench.build import (DARTS725_TABLE, NB201_TABLE, build_darts725_from_csv,
                                       build_nb201_from_csv)
    from dagfilter.bench.store import read_table, write_table

    shared = Path(args.shared)
    out = Path(args.out)
    jobs = {
        "nb201": (build_nb201_from_csv, shared / "data/nb201/nb201_table.csv", NB201_TABLE),
        "darts725": (build_darts725_from_csv, shared / "data/darts/darts_space_725.csv", DARTS725_TABLE),
    }
    for name, (fn, src, fname) in jobs.items():
        if args.only and name != args.only:
            continue
        t0 = time.perf_counter()
        cols, meta = fn(src)
        digest = write_table(out / fname, cols, meta)
        read_table(out / fname, name)  # round-trip check
        size = (out / fname).stat().st_size
        print(f"{name}: wrote {out / fname} ({len(next(iter(cols.values())))} rows, {size / 1e6:.2f} MB, "
              f"sha256 {digest[:12]}) in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
