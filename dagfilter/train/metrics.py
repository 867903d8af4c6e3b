"""Per-batch accuracy counts and the per-epoch metrics log (CSV + JSON)."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any, Sequence

import torch

from .checkpoint import atomic_write_json, atomic_write_text

METRIC_FIELDS = ("epoch", "steps", "lr", "train_loss", "train_top1", "train_top5",
                 "test_loss", "test_top1", "test_top5", "epoch_time_s", "train_images_per_s")


def topk_correct(logits: torch.Tensor, labels: torch.Tensor, ks: Sequence[int] = (1, 5)) -> list[int]:
    """Number of samples whose label is among the top-``k`` logits, for each ``k``.

    ``k`` larger than the number of classes counts every sample as correct.
    """
    maxk = min(max(ks), logits.shape[1])
    top = logits.topk(maxk, dim=1).indices
    hit = top.eq(labels.view(-1, 1))
    return [int(hit[:, :min(k, maxk)].any(dim=1).sum().item()) for k in ks]


def write_metrics(run_dir: str | os.PathLike, history: list[dict[str, Any]]) -> None:
    """Write ``metrics.csv`` and ``metrics.json`` (one row per finished epoch) atomically."""
    run_dir = Path(run_dir)
    atomic_write_json(run_dir / "metrics.json", history)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(METRIC_FIELDS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow(row)
    atomic_write_text(run_dir / "metrics.csv", buf.getvalue())
