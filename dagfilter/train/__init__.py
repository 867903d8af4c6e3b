"""Train final candidates under the NAS-Bench-201 or DARTS protocols (``dagfilter train``)."""
from __future__ import annotations

from .api import load_run_config, resume_run, train_cell
from .cells import cell_to_json, parse_cell_arg
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .models import ModelFactory, build_model, cell_model_factory
from .protocols import PRESETS, TrainConfig, get_protocol
from .schedule import lr_at
from .trainer import TrainResult, evaluate, resolve_device, train

__all__ = [
    "TrainConfig", "PRESETS", "get_protocol", "lr_at", "train", "train_cell", "resume_run",
    "load_run_config", "TrainResult", "evaluate", "resolve_device", "ModelFactory", "build_model",
    "cell_model_factory", "parse_cell_arg", "cell_to_json", "CheckpointError", "load_checkpoint",
    "save_checkpoint",
]
