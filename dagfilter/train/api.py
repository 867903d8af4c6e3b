"""One-call training of a cell: what ``dagfilter train`` runs."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Sequence

import torch

from ..errors import ConfigError
from .cells import cell_to_json, parse_cell_arg
from .models import cell_model_factory
from .protocols import TrainConfig, get_protocol
from .trainer import Callback, TrainResult, train


def train_cell(cell: Any, out: str | os.PathLike, protocol: str = "nb201", dataset: str | None = None,
               data_dir: str | os.PathLike | None = None, *, resume: bool = False,
               max_steps: int | None = None, checkpoint_every: int | None = None,
               device: str | torch.device | None = None, amp: bool | None = None,
               num_workers: int = 0, progress: bool = True, callbacks: Sequence[Callback] = (),
               **overrides: Any) -> TrainResult:
    """Train a NAS-Bench-201 cell or a DARTS genotype under a named protocol.

    Args:
        cell: NB201 arch string / index / Cell, DARTS genotype (object, NDS dict, JSON text or
            name like ``'DARTS_V2'``), or the path of a JSON file (its ``chosen_cell`` is used).
        out: run directory.
        protocol: ``nb201``, ``darts`` or ``darts-imagenet`` (see :mod:`dagfilter.train.protocols`).
        dataset: ``cifar10``, ``cifar100``, ``ImageNet16-120``, ``imagenet`` (default: the
            protocol's, CIFAR-10 / ImageNet).
        data_dir: data directory (default: from the environment).
        resume, max_steps, checkpoint_every, device, amp, num_workers, progress, callbacks:
            as in :func:`dagfilter.train.train`.
        **overrides: any :class:`TrainConfig` field, e.g. ``epochs=1, subset=500, channels=8``.

    Example:
        >>> train_cell("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        ...            "runs/best", protocol="nb201", dataset="cifar10", epochs=1, subset=512)  # doctest: +SKIP
    """
    space, arch = parse_cell_arg(cell)
    config = get_protocol(protocol, dataset, **overrides)
    if space != config.space:
        raise ConfigError(f"the cell is a {space} architecture but protocol {config.protocol!r} "
                          f"trains {config.space} networks; pick protocol {space!r}")
    return train(config, out, cell_model_factory(space, arch), data_dir=data_dir,
                 cell_json=cell_to_json(arch), resume=resume, max_steps=max_steps,
                 checkpoint_every=checkpoint_every, device=device, amp=amp,
                 num_workers=num_workers, progress=progress, callbacks=callbacks)


def load_run_config(run_dir: str | os.PathLike) -> tuple[TrainConfig, Any, str | None]:
    """``(config, cell_json, data_dir)`` recorded in ``run_dir/config.json``."""
    path = Path(run_dir) / "config.json"
    if not path.is_file():
        raise ConfigError(f"{str(run_dir)!r} is not a training run directory (no config.json)")
    try:
        rec = json.loads(path.read_text())
        return TrainConfig.from_dict(rec["config"]), rec.get("cell"), rec.get("data", {}).get("data_dir")
    except (json.JSONDecodeError, KeyError, TypeError, RecursionError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{str(path)!r} is not a valid run config: {exc}") from None


def resume_run(run_dir: str | os.PathLike, data_dir: str | os.PathLike | None = None, **run_kwargs: Any) -> TrainResult:
    """Continue the run in ``run_dir`` with the config and cell recorded there.

    ``data_dir`` defaults to the recorded one; ``run_kwargs`` are :func:`train`'s run
    controls (``max_steps``, ``device``, ``amp``, ``num_workers``, ``progress``, ``callbacks``,
    ``checkpoint_every``).
    """
    config, cell_json, recorded_dir = load_run_config(run_dir)
    if cell_json is None:
        raise ConfigError(f"run {str(run_dir)!r} was trained with a custom model factory; "
                          "call dagfilter.train.train(..., resume=True) with that factory")
    space, arch = parse_cell_arg(cell_json if isinstance(cell_json, str) else json.dumps(cell_json))
    return train(config, run_dir, cell_model_factory(space, arch),
                 data_dir=data_dir if data_dir is not None else recorded_dir,
                 cell_json=cell_json, resume=True, **run_kwargs)
