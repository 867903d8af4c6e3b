"""Static facts about the supported datasets: names, sizes, class counts, normalisation.

Pure data, no I/O. :func:`dataset_spec` turns any accepted spelling of a dataset name into
its :class:`DatasetSpec`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError, show


@dataclass(frozen=True)
class DatasetSpec:
    """Facts about one dataset.

    Attributes:
        name: canonical name (``cifar10``, ``cifar100``, ``ImageNet16-120``, ``imagenet``).
        layout: on-disk layout read for it (``cifar-pickle``, ``imagenet16-pickle``, ``image-folder``).
        num_classes: number of classes.
        image_size: side of the (square) training images in pixels.
        mean: per-channel mean of the [0, 1]-scaled RGB pixels, used to normalise.
        std: per-channel standard deviation, used to normalise.
        crop_padding: padding of the random-crop augmentation (0 for ImageFolder data).
        env_var: per-dataset environment variable naming its directory.
        subdirs: folder names tried below a parent directory (e.g. ``DAGFILTER_DATA_DIR``).
    """

    name: str
    layout: str
    num_classes: int
    image_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    crop_padding: int
    env_var: str
    subdirs: tuple[str, ...]


def _scaled(values: tuple[float, float, float]) -> tuple[float, float, float]:
    return tuple(v / 255.0 for v in values)  # type: ignore[return-value]


# Normalisation constants as used by NAS-Bench-201's training code (pixel units / 255).
SPECS: dict[str, DatasetSpec] = {
    "cifar10": DatasetSpec(
        "cifar10", "cifar-pickle", 10, 32,
        _scaled((125.3, 123.0, 113.9)), _scaled((63.0, 62.1, 66.7)), 4,
        "DAGFILTER_CIFAR10_DIR", ("cifar-10-batches-py", "cifar10", "cifar-10", "CIFAR10"),
    ),
    "cifar100": DatasetSpec(
        "cifar100", "cifar-pickle", 100, 32,
        _scaled((129.3, 124.1, 112.4)), _scaled((68.2, 65.4, 70.4)), 4,
        "DAGFILTER_CIFAR100_DIR", ("cifar-100-python", "cifar100", "cifar-100", "CIFAR100"),
    ),
    "ImageNet16-120": DatasetSpec(
        "ImageNet16-120", "imagenet16-pickle", 120, 16,
        _scaled((122.68, 116.66, 104.01)), _scaled((63.22, 61.26, 65.09)), 2,
        "DAGFILTER_IMAGENET16_DIR", ("ImageNet16", "ImageNet16-120", "imagenet16", "imagenet16-120"),
    ),
    "imagenet": DatasetSpec(
        "imagenet", "image-folder", 1000, 224,
        (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), 0,
        "DAGFILTER_IMAGENET_DIR", ("imagenet", "ImageNet", "ILSVRC2012", "imagenet-1k"),
    ),
}

_ALIASES = {
    "cifar10": "cifar10", "cifar-10": "cifar10", "cifar10-valid": "cifar10",
    "cifar100": "cifar100", "cifar-100": "cifar100",
    "imagenet16-120": "ImageNet16-120", "imagenet16": "ImageNet16-120", "imagenet16_120": "ImageNet16-120",
    "imagenet": "imagenet", "imagenet-1k": "imagenet", "imagenet1k": "imagenet", "ilsvrc2012": "imagenet",
}

#: The directory-wide environment variable: a parent folder holding one sub-folder per dataset.
DATA_DIR_ENV = "DAGFILTER_DATA_DIR"


def dataset_spec(name: str) -> DatasetSpec:
    """Return the :class:`DatasetSpec` of ``name`` (case-insensitive; ``cifar-10`` etc. accepted).

    Raises:
        ConfigError: ``name`` is not a supported dataset.
    """
    key = _ALIASES.get(name.strip().lower()) if isinstance(name, str) else None
    if key is None:
        raise ConfigError(
            f"unknown dataset {show(name)}; supported: {', '.join(SPECS)}"
        )
    return SPECS[key]
