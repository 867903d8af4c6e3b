"""Write benchmarks_data/cifar10_minibatch.npz: 256 real CIFAR-10 training images shipped with the package.

They let zero-cost proxies (NAS-WOT) run with no data directory - the "embedded default" of the
README's first command. Images are drawn with a fixed seed from ``data_batch_1`` of the CIFAR-10
copy in ``../shared/data/cifar10`` (see its PROVENANCE: JPEG-decoded CIFAR-10, labels exact).
Usage: ``python scripts/build_embedded_minibatch.py [--cifar-dir DIR] [--n 256] [--seed 0]``
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cifar-dir", default=str(ROOT.parent / "shared/data/cifar10/cifar-10-batches-py"))
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks_data/cifar10_minibatch.npz"))
    args = ap.parse_args()
    from dagfilter.data.readers import SafeUnpickler

    path = Path(args.cifar_dir) / "data_batch_1"
    with open(path, "rb") as fh:
        batch = SafeUnpickler(fh, path).load()  # numpy arrays and builtins only: no code from the file
    rng = np.random.default_rng(args.seed)
    idx = np.sort(rng.choice(len(batch["labels"]), size=args.n, replace=False))
    images = np.asarray(batch["data"], dtype=np.uint8)[idx].reshape(args.n, 3, 32, 32)
    labels = np.asarray(batch["labels"], dtype=np.int64)[idx]
    np.savez_compressed(args.out, images=images, labels=labels, source_index=idx,
                        source=np.array("CIFAR-10 data_batch_1 (../shared/data/cifar10, JPEG-decoded copy)"))
    print(f"wrote {args.out}: images {images.shape}, labels {np.bincount(labels, minlength=10).tolist()}")


if __name__ == "__main__":
    main()
