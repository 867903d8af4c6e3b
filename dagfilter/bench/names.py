"""Data-set, split and metric names, exactly as ``nats_bench`` spells them.

NAS-Bench-201 / NATS-Bench train every cell on four "data sets":

=================  ================================  ===============================
data set           trained on                        splits you can ask for
=================  ================================  ===============================
``cifar10-valid``  CIFAR-10 train (25k)              ``train``, ``x-valid``, ``ori-test``
``cifar10``        CIFAR-10 train + valid (50k)      ``train``, ``ori-test``
``cifar100``       CIFAR-100 train                   ``train``, ``x-valid``, ``x-test``, ``ori-test``
``ImageNet16-120`` ImageNet16-120 train              ``train``, ``x-valid``, ``x-test``, ``ori-test``
=================  ================================  ===============================

A metric may be given as a split name (``"x-valid"``) or as a ``get_more_info`` key
(``"valid-accuracy"``, ``"test-accuracy"``, ``"valtest-accuracy"``, ``"train-accuracy"``);
``test-accuracy`` means ``ori-test`` on the CIFAR-10 data sets and ``x-test`` elsewhere, as in
``nats_bench``. The short forms ``"valid"`` / ``"test"`` of ``find_best`` are remapped the way
``nats_bench.api_utils.remap_dataset_set_names`` does (``cifar10`` + ``valid`` becomes
``cifar10-valid`` + ``x-valid``).
"""
from __future__ import annotations

from typing import NamedTuple

from ..errors import BenchmarkError

NB201_DATASETS: tuple[str, ...] = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
SPLITS: dict[str, tuple[str, ...]] = {
    "cifar10-valid": ("train", "x-valid", "ori-test"),
    "cifar10": ("train", "ori-test"),
    "cifar100": ("train", "x-valid", "x-test", "ori-test"),
    "ImageNet16-120": ("train", "x-valid", "x-test", "ori-test"),
}
TRIALS = ("mean", "single", "unspecified")
"""How a figure aggregates training runs: mean over seeds, one seed, or not stated by its source."""

COST_HEAD: dict[str, str] = {"cifar10-valid": "cifar10", "cifar10": "cifar10", "cifar100": "cifar100",
                             "ImageNet16-120": "ImageNet16-120"}
"""Which classifier head (hence params / FLOPs) a data set uses."""


class FigureSpec(NamedTuple):
    """What one stored accuracy column holds."""

    dataset: str
    split: str
    hp: int
    trials: str


def check_dataset(dataset: object, known: "tuple[str, ...] | list[str]" = NB201_DATASETS) -> str:
    """Return ``dataset`` if it is one of ``known``; else a BenchmarkError with a suggestion."""
    if isinstance(dataset, str) and dataset in known:
        return dataset
    hint = ""
    if isinstance(dataset, str):
        close = [k for k in known if k.lower().replace("_", "-") == dataset.lower().replace("_", "-")]
        if close:
            hint = f" (did you mean {close[0]!r}? names are case-sensitive, as in nats_bench)"
    raise BenchmarkError(f"unknown data set {dataset!r}{hint}; known: {', '.join(known)}")


def check_hp(hp: object) -> int:
    """Normalize the training-schedule tag (``200``, ``"200"``, ``12``, ...) to an int."""
    if isinstance(hp, bool):
        raise BenchmarkError(f"hp must be the number of training epochs (e.g. 200 or 12), got {hp!r}")
    try:
        value = int(hp)  # type: ignore[arg-type]
        if isinstance(hp, float) and hp != value:
            raise ValueError
    except (TypeError, ValueError):
        raise BenchmarkError(f"hp must be the number of training epochs (e.g. 200 or 12), got {hp!r}") from None
    if value <= 0:
        raise BenchmarkError(f"hp must be a positive number of epochs, got {hp!r}")
    return value


def metric_to_split(dataset: str, metric: str, splits: "dict[str, tuple[str, ...]]" = SPLITS) -> str:
    """The split a metric name refers to on ``dataset`` (no data-set remapping)."""
    known = splits[dataset]
    if not isinstance(metric, str):
        raise BenchmarkError(f"metric must be a string such as 'test-accuracy' or 'x-valid', got {metric!r}")
    if metric in known:
        return metric
    name = metric[: -len("-accuracy")] if metric.endswith("-accuracy") else metric
    cifar10_like = dataset in ("cifar10", "cifar10-valid")
    table = {"train": "train", "valid": "x-valid", "test": "ori-test" if cifar10_like else "x-test",
             "valtest": "ori-test"}
    split = table.get(name)
    if metric.endswith("-loss") or metric.endswith("-time"):
        raise BenchmarkError(f"metric {metric!r}: the compact tables hold accuracies only; losses and times are in "
                             "the official NATS-Bench files (dagfilter.bench.from_nats(PATH) or bench.create(PATH))")
    if split is None:
        raise BenchmarkError(
            f"unknown metric {metric!r}; use a split of {dataset!r} ({', '.join(known)}) or one of "
            "'train-accuracy', 'valid-accuracy', 'test-accuracy', 'valtest-accuracy'")
    if split not in known:
        hint = ""
        if dataset == "cifar10" and split == "x-valid":
            hint = " (cifar10 is trained on train+valid and has no validation split; use dataset='cifar10-valid')"
        if dataset == "cifar10-valid" and name == "valtest":
            hint = " (cifar10-valid has no valid+test split; 'test-accuracy' is its ori-test)"
        raise BenchmarkError(f"metric {metric!r} does not exist for data set {dataset!r}{hint}; "
                             f"its splits are {', '.join(known)}")
    return split


def remap_for_find_best(dataset: str, metric_on_set: str) -> tuple[str, str]:
    """``nats_bench``'s remapping of the short ``valid`` / ``test`` forms used by ``find_best``.

    Also, since ``cifar10`` (trained on train+valid) has no validation split, any validation
    metric on ``cifar10`` (``x-valid``, ``valid-accuracy``) is answered from ``cifar10-valid``,
    as ``nats_bench`` does for ``valid``; the result names the data set it came from.
    """
    if dataset == "cifar10" and metric_on_set in ("valid", "x-valid", "valid-accuracy"):
        return "cifar10-valid", "x-valid"
    if dataset == "cifar10" and metric_on_set == "test":
        return "cifar10", "ori-test"
    if dataset in ("cifar100", "ImageNet16-120") and metric_on_set == "valid":
        return dataset, "x-valid"
    if dataset in ("cifar100", "ImageNet16-120") and metric_on_set == "test":
        return dataset, "x-test"
    return dataset, metric_on_set


__all__ = ["NB201_DATASETS", "SPLITS", "TRIALS", "COST_HEAD", "FigureSpec", "check_dataset", "check_hp",
           "metric_to_split", "remap_for_find_best"]
