"""Write benchmarks_data/cifar10_minibatch.npz: 256 real CIFAR-10 training images shipped with the package.

They let zero-cost proxies (NAS-WOT) run with no data directory - the "embedded default" of the
README's first command. The images are exactly those :func:`dagfilter.data.fixed_batch` draws from
the project's CIFAR-10 copy (``../shared/data/cifar10``: ``data_batch_1`` + ``data_batch_2``, 20,000
training images, JPEG-decoded, see its PROVENANCE) for batch 128 with seeds 0 and 1, in that
order (the few images both draws share are stored once, the file is topped up to 256 with seeded
extra picks). Seed 0 / batch 128 is the setup of every shipped score file (NAS-WOT of all NB201
cells, the darts725 scores, the proxy subsets), so the embedded default *is* the shipped setup:
:func:`dagfilter.proxies.scoring.embedded_batch` rebuilds that minibatch bit for bit from this file,
it keys like the data-directory run, and the shipped scores serve it.

The file records ``source_index`` (position of each image in that 20,000-image training split),
``train_size`` and the ``(batch, seed)`` draws it covers exactly.
Usage: ``python scripts/build_embedded_minibatch.py [--cifar-dir DIR]``
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N = 256
EXACT = ((128, 0), (128, 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cifar-dir", default=str(ROOT.parent / "shared/data/cifar10/cifar-10-batches-py"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks_data/cifar10_minibatch.npz"))
    args = ap.parse_args()
    from dagfilter.data.loaders import fixed_batch_picks
    from dagfilter.data.readers import read_cifar

    arrays = read_cifar(Path(args.cifar_dir), "cifar10", True)  # the split fixed_batch draws from
    total = len(arrays)
    order: list[int] = []
    for batch, seed in EXACT:
        order += [int(i) for i in fixed_batch_picks(total, batch, seed) if int(i) not in order]
    rng = np.random.default_rng(256)
    while len(order) < N:
        i = int(rng.integers(total))
        if i not in order:
            order.append(i)
    idx = np.asarray(order[:N], dtype=np.int64)
    images = np.ascontiguousarray(arrays.images[idx].transpose(0, 3, 1, 2))  # N x 3 x 32 x 32 uint8
    labels = arrays.labels[idx].astype(np.int64)
    files = "+".join(p.name for p in arrays.files)
    np.savez_compressed(args.out, images=images, labels=labels, source_index=idx, train_size=np.int64(total),
                        exact=np.asarray(EXACT, dtype=np.int64),
                        source=np.array(f"CIFAR-10 {files} (../shared/data/cifar10, JPEG-decoded copy), "
                                        f"fixed_batch picks of (batch, seed) {list(EXACT)}"))
    print(f"wrote {args.out}: images {images.shape} from {total} training images, "
          f"labels {np.bincount(labels, minlength=10).tolist()}")


if __name__ == "__main__":
    main()
