"""Torch datasets over the readers, with reproducible per-sample augmentation.

Each sample's random augmentation is drawn from a generator derived from
``(seed, epoch, index)``. Index a dataset with ``(epoch, index)`` tuples (what
:class:`~dagfilter.data.loaders.SeededEpochSampler` yields) or with plain integers, which use
the epoch last given to :meth:`SeededImageDataset.set_epoch`.

Splits (``split=`` of :func:`build_dataset`):

* ``train`` / ``test`` - the official training / test set (ImageFolder: ``train/`` and ``val/``
  or ``test/``);
* ``valid`` - NAS-Bench-201's held-out split: for CIFAR-10 a fixed half of the *training* set
  (the other half is ``train-minus-valid``); for CIFAR-100 and ImageNet16-120 a fixed half of
  the *test* set (the other half is ``test-minus-valid``). The halves come from a fixed
  permutation (seed :data:`VALID_SPLIT_SEED`), the same for every run; they are not the
  index lists of NAS-Bench-201's ``cifar-split.txt`` files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from ..errors import ConfigError, DataError
from .paths import resolve_data_dir
from .readers import ImageArrays, ImageFiles, read_cifar, read_imagenet16, scan_image_folder
from .specs import DatasetSpec, dataset_spec
from .transforms import Compose, imagenet_transform, small_image_transform

#: Seed of the fixed permutation that defines the ``valid`` halves.
VALID_SPLIT_SEED = 201

SPLITS = ("train", "test", "valid", "train-minus-valid", "test-minus-valid")


def sample_rng(seed: int, epoch: int, index: int) -> np.random.Generator:
    """The generator for sample ``index`` in ``epoch`` of a run seeded with ``seed``."""
    return np.random.Generator(np.random.Philox(key=[int(seed) & (2**64 - 1),
                                                    ((int(epoch) & 0xFFFFFFFF) << 32) | (int(index) & 0xFFFFFFFF)]))


class SeededImageDataset(Dataset):
    """Base class: maps a position to (image, label) through a seeded transform.

    Args:
        transform: a ``Compose`` of ``(img, rng)`` transforms.
        labels: 0-based labels of the *whole* split.
        indices: positions of the split that belong to this dataset (a subset), or ``None``.
        seed: augmentation seed.
        classes: class names.
        info: a one-line description (what was read, from where, how many images).
    """

    def __init__(self, transform: Compose, labels: np.ndarray, indices: np.ndarray | None,
                 seed: int, classes: list[str], info: str) -> None:
        self.transform = transform
        self._labels = labels
        self.indices = np.arange(len(labels)) if indices is None else np.asarray(indices, dtype=np.int64)
        self.seed = int(seed)
        self.classes = classes
        self.info = info
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch used for integer keys (tuple keys carry their own epoch)."""
        self.epoch = int(epoch)

    @property
    def labels(self) -> np.ndarray:
        """Labels of this dataset's samples, in order."""
        return self._labels[self.indices]

    def __len__(self) -> int:
        return int(self.indices.shape[0])

    def _raw(self, source_index: int) -> Any:
        raise NotImplementedError

    def __getitem__(self, key: int | tuple[int, int]) -> tuple[torch.Tensor, int]:
        if isinstance(key, tuple):
            epoch, pos = int(key[0]), int(key[1])
        else:
            epoch, pos = self.epoch, int(key)
        if not -len(self) <= pos < len(self):
            raise IndexError(f"sample {pos} out of range for a dataset of {len(self)}")
        pos %= len(self)
        src = int(self.indices[pos])
        img = self.transform(self._raw(src), sample_rng(self.seed, epoch, pos))
        return img, int(self._labels[src])


class ArrayImageDataset(SeededImageDataset):
    """In-memory uint8 images (CIFAR, ImageNet16)."""

    def __init__(self, arrays: ImageArrays, transform: Compose, indices: np.ndarray | None = None,
                 seed: int = 0, info: str = "") -> None:
        super().__init__(transform, arrays.labels, indices, seed, arrays.classes, info)
        self.images = arrays.images

    def _raw(self, source_index: int) -> np.ndarray:
        return self.images[source_index]


class ImageFolderDataset(SeededImageDataset):
    """Images read lazily from an ImageFolder tree with PIL."""

    def __init__(self, files: ImageFiles, transform: Compose, indices: np.ndarray | None = None,
                 seed: int = 0, info: str = "") -> None:
        super().__init__(transform, files.labels, indices, seed, files.classes, info)
        self.paths = files.paths

    def _raw(self, source_index: int) -> Image.Image:
        path = self.paths[source_index]
        try:
            with Image.open(path) as im:
                return im.convert("RGB")
        except Exception as exc:
            raise DataError(f"cannot read image {str(path)!r}: {exc}") from None


@dataclass(frozen=True)
class _SplitPlan:
    official: str          # "train" or "test"
    half: str | None       # None, "valid" or "rest"


def _plan(spec: DatasetSpec, split: str) -> _SplitPlan:
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    if split in ("train", "test"):
        return _SplitPlan(split, None)
    if spec.name == "imagenet":
        raise ConfigError(f"split {split!r} is not defined for imagenet; use 'train' or 'test'")
    valid_source = "train" if spec.name == "cifar10" else "test"
    if split == "valid":
        return _SplitPlan(valid_source, "valid")
    wanted = f"{valid_source}-minus-valid"
    if split != wanted:
        raise ConfigError(f"split {split!r} is not defined for {spec.name}; its valid half comes "
                          f"from the {valid_source} set, so the rest is {wanted!r}")
    return _SplitPlan(valid_source, "rest")


def _half(n: int, which: str) -> np.ndarray:
    perm = np.random.default_rng(VALID_SPLIT_SEED).permutation(n)
    half = perm[: n // 2] if which == "valid" else perm[n // 2:]
    return np.sort(half)


def subset_indices(n: int, subset: int | None, seed: int) -> np.ndarray:
    """Sorted seeded choice of ``min(subset, n)`` positions out of ``n`` (all when ``subset`` is None)."""
    if subset is None or subset >= n:
        return np.arange(n)
    if subset <= 0:
        raise ConfigError(f"subset must be a positive number of images, got {subset}")
    rng = np.random.default_rng([int(seed), 0x5B5E7])
    return np.sort(rng.choice(n, size=int(subset), replace=False))


def build_dataset(dataset: str, data_dir: str | os.PathLike | None = None, split: str = "train",
                  augment: bool | None = None, cutout: int = 0, subset: int | None = None,
                  seed: int = 0, color_jitter: float = 0.0) -> SeededImageDataset:
    """Build the torch dataset of one split.

    Args:
        dataset: ``cifar10``, ``cifar100``, ``ImageNet16-120`` or ``imagenet``.
        data_dir: directory (see :func:`~dagfilter.data.resolve_data_dir` for the search rules).
        split: one of :data:`SPLITS` (see the module docstring).
        augment: training augmentation; default: on for the training-set splits.
        cutout: cutout square side in pixels (0 = none; only with ``augment``).
        subset: keep a seeded random ``subset`` of the split's images (all if larger).
        seed: seeds the subset choice and the augmentation.
        color_jitter: ImageNet brightness/contrast/saturation jitter strength (0 = none).

    Raises:
        ConfigError: unknown dataset or split, bad subset. DataError: missing/malformed files.
    """
    spec = dataset_spec(dataset)
    plan = _plan(spec, split)
    root = resolve_data_dir(spec.name, data_dir)
    train_files = plan.official == "train"
    if augment is None:
        augment = split in ("train", "train-minus-valid")
    if spec.layout == "image-folder":
        classes = scan_image_folder(root, "train").classes if not train_files else None
        split_dir = "train" if train_files else ("val" if (root / "val").is_dir() else "test")
        files = scan_image_folder(root, split_dir, classes)
        transform = imagenet_transform(spec.mean, spec.std, augment, color_jitter, spec.image_size)
        total, source = len(files), f"{files.root} ({len(files.classes)} class folders)"
        make = lambda idx, info: ImageFolderDataset(files, transform, idx, seed, info)  # noqa: E731
    else:
        if spec.layout == "cifar-pickle":
            arrays = read_cifar(root, spec.name, train_files)
        else:
            arrays = read_imagenet16(root, train_files, spec.num_classes)
        transform = small_image_transform(spec.mean, spec.std, spec.image_size, spec.crop_padding,
                                          augment, cutout)
        total = len(arrays)
        names = ", ".join(p.name for p in arrays.files)
        source = f"{root} ({len(arrays.files)} file{'s' if len(arrays.files) != 1 else ''}: {names})"
        make = lambda idx, info: ArrayImageDataset(arrays, transform, idx, seed, info)  # noqa: E731
    base = np.arange(total) if plan.half is None else _half(total, plan.half)
    picked = base[subset_indices(len(base), subset, seed)]
    info = f"{spec.name} {split}: {len(picked)} of {total} images found in {source}"
    if len(picked) == 0:
        raise DataError(f"{spec.name} {split} split is empty ({source})")
    return make(picked, info)
