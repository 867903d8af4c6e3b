"""Readers for the on-disk dataset layouts; each returns plain numpy arrays or file lists.

Layouts:

* ``cifar-pickle`` - the python-pickle CIFAR releases. CIFAR-10: ``cifar-10-batches-py/`` with
  ``data_batch_1..5``, ``test_batch`` and ``batches.meta``; any subset of the ``data_batch_*``
  files is accepted. CIFAR-100: ``cifar-100-python/`` with ``train``, ``test`` and ``meta``
  (``fine_labels`` are used).
* ``imagenet16-pickle`` - NAS-Bench-201's ImageNet16: ``train_data_batch_1..10`` and ``val_data``,
  each a pickled dict with ``data`` (N x 768 uint8, channel-major 16x16 RGB) and ``labels``
  (1-based over 1000 classes). Only labels <= ``num_classes`` are kept, shifted to 0-based.
* ``image-folder`` - ``root/<split>/<class_name>/*.jpg|png|...``, read lazily with PIL.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..safepickle import NUMPY_GLOBALS, RestrictedUnpickler

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".webp", ".tif", ".tiff")

_CIFAR10_TRAIN = re.compile(r"^data_batch_(\d+)$")
_IN16_TRAIN = re.compile(r"^train_data_batch_(\d+)$")


@dataclass(frozen=True)
class ImageArrays:
    """Decoded images of one split.

    Attributes:
        images: ``(N, H, W, 3)`` uint8 RGB array.
        labels: ``(N,)`` int64 array of 0-based class indices.
        classes: class names (or their string indices when the files carry none).
        files: the files the arrays were read from.
    """

    images: np.ndarray
    labels: np.ndarray
    classes: list[str]
    files: list[Path] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass(frozen=True)
class ImageFiles:
    """An image-folder split: one path and one 0-based label per image."""

    paths: list[Path]
    labels: np.ndarray
    classes: list[str]
    root: Path

    def __len__(self) -> int:
        return len(self.paths)


# --------------------------------------------------------------------------- layout checks
def cifar10_train_files(root: Path) -> list[Path]:
    """The ``data_batch_N`` files present in ``root``, sorted by ``N``."""
    found = [(int(m.group(1)), p) for p in root.iterdir() if (m := _CIFAR10_TRAIN.match(p.name))]
    return [p for _, p in sorted(found)]


def imagenet16_train_files(root: Path) -> list[Path]:
    """The ``train_data_batch_N`` files present in ``root``, sorted by ``N``."""
    found = [(int(m.group(1)), p) for p in root.iterdir() if (m := _IN16_TRAIN.match(p.name))]
    return [p for _, p in sorted(found)]


def layout_problem(dataset: str, root: Path) -> str | None:
    """Why ``root`` is not a directory of ``dataset``'s layout, or ``None`` when it is.

    ``dataset`` is a canonical name (see :mod:`dagfilter.data.specs`).
    """
    try:
        if not root.is_dir():
            return "not a directory"
    except OSError as exc:  # a name too long, a permission problem
        return f"not usable ({exc.strerror or exc})"
    if dataset == "cifar10":
        missing = [] if (root / "test_batch").is_file() else ["test_batch"]
        if not cifar10_train_files(root):
            missing.append("data_batch_1..5 (at least one)")
        return f"missing {', '.join(missing)}" if missing else None
    if dataset == "cifar100":
        missing = [n for n in ("train", "test") if not (root / n).is_file()]
        return f"missing {', '.join(missing)}" if missing else None
    if dataset == "ImageNet16-120":
        missing = [] if (root / "val_data").is_file() else ["val_data"]
        if not imagenet16_train_files(root):
            missing.append("train_data_batch_1..10 (at least one)")
        return f"missing {', '.join(missing)}" if missing else None
    if dataset == "imagenet":
        missing = [] if (root / "train").is_dir() else ["train/"]
        if not ((root / "val").is_dir() or (root / "test").is_dir()):
            missing.append("val/ (or test/)")
        return f"missing {', '.join(missing)}" if missing else None
    raise DataError(f"no on-disk layout is known for dataset {dataset!r}")


# --------------------------------------------------------------------------- pickles
SAFE_PICKLE_GLOBALS = NUMPY_GLOBALS
"""The only classes/functions a CIFAR or ImageNet16 batch pickle may name: numpy arrays, dtypes
and scalars. Dicts, lists, strings, bytes and numbers need no global at all."""


class SafeUnpickler(RestrictedUnpickler):
    """An unpickler for data-set batches that refuses every global outside
    :data:`SAFE_PICKLE_GLOBALS`, so a crafted file cannot run code (``os.system``, ``eval``,
    ``subprocess`` ...): the attempt is a :class:`DataError` naming the file and the global.
    (:class:`dagfilter.safepickle.RestrictedUnpickler` with the data-set allow-list.)"""

    def __init__(self, fh: Any, path: Path) -> None:
        super().__init__(fh, path, SAFE_PICKLE_GLOBALS, "data file", "a data-set batch", DataError)


def _load_pickle(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            obj = SafeUnpickler(fh, path).load()
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"data file {str(path)!r} does not exist") from None
    except Exception as exc:  # truncated / not a pickle / wrong protocol
        raise DataError(f"data file {str(path)!r} is not a readable pickle: {exc}") from None
    if not isinstance(obj, dict):
        raise DataError(f"data file {str(path)!r} holds a {type(obj).__name__}, expected a dict")
    return obj


def _pixels(obj: dict, path: Path, side: int) -> np.ndarray:
    data = obj.get("data")
    if data is None:
        raise DataError(f"data file {str(path)!r} has no 'data' entry (keys: {sorted(obj)})")
    arr = np.asarray(data)
    width = 3 * side * side
    if arr.ndim != 2 or arr.shape[1] != width or arr.dtype != np.uint8:
        raise DataError(
            f"data file {str(path)!r}: 'data' is {arr.dtype} of shape {arr.shape}, "
            f"expected uint8 of shape (N, {width}) ({side}x{side} RGB, channel-major)"
        )
    return arr.reshape(-1, 3, side, side).transpose(0, 2, 3, 1)


def _labels(obj: dict, path: Path, key: str, n: int) -> np.ndarray:
    if key not in obj:
        raise DataError(f"data file {str(path)!r} has no {key!r} entry (keys: {sorted(obj)})")
    try:
        raw = np.asarray(obj[key])
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:  # ragged or hostile content
        raise DataError(f"data file {str(path)!r}: {key!r} is not a list of class indices ({str(exc)[:80]})") from None
    # integers only: strings ('3'), floats (3.7, nan) and objects are a malformed file, not labels to coerce
    if raw.dtype == object or not (np.issubdtype(raw.dtype, np.integer) or raw.size == 0):
        from ..errors import show

        first = raw.reshape(-1)[0].item() if raw.size and raw.dtype != object else (
            raw.reshape(-1)[0] if raw.size else None)
        raise DataError(f"data file {str(path)!r}: {key!r} must hold integer class indices, got {raw.dtype} "
                        f"values such as {show(first)}")
    if raw.dtype == np.uint64 and raw.size and raw.max() > np.iinfo(np.int64).max:
        raise DataError(f"data file {str(path)!r}: {key!r} holds class index {int(raw.max())}, far outside any class")
    labels = raw.astype(np.int64).reshape(-1)
    if labels.shape[0] != n:
        raise DataError(f"data file {str(path)!r}: {labels.shape[0]} labels for {n} images")
    return labels


def _root(root: Any) -> Path:
    if not isinstance(root, (str, os.PathLike)):
        raise DataError(f"a data directory must be a path, got {type(root).__name__}")
    return Path(root)


def read_cifar(root: Path, dataset: str, train: bool) -> ImageArrays:
    """Read the CIFAR-10 (``dataset='cifar10'``) or CIFAR-100 training or test split.

    Raises:
        DataError: a file is missing, unreadable or has the wrong shape.
    """
    root = _root(root)
    problem = layout_problem(dataset, root)
    if problem:
        raise DataError(f"{str(root)!r} is not a {dataset} python-pickle directory: {problem}")
    if dataset == "cifar10":
        files = cifar10_train_files(root) if train else [root / "test_batch"]
        key, num_classes, meta_name, names_key = "labels", 10, "batches.meta", "label_names"
    else:
        files = [root / ("train" if train else "test")]
        key, num_classes, meta_name, names_key = "fine_labels", 100, "meta", "fine_label_names"
    images, labels = [], []
    for path in files:
        obj = _load_pickle(path)
        pix = _pixels(obj, path, 32)
        images.append(pix)
        labels.append(_labels(obj, path, key, pix.shape[0]))
    lab = np.concatenate(labels)
    if lab.size and (lab.min() < 0 or lab.max() >= num_classes):
        raise DataError(f"{dataset} labels in {str(root)!r} span {lab.min()}..{lab.max()}, "
                        f"expected 0..{num_classes - 1}")
    classes = [str(i) for i in range(num_classes)]
    if (root / meta_name).is_file():
        names = _load_pickle(root / meta_name).get(names_key)
        if isinstance(names, list) and len(names) == num_classes:
            classes = [str(n) for n in names]
    return ImageArrays(np.ascontiguousarray(np.concatenate(images)), lab, classes, list(files))


def read_imagenet16(root: Path, train: bool, num_classes: int = 120) -> ImageArrays:
    """Read NAS-Bench-201's ImageNet16 training or validation pickles, keeping classes 1..num_classes.

    Labels are shifted to 0-based. Raises :class:`DataError` on missing/malformed files.
    """
    root = _root(root)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or not 1 <= num_classes <= 1000:
        raise DataError(f"num_classes must be an integer in 1..1000, got {num_classes!r}")
    problem = layout_problem("ImageNet16-120", root)
    if problem:
        raise DataError(f"{str(root)!r} is not an ImageNet16 pickle directory: {problem}")
    files = imagenet16_train_files(root) if train else [root / "val_data"]
    images, labels = [], []
    for path in files:
        obj = _load_pickle(path)
        pix = _pixels(obj, path, 16)
        lab = _labels(obj, path, "labels", pix.shape[0])
        if lab.size and (lab.min() < 1 or lab.max() > 1000):
            raise DataError(f"data file {str(path)!r}: labels span {lab.min()}..{lab.max()}, "
                            "expected 1-based labels in 1..1000")
        keep = lab <= num_classes
        images.append(pix[keep])
        labels.append(lab[keep] - 1)
    return ImageArrays(np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels),
                       [str(i) for i in range(num_classes)], list(files))


# --------------------------------------------------------------------------- image folders
def _class_dirs(split_dir: Path) -> list[str]:
    return sorted(p.name for p in split_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def scan_image_folder(root: Path, split_dir: str, classes: list[str] | None = None) -> ImageFiles:
    """List ``root/split_dir/<class>/<image>`` files.

    Args:
        root: dataset root.
        split_dir: sub-folder of the split (``train``, ``val``, ...).
        classes: class order to use (e.g. the training split's); default: sorted folder names.

    Raises:
        DataError: the folder is missing, has no class folders or no images, or has a class
            folder not in ``classes``.
    """
    base = Path(root) / split_dir
    if not base.is_dir():
        raise DataError(f"image folder {str(base)!r} does not exist "
                        "(expected root/<split>/<class_name>/<image files>)")
    found = _class_dirs(base)
    if not found:
        raise DataError(f"image folder {str(base)!r} has no class sub-folders "
                        "(expected root/<split>/<class_name>/<image files>)")
    classes = list(classes) if classes is not None else found
    index = {c: i for i, c in enumerate(classes)}
    unknown = [c for c in found if c not in index]
    if unknown:
        raise DataError(f"image folder {str(base)!r} has class folders not in the training "
                        f"split: {unknown[:5]}")
    paths: list[Path] = []
    labels: list[int] = []
    for name in found:
        for path in sorted((base / name).iterdir()):
            if path.suffix.lower() in IMAGE_EXTENSIONS and path.is_file():
                paths.append(path)
                labels.append(index[name])
    if not paths:
        raise DataError(f"image folder {str(base)!r} holds no images with extensions "
                        f"{', '.join(IMAGE_EXTENSIONS)}")
    return ImageFiles(paths, np.asarray(labels, dtype=np.int64), classes, base)
