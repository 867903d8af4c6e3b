"""Write benchmarks_data/nb201_order.npy: op codes of the 15,625 NAS-Bench-201 cells in official order.

Source: ``../shared/data/nb201/nb201_table.csv`` (NATS-Bench topology-space export; see its PROVENANCE).
Usage: ``python scripts/build_nb201_order.py [--table PATH]``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from dagfilter.encodings.nb201 import NB201_OPS, from_str

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--table", default=str(ROOT.parent / "shared/data/nb201/nb201_table.csv"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks_data/nb201_order.npy"))
    args = ap.parse_args()
    df = pd.read_csv(args.table, usecols=["index", "arch_str"])
    if not (df["index"].to_numpy() == np.arange(len(df))).all():
        raise SystemExit("table rows are not in index order")
    codes = np.array([[NB201_OPS.index(op) for op in from_str(s).nb201_ops()] for s in df["arch_str"]],
                     dtype=np.uint8)
    np.save(args.out, codes)
    print(f"wrote {args.out}: {codes.shape}")


if __name__ == "__main__":
    main()
