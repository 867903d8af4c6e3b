"""Learning-rate schedule: optional linear warm-up, then cosine decay (pure functions)."""
from __future__ import annotations

import math

from .protocols import TrainConfig


def lr_at(config: TrainConfig, epoch: int, step: int, steps_per_epoch: int) -> float:
    """Learning rate for step ``step`` (0-based) of epoch ``epoch`` (0-based).

    With ``lr_schedule_unit='epoch'`` the rate is constant within an epoch and equals
    ``lr_min + (lr - lr_min) * (1 + cos(pi * epoch / epochs)) / 2`` (PyTorch's
    ``CosineAnnealingLR`` with ``T_max=epochs``, as DARTS uses); with ``'step'`` the epoch is
    fractional, ``epoch + step / steps_per_epoch`` (NAS-Bench-201's per-iteration update).
    During ``warmup_epochs`` the rate rises linearly to ``lr``, reaching it when warm-up ends;
    the cosine then spans the remaining epochs.
    """
    spe = max(int(steps_per_epoch), 1)
    t = float(epoch) if config.lr_schedule_unit == "epoch" else epoch + step / spe
    warm = config.warmup_epochs
    if warm > 0 and t < warm:
        done = (epoch + 1) if config.lr_schedule_unit == "epoch" else (epoch * spe + step + 1) / spe
        return config.lr * min(done / warm, 1.0)
    span = config.epochs - warm
    if span <= 0:
        return config.lr
    progress = min(max((t - warm) / span, 0.0), 1.0)
    return config.lr_min + (config.lr - config.lr_min) * 0.5 * (1.0 + math.cos(math.pi * progress))
