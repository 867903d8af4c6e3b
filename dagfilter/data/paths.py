"""Find a dataset's directory on disk.

Where a dataset is looked for, in order (the first source that is *given* is used; it must
then hold the dataset, there is no silent fall-through to the next source):

1. the ``data_dir`` argument (``--data-dir`` on the command line);
2. the per-dataset environment variable: ``DAGFILTER_CIFAR10_DIR``, ``DAGFILTER_CIFAR100_DIR``,
   ``DAGFILTER_IMAGENET16_DIR``, ``DAGFILTER_IMAGENET_DIR``;
3. ``DAGFILTER_DATA_DIR``, a parent folder with one sub-folder per dataset.

A given directory may be the layout folder itself (the one holding ``data_batch_1``), or any
folder above it through the usual names, e.g. ``/data``, ``/data/cifar10`` and
``/data/cifar10/cifar-10-batches-py`` all resolve for CIFAR-10.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from ..errors import DataError
from .readers import layout_problem
from .specs import DATA_DIR_ENV, DatasetSpec, dataset_spec

_EXPECTED = {
    "cifar10": "cifar-10-batches-py/ with test_batch and data_batch_1..5 (any of them; python-pickle CIFAR-10)",
    "cifar100": "cifar-100-python/ with train and test (python-pickle CIFAR-100)",
    "ImageNet16-120": "a folder with train_data_batch_1..10 and val_data (NAS-Bench-201 ImageNet16 pickles)",
    "imagenet": "a folder with train/<class>/*.jpg and val/<class>/*.jpg (ImageFolder layout)",
}


def _candidates(spec: DatasetSpec, base: Path) -> list[Path]:
    out = [base]
    for sub in spec.subdirs:
        out.append(base / sub)
        for inner in spec.subdirs:
            out.append(base / sub / inner)
    seen: list[Path] = []
    for p in out:
        if p not in seen:
            seen.append(p)
    return seen


def resolve_data_dir(dataset: str, data_dir: str | os.PathLike | None = None,
                     environ: Mapping[str, str] | None = None) -> Path:
    """Return the directory holding ``dataset``'s files (see the module docstring for the search).

    Args:
        dataset: dataset name (``cifar10``, ``cifar100``, ``ImageNet16-120``, ``imagenet``).
        data_dir: explicit directory; overrides the environment.
        environ: environment mapping to read (default ``os.environ``).

    Raises:
        ConfigError: unknown dataset.
        DataError: no directory given anywhere, or the given one does not hold the dataset;
            the message names the expected files and every folder that was checked.
    """
    spec = dataset_spec(dataset)
    env = os.environ if environ is None else environ
    if data_dir is not None and str(data_dir) != "":
        source, base = "data_dir argument", Path(data_dir)
    elif env.get(spec.env_var):
        source, base = f"${spec.env_var}", Path(env[spec.env_var])
    elif env.get(DATA_DIR_ENV):
        source, base = f"${DATA_DIR_ENV}", Path(env[DATA_DIR_ENV])
    else:
        raise DataError(
            f"no data directory for {spec.name}: pass data_dir (--data-dir) or set "
            f"${spec.env_var} or ${DATA_DIR_ENV}; expected {_EXPECTED[spec.name]}"
        )
    base = base.expanduser()
    if not base.exists():
        raise DataError(f"{spec.name} data directory {str(base)!r} (from {source}) does not exist; "
                        f"expected {_EXPECTED[spec.name]}")
    checked = []
    for cand in _candidates(spec, base):
        if not cand.is_dir():
            continue
        problem = layout_problem(spec.name, cand)
        if problem is None:
            return cand.resolve()
        checked.append(f"{cand} ({problem})")
    raise DataError(
        f"no {spec.name} data found under {str(base)!r} (from {source}); expected "
        f"{_EXPECTED[spec.name]}. Checked: " + "; ".join(checked)
    )
