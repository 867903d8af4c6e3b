"""Dataset readers and loaders: CIFAR-10/100 pickles, NAS-Bench-201 ImageNet16, ImageFolder.

No downloads: point :func:`resolve_data_dir` at the files with an argument or the
environment (``DAGFILTER_DATA_DIR``, or ``DAGFILTER_CIFAR10_DIR``, ``DAGFILTER_CIFAR100_DIR``,
``DAGFILTER_IMAGENET16_DIR``, ``DAGFILTER_IMAGENET_DIR``).
"""
from __future__ import annotations

from .datasets import (SPLITS, ArrayImageDataset, ImageFolderDataset, SeededImageDataset,
                       build_dataset, sample_rng, subset_indices)
from .loaders import SeededEpochSampler, fixed_batch, get_loaders, make_loader
from .paths import resolve_data_dir
from .readers import ImageArrays, ImageFiles, read_cifar, read_imagenet16, scan_image_folder
from .specs import DATA_DIR_ENV, SPECS, DatasetSpec, dataset_spec

__all__ = [
    "SPLITS", "SPECS", "DATA_DIR_ENV", "DatasetSpec", "dataset_spec", "resolve_data_dir",
    "ImageArrays", "ImageFiles", "read_cifar", "read_imagenet16", "scan_image_folder",
    "SeededImageDataset", "ArrayImageDataset", "ImageFolderDataset", "build_dataset",
    "sample_rng", "subset_indices", "SeededEpochSampler", "make_loader", "get_loaders", "fixed_batch",
]
