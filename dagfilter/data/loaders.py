"""DataLoaders with seeded, resumable shuffling, and a fixed real minibatch for proxies."""
from __future__ import annotations

import os
from typing import Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler

from ..errors import ConfigError, DataError
from .datasets import SeededImageDataset, build_dataset


def epoch_seed(seed: int, epoch: int) -> int:
    """A 63-bit seed for the shuffle of ``epoch`` in a run seeded with ``seed``."""
    state = np.random.SeedSequence([int(seed) & (2**63 - 1), int(epoch), 0x5A11]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


class SeededEpochSampler(Sampler):
    """Yields ``(epoch, index)`` keys: a fresh seeded permutation per epoch, resumable mid-epoch.

    The order of epoch ``e`` depends only on ``(seed, e)``, never on global RNG state.
    :meth:`set_epoch` chooses the epoch and, for a resume, how many samples of it were
    already consumed (they are skipped).
    """

    def __init__(self, num_samples: int, seed: int = 0, shuffle: bool = True) -> None:
        self.num_samples, self.seed, self.shuffle = int(num_samples), int(seed), bool(shuffle)
        self.epoch, self.start = 0, 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        """Select ``epoch`` and skip its first ``start`` samples."""
        if not 0 <= start <= self.num_samples:
            raise ConfigError(f"cannot start epoch at sample {start} of {self.num_samples}")
        self.epoch, self.start = int(epoch), int(start)

    def order(self, epoch: int) -> torch.Tensor:
        """The full sample order of ``epoch``."""
        if not self.shuffle:
            return torch.arange(self.num_samples)
        gen = torch.Generator().manual_seed(epoch_seed(self.seed, epoch))
        return torch.randperm(self.num_samples, generator=gen)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        epoch = self.epoch
        for idx in self.order(epoch)[self.start:].tolist():
            yield (epoch, idx)

    def __len__(self) -> int:
        return self.num_samples - self.start


def make_loader(dataset: SeededImageDataset, batch_size: int, shuffle: bool, seed: int = 0,
                num_workers: int = 0, pin_memory: bool = False, drop_last: bool = False) -> DataLoader:
    """A DataLoader over ``dataset`` driven by a :class:`SeededEpochSampler`.

    The loader gets its own ``torch.Generator`` so that creating an iterator never touches
    the global torch RNG (which the model's dropout / drop-path use).
    """
    if batch_size <= 0:
        raise ConfigError(f"batch_size must be positive, got {batch_size}")
    if num_workers < 0:
        raise ConfigError(f"num_workers must be >= 0, got {num_workers}")
    sampler = SeededEpochSampler(len(dataset), seed=seed, shuffle=shuffle)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=num_workers,
                      pin_memory=pin_memory, drop_last=drop_last,
                      generator=torch.Generator().manual_seed(int(seed) & (2**63 - 1)),
                      persistent_workers=False)


def get_loaders(dataset: str, data_dir: str | os.PathLike | None, batch_size: int,
                subset: int | None = None, seed: int = 0, augment: bool = True, num_workers: int = 0,
                *, test_subset: int | None = None, test_batch_size: int | None = None,
                cutout: int = 0, color_jitter: float = 0.0, train_split: str = "train",
                test_split: str = "test", pin_memory: bool = False) -> tuple[DataLoader, DataLoader]:
    """Training and evaluation loaders.

    Args:
        dataset: ``cifar10``, ``cifar100``, ``ImageNet16-120`` or ``imagenet``.
        data_dir: data directory, or ``None`` to use the environment (see ``resolve_data_dir``).
        batch_size: training batch size (also the evaluation one unless ``test_batch_size``).
        subset: use a seeded random subset of this many training images.
        seed: seeds the subsets, the per-epoch shuffles and the augmentation.
        augment: training augmentation (crop+flip, or random-resized-crop+flip for ImageNet).
        num_workers: loader worker processes; results do not depend on it.
        test_subset: seeded subset size of the evaluation split (default: all of it).
        test_batch_size: evaluation batch size.
        cutout: cutout side for training images (0 = none).
        color_jitter: ImageNet colour-jitter strength for training images.
        train_split: split to train on (``train`` or ``train-minus-valid``, ...).
        test_split: split to evaluate on (``test``, ``valid``, ...).
        pin_memory: pin batches (for CUDA).

    Returns:
        ``(train_loader, test_loader)``. The training loader shuffles with its
        :class:`SeededEpochSampler`: call ``loader.sampler.set_epoch(e)`` before each epoch.
    """
    train_ds = build_dataset(dataset, data_dir, train_split, augment, cutout, subset, seed, color_jitter)
    test_ds = build_dataset(dataset, data_dir, test_split, False, 0, test_subset, seed)
    train = make_loader(train_ds, batch_size, True, seed, num_workers, pin_memory)
    test = make_loader(test_ds, test_batch_size or batch_size, False, seed, num_workers, pin_memory)
    return train, test


def fixed_batch_picks(total: int, batch_size: int, seed: int = 0) -> np.ndarray:
    """The positions :func:`fixed_batch` draws, in order: ``batch_size`` distinct indices of a
    split of ``total`` images, seeded by ``seed`` alone (the shipped embedded minibatch records
    the images of these picks, so it can reproduce a data-directory minibatch exactly)."""
    return np.random.default_rng([int(seed), 0xF1BA7C]).choice(int(total), size=int(batch_size), replace=False)


def fixed_batch(dataset: str, data_dir: str | os.PathLike | None = None, batch_size: int = 128,
                seed: int = 0, split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed minibatch of real, normalised, un-augmented images (e.g. for NAS-WOT scoring).

    The same ``(dataset, split, batch_size, seed)`` always gives the same images in the same
    order.

    Returns:
        ``(images, labels)``: float32 ``(batch_size, 3, H, W)`` and int64 ``(batch_size,)``.

    Raises:
        DataError: the split has fewer than ``batch_size`` images, or the data is missing.
    """
    if batch_size <= 0:
        raise ConfigError(f"batch_size must be positive, got {batch_size}")
    ds = build_dataset(dataset, data_dir, split, augment=False, seed=seed)
    if batch_size > len(ds):
        raise DataError(f"{ds.info}: cannot draw a batch of {batch_size}")
    picks = fixed_batch_picks(len(ds), batch_size, seed)
    items = [ds[(0, int(i))] for i in picks]
    return torch.stack([x for x, _ in items]), torch.tensor([y for _, y in items], dtype=torch.int64)
