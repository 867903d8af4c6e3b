"""Training protocols as small config dataclasses, with the published presets.

* ``nb201`` - NAS-Bench-201's schedule (Dong & Yang, ICLR 2020): SGD with Nesterov momentum
  0.9, lr 0.1 with per-iteration cosine decay to 0, weight decay 5e-4, batch 256, 200 epochs,
  random crop + flip; the network has C=16 channels and N=5 cells per stage.
* ``darts`` - the DARTS/NDS CIFAR evaluation: 36 channels, 20 cells, 600 epochs, cutout 16,
  auxiliary tower weight 0.4, drop-path 0.2 (ramped linearly over the epochs), lr 0.025 with
  per-epoch cosine decay, momentum 0.9, weight decay 3e-4, batch 96, gradient clipping 5.
* ``darts-imagenet`` - the ImageNet setting of the effective depth/width paper (§5.3): 250
  epochs, lr 0.5 with cosine decay, momentum 0.9, weight decay 3e-5, batch 768, label
  smoothing 0.1; the mobile DARTS network (48 channels, 14 cells, auxiliary 0.4, no
  drop-path), random-resized-crop + flip + colour jitter 0.4, and a 5-epoch linear warm-up
  (common practice at batch 768; set ``warmup_epochs=0`` to drop it).

:func:`get_protocol` returns a preset with overrides applied; ``darts`` on ``imagenet`` picks
``darts-imagenet``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any, Mapping

from ..errors import ConfigError
from ..data.specs import dataset_spec


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run's result (besides the cell and the data files).

    Attributes:
        protocol: preset name this config started from.
        space: network family, ``nb201`` or ``darts``.
        dataset: ``cifar10``, ``cifar100``, ``ImageNet16-120`` or ``imagenet``.
        epochs: training epochs.
        batch_size: training batch size.
        lr: peak learning rate.
        lr_min: final learning rate of the cosine decay.
        lr_schedule_unit: ``step`` (cosine updated every iteration) or ``epoch``.
        warmup_epochs: linear warm-up epochs before the cosine decay.
        momentum: SGD momentum.
        nesterov: Nesterov momentum.
        weight_decay: L2 weight decay (on every parameter, as in both reference codes).
        grad_clip: max gradient norm, or ``None``.
        label_smoothing: cross-entropy label smoothing.
        channels: network width (``C``).
        layers: NB201: cells per stage (``N``); DARTS: total cells.
        auxiliary_weight: weight of the auxiliary-head loss (0: no auxiliary head).
        drop_path_prob: final drop-path probability (ramped linearly from 0 over the epochs).
        cutout: cutout side in pixels (0: none).
        color_jitter: ImageNet colour-jitter strength (0: none).
        subset: train on a seeded subset of this many images (``None``: all).
        test_subset: evaluate on a seeded subset of this many images (``None``: all).
        train_split: split to train on.
        test_split: split to evaluate on.
        eval_batch_size: evaluation batch size (``None``: ``batch_size``).
        seed: seeds weights init, data order, augmentation and drop-path.
    """

    protocol: str
    space: str
    dataset: str
    epochs: int
    batch_size: int
    lr: float
    lr_min: float = 0.0
    lr_schedule_unit: str = "step"
    warmup_epochs: int = 0
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    grad_clip: float | None = None
    label_smoothing: float = 0.0
    channels: int = 16
    layers: int = 5
    auxiliary_weight: float = 0.0
    drop_path_prob: float = 0.0
    cutout: int = 0
    color_jitter: float = 0.0
    subset: int | None = None
    test_subset: int | None = None
    train_split: str = "train"
    test_split: str = "test"
    eval_batch_size: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        spec = dataset_spec(self.dataset)
        object.__setattr__(self, "dataset", spec.name)
        if self.space not in ("nb201", "darts"):
            raise ConfigError(f"space must be 'nb201' or 'darts', got {self.space!r}")
        for name in ("epochs", "batch_size", "channels", "layers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        for name in ("subset", "test_subset", "eval_batch_size"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ConfigError(f"{name} must be a positive integer or None, got {value!r}")
        for name in ("lr", "lr_min", "momentum", "weight_decay", "label_smoothing",
                     "auxiliary_weight", "drop_path_prob", "color_jitter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"{name} must be a non-negative number, got {value!r}")
        if self.lr <= 0:
            raise ConfigError(f"lr must be positive, got {self.lr!r}")
        if self.lr_schedule_unit not in ("step", "epoch"):
            raise ConfigError(f"lr_schedule_unit must be 'step' or 'epoch', got {self.lr_schedule_unit!r}")
        if isinstance(self.warmup_epochs, bool) or not isinstance(self.warmup_epochs, int) \
                or self.warmup_epochs < 0:
            raise ConfigError(f"warmup_epochs must be a non-negative integer, got {self.warmup_epochs!r}")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ConfigError(f"grad_clip must be positive or None, got {self.grad_clip!r}")
        if not 0 <= self.drop_path_prob < 1:
            raise ConfigError(f"drop_path_prob must be in [0, 1), got {self.drop_path_prob!r}")
        if not 0 <= self.label_smoothing < 1:
            raise ConfigError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")
        if isinstance(self.cutout, bool) or not isinstance(self.cutout, int) or self.cutout < 0:
            raise ConfigError(f"cutout must be a non-negative integer, got {self.cutout!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, got {self.seed!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict that :meth:`from_dict` reads back."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TrainConfig":
        """Build a config from :meth:`to_dict` output; unknown keys are a :class:`ConfigError`."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown training config field(s) {unknown}; known: {sorted(known)}")
        return cls(**dict(data))

    def replace(self, **overrides: Any) -> "TrainConfig":
        """A copy with ``overrides`` applied (validated; unknown names are a ConfigError)."""
        return self.from_dict({**self.to_dict(), **overrides})


PRESETS: dict[str, dict[str, Any]] = {
    "nb201": dict(space="nb201", dataset="cifar10", epochs=200, batch_size=256, lr=0.1, lr_min=0.0,
                  lr_schedule_unit="step", momentum=0.9, nesterov=True, weight_decay=5e-4,
                  channels=16, layers=5),
    "darts": dict(space="darts", dataset="cifar10", epochs=600, batch_size=96, lr=0.025, lr_min=0.0,
                  lr_schedule_unit="epoch", momentum=0.9, nesterov=False, weight_decay=3e-4,
                  grad_clip=5.0, channels=36, layers=20, auxiliary_weight=0.4, drop_path_prob=0.2,
                  cutout=16),
    "darts-imagenet": dict(space="darts", dataset="imagenet", epochs=250, batch_size=768, lr=0.5,
                           lr_min=0.0, lr_schedule_unit="step", warmup_epochs=5, momentum=0.9,
                           nesterov=False, weight_decay=3e-5, grad_clip=5.0, label_smoothing=0.1,
                           channels=48, layers=14, auxiliary_weight=0.4, drop_path_prob=0.0,
                           color_jitter=0.4),
}


def config_field_types() -> dict[str, Any]:
    """Field name -> annotation string of :class:`TrainConfig` (for CLI parsing)."""
    return {f.name: f.type for f in fields(TrainConfig)}


def get_protocol(name: str, dataset: str | None = None, **overrides: Any) -> TrainConfig:
    """The preset ``name`` (``nb201``, ``darts``, ``darts-imagenet``) for ``dataset``, with overrides.

    ``darts`` with ``dataset='imagenet'`` resolves to ``darts-imagenet``; ``darts-imagenet``
    only trains on ``imagenet``.

    Raises:
        ConfigError: unknown protocol, unknown field, invalid value or dataset mismatch.
    """
    key = str(name).strip().lower().replace("_", "-")
    if key not in PRESETS:
        raise ConfigError(f"unknown protocol {name!r}; choose from {', '.join(PRESETS)}")
    if dataset is not None:
        dataset = dataset_spec(dataset).name
        if key == "darts" and dataset == "imagenet":
            key = "darts-imagenet"
        elif key == "darts-imagenet" and dataset != "imagenet":
            raise ConfigError(f"protocol 'darts-imagenet' trains on imagenet, not {dataset!r}; "
                              "use --protocol darts")
    base = dict(PRESETS[key], protocol=key)
    if dataset is not None:
        base["dataset"] = dataset
    for k in ("protocol",):
        if k in overrides:
            raise ConfigError(f"{k!r} cannot be overridden; pick another protocol name instead")
    return TrainConfig.from_dict({**base, **overrides})
