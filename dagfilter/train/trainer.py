"""The training loop: seeded, resumable bit-for-bit on the same machine (float kernels differ between
CPUs and thread counts, so another machine continues within float rounding), checkpointed crash-safely.

Run directory layout (``run_dir``):

* ``config.json`` - everything that made the run: the :class:`TrainConfig`, the cell, the
  data directory and what was found there, device/AMP settings, library versions;
* ``checkpoint.pt`` - the latest checkpoint (see :mod:`dagfilter.train.checkpoint`), written
  after every epoch, every ``checkpoint_every`` steps, when ``max_steps`` is reached and on
  interrupt;
* ``metrics.csv`` / ``metrics.json`` - one row per finished epoch;
* ``result.json`` - status and final metrics; ``model.pt`` - final weights (completed runs).

Resume semantics: a checkpoint records the position *inside* the epoch (steps done and the
running loss/accuracy sums), the model, optimizer, AMP-scaler and RNG states. The data order
and augmentation are pure functions of ``(seed, epoch, position)``, so a resumed run replays
exactly the batches an uninterrupted one would see: on CPU the weights and metrics are
identical (``torch.equal``). Ctrl-C is deferred to the end of the current step (a second Ctrl-C
aborts at once; the checkpoint is then written only if the state is consistent).
"""
from __future__ import annotations

import math
import os
import platform
import signal
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import torch
from torch import nn
from tqdm import tqdm

from .. import __version__
from ..data.datasets import build_dataset
from ..data.loaders import make_loader
from ..data.specs import dataset_spec
from ..errors import ConfigError
from .checkpoint import atomic_write_json, load_checkpoint, save_checkpoint
from .metrics import topk_correct, write_metrics
from .models import ModelFactory
from .protocols import TrainConfig
from .schedule import lr_at

CHECKPOINT = "checkpoint.pt"

#: ``callback(event, info)``; events: ``"step"`` (after every finished step) and ``"epoch"``
#: (after every finished epoch). Raising ``KeyboardInterrupt`` in a callback stops the run
#: with a checkpoint at that point.
Callback = Callable[[str, dict], None]


@dataclass
class TrainResult:
    """Outcome of :func:`train`.

    Attributes:
        run_dir: the run directory.
        status: ``completed`` or ``stopped`` (``max_steps`` reached).
        epochs_done: finished epochs.
        global_step: optimizer steps done in total.
        history: per-epoch metric rows.
        model: the trained model (on its training device).
    """

    run_dir: Path
    status: str
    epochs_done: int
    global_step: int
    history: list[dict[str, Any]]
    model: nn.Module = field(repr=False)

    @property
    def final(self) -> dict[str, Any] | None:
        """The last epoch's metrics row, if any epoch finished."""
        return self.history[-1] if self.history else None


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None``/``'auto'`` -> CUDA when available, else CPU; otherwise the named device."""
    if device is None or str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ConfigError(f"unknown device {device!r}: {exc}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} requested but CUDA is not available")
    return dev


class _StopFlag:
    """Deferred Ctrl-C: the first SIGINT sets a flag, the second raises at once."""

    def __init__(self) -> None:
        self.requested = False

    @contextmanager
    def installed(self) -> Iterator["_StopFlag"]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return

        def handler(signum: int, frame: Any) -> None:
            if self.requested:
                raise KeyboardInterrupt
            self.requested = True
            print("\ninterrupt: stopping after this step (Ctrl-C again to abort now)", file=sys.stderr)

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


def _split_output(out: Any) -> tuple[torch.Tensor, torch.Tensor | None]:
    if isinstance(out, (tuple, list)):
        return out[0], (out[1] if len(out) > 1 else None)
    return out, None


def _rng_state(device: torch.device, gen: torch.Generator | None) -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    if gen is not None:
        state["drop_path"] = gen.get_state()
    return state


def _set_rng_state(state: dict[str, Any], device: torch.device, gen: torch.Generator | None) -> None:
    torch.set_rng_state(state["torch"].cpu())
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"].cpu(), device)
    if gen is not None and "drop_path" in state:
        gen.set_state(state["drop_path"].cpu())


def _empty_acc() -> dict[str, float]:
    return {"loss_sum": 0.0, "top1": 0, "top5": 0, "seen": 0, "time": 0.0}


def evaluate(model: nn.Module, loader: torch.utils.data.DataLoader, device: torch.device,
             amp_dtype: torch.dtype | None = None, progress: bool = False) -> dict[str, float]:
    """Cross-entropy loss and top-1/top-5 accuracy (percent) of ``model`` on ``loader``."""
    model.eval()
    crit = nn.CrossEntropyLoss(reduction="sum")
    loss_sum, c1, c5, n = 0.0, 0, 0, 0
    ctx = torch.autocast(device.type, dtype=amp_dtype) if amp_dtype is not None else nullcontext()
    with torch.no_grad():
        for x, y in tqdm(loader, desc="eval", leave=False, file=sys.stderr, disable=not progress):
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with ctx:
                logits, _ = _split_output(model(x))
            logits = logits.float()
            loss_sum += float(crit(logits, y).item())
            a, b = topk_correct(logits, y, (1, 5))
            c1, c5, n = c1 + a, c5 + b, n + y.shape[0]
    n = max(n, 1)
    return {"loss": loss_sum / n, "top1": 100.0 * c1 / n, "top5": 100.0 * c5 / n}


def _config_mismatch(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    keys = sorted(set(saved) | set(current))
    return [f"{k}: checkpoint {saved.get(k)!r} vs now {current.get(k)!r}"
            for k in keys if saved.get(k) != current.get(k)]


def train(config: TrainConfig, run_dir: str | os.PathLike, model_factory: ModelFactory, *,
          data_dir: str | os.PathLike | None = None, cell_json: Any = None, resume: bool = False,
          max_steps: int | None = None, checkpoint_every: int | None = None,
          device: str | torch.device | None = None, amp: bool | None = None, num_workers: int = 0,
          progress: bool = True, callbacks: Sequence[Callback] = ()) -> TrainResult:
    """Train the network made by ``model_factory`` under ``config``; results go to ``run_dir``.

    Args:
        config: the protocol (hyper-parameters, dataset, subsets, seed).
        run_dir: output directory (created).
        model_factory: ``factory(config, num_classes) -> nn.Module``; called right after
            ``torch.manual_seed(config.seed)`` so initial weights are seeded.
        data_dir: data directory (``None``: from the environment, see ``resolve_data_dir``).
        cell_json: JSON form of the trained cell, recorded in ``config.json`` and checked on resume.
        resume: continue from ``run_dir/checkpoint.pt`` if it exists (otherwise start fresh).
            Without ``resume`` an existing checkpoint is a ConfigError (nothing is overwritten).
        max_steps: stop (with a checkpoint, status ``stopped``) once this many optimizer
            steps were done in total (counting steps before a resume).
        checkpoint_every: also checkpoint every this many steps inside an epoch.
        device: ``None``/``'auto'``, ``'cpu'``, ``'cuda'``, ``'cuda:1'``...
        amp: mixed precision (default: on for CUDA, bfloat16 where supported, else float16
            with a gradient scaler; never on CPU).
        num_workers: data-loader workers (results do not depend on it).
        progress: show tqdm bars on stderr.
        callbacks: called as ``cb(event, info)`` after each step / epoch.

    Returns:
        A :class:`TrainResult`.

    Raises:
        ConfigError: inconsistent settings, a resume with a different config or cell.
        DataError: missing data; CheckpointError: a corrupt checkpoint.
        KeyboardInterrupt: after Ctrl-C or a callback's interrupt, once the checkpoint is saved.
    """
    if not isinstance(config, TrainConfig):
        raise ConfigError(f"config must be a TrainConfig, got {type(config).__name__}")
    for name, value in (("max_steps", max_steps), ("checkpoint_every", checkpoint_every)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ConfigError(f"{name} must be a non-negative integer or None, got {value!r}")
    run_dir = Path(run_dir)
    ckpt_path = run_dir / CHECKPOINT
    if ckpt_path.exists() and not resume:
        raise ConfigError(f"run directory {str(run_dir)!r} already holds a checkpoint; pass "
                          "resume=True (--resume) to continue it or choose another directory")
    dev = resolve_device(device)
    use_amp = (dev.type == "cuda") if amp is None else bool(amp)
    if use_amp and dev.type != "cuda":
        raise ConfigError("mixed precision (amp) needs a CUDA device")
    amp_dtype = None
    if use_amp:
        amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 else None

    spec = dataset_spec(config.dataset)
    train_ds = build_dataset(config.dataset, data_dir, config.train_split, True, config.cutout,
                             config.subset, config.seed, config.color_jitter)
    test_ds = build_dataset(config.dataset, data_dir, config.test_split, False, 0,
                            config.test_subset, config.seed)
    pin = dev.type == "cuda"
    bs = config.batch_size
    # a final batch of one image breaks BatchNorm on 1x1 maps (auxiliary heads): drop it
    train_loader = make_loader(train_ds, bs, True, config.seed, num_workers, pin,
                               drop_last=len(train_ds) % bs == 1)
    test_loader = make_loader(test_ds, config.eval_batch_size or bs, False, config.seed, num_workers, pin)
    steps_per_epoch = len(train_loader)

    torch.manual_seed(config.seed)
    model = model_factory(config, spec.num_classes).to(dev)
    dp_gen = None
    if hasattr(model, "drop_path_generator"):
        dp_gen = torch.Generator(device=dev).manual_seed(config.seed)
        model.drop_path_generator = dp_gen
    n_params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                                nesterov=config.nesterov and config.momentum > 0,
                                weight_decay=config.weight_decay)
    criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)

    epoch, step_in_epoch, global_step = 0, 0, 0
    acc = _empty_acc()
    history: list[dict[str, Any]] = []
    if resume and ckpt_path.exists():
        state = load_checkpoint(ckpt_path, map_location="cpu")
        diff = _config_mismatch(state["config"], config.to_dict())
        if diff:
            raise ConfigError(f"cannot resume {str(run_dir)!r} with a different config: " + "; ".join(diff))
        if cell_json is not None and state.get("cell") is not None and state["cell"] != cell_json:
            raise ConfigError(f"cannot resume {str(run_dir)!r}: it trains cell {state['cell']!r}, "
                              f"not {cell_json!r}")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scaler is not None and state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
        epoch, step_in_epoch, global_step = state["epoch"], state["step_in_epoch"], state["global_step"]
        acc = dict(state["acc"])
        history = list(state["history"])
        _set_rng_state(state["rng"], dev, dp_gen)
        if progress:
            print(f"resuming {run_dir} at epoch {epoch + 1}, step {step_in_epoch}/{steps_per_epoch} "
                  f"(global step {global_step})", file=sys.stderr)

    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_json(run_dir / "config.json", {
        "config": config.to_dict(),
        "cell": cell_json,
        "data": {"dataset": config.dataset, "data_dir": None if data_dir is None else str(data_dir),
                 "train": train_ds.info, "test": test_ds.info, "steps_per_epoch": steps_per_epoch},
        "run": {"device": str(dev), "amp": str(amp_dtype).replace("torch.", "") if amp_dtype else None,
                "num_workers": num_workers, "max_steps": max_steps, "checkpoint_every": checkpoint_every},
        "model": {"class": type(model).__name__, "params": n_params},
        "versions": {"dagfilter": __version__, "torch": torch.__version__,
                     "python": platform.python_version()},
    })
    if progress:
        print(train_ds.info, file=sys.stderr)
        print(test_ds.info, file=sys.stderr)

    def checkpoint() -> None:
        save_checkpoint(ckpt_path, {
            "config": config.to_dict(), "cell": cell_json, "epoch": epoch,
            "step_in_epoch": step_in_epoch, "global_step": global_step, "acc": dict(acc),
            "history": history, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scaler": scaler.state_dict() if scaler is not None else None,
            "rng": _rng_state(dev, dp_gen),
        })

    def finish(status: str) -> TrainResult:
        best = max((row["test_top1"] for row in history), default=None)
        atomic_write_json(run_dir / "result.json", {
            "status": status, "epochs_done": len(history), "global_step": global_step,
            "final": history[-1] if history else None, "best_test_top1": best,
            "params": n_params,
        })
        if status == "completed":
            save_checkpoint(run_dir / "model.pt", {"model": model.state_dict(), "config": config.to_dict(),
                                                   "cell": cell_json})
        return TrainResult(run_dir, status, len(history), global_step, history, model)

    consistent = True
    stop = _StopFlag()
    try:
        with stop.installed():
            while epoch < config.epochs:
                if hasattr(model, "drop_path_prob"):
                    model.drop_path_prob = config.drop_path_prob * epoch / config.epochs
                train_loader.sampler.set_epoch(epoch, min(step_in_epoch * bs, len(train_ds)))
                model.train()
                bar = tqdm(total=steps_per_epoch, initial=step_in_epoch, leave=False, file=sys.stderr,
                           desc=f"epoch {epoch + 1}/{config.epochs}", disable=not progress)
                t0 = time.perf_counter()
                try:
                    for x, y in train_loader:
                        if step_in_epoch >= steps_per_epoch:
                            break
                        if max_steps is not None and global_step >= max_steps:
                            acc["time"] += time.perf_counter() - t0
                            t0 = time.perf_counter()
                            checkpoint()
                            return finish("stopped")
                        consistent = False
                        lr = lr_at(config, epoch, step_in_epoch, steps_per_epoch)
                        for group in optimizer.param_groups:
                            group["lr"] = lr
                        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
                        ctx = torch.autocast(dev.type, dtype=amp_dtype) if amp_dtype else nullcontext()
                        with ctx:
                            logits, aux = _split_output(model(x))
                            loss = criterion(logits.float(), y)
                            total = loss
                            if aux is not None and config.auxiliary_weight > 0:
                                total = loss + config.auxiliary_weight * criterion(aux.float(), y)
                        optimizer.zero_grad(set_to_none=True)
                        if scaler is not None:
                            scaler.scale(total).backward()
                            if config.grad_clip is not None:
                                scaler.unscale_(optimizer)
                                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                            scaler.step(optimizer)
                            scaler.update()
                        else:
                            total.backward()
                            if config.grad_clip is not None:
                                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                            optimizer.step()
                        loss_value = float(loss.item())
                        if not math.isfinite(loss_value):
                            raise FloatingPointError(
                                f"training loss became {loss_value} at epoch {epoch + 1}, step "
                                f"{step_in_epoch + 1}; lower the learning rate")
                        c1, c5 = topk_correct(logits.detach().float(), y, (1, 5))
                        nb = int(y.shape[0])
                        acc["loss_sum"] += loss_value * nb
                        acc["top1"] += c1
                        acc["top5"] += c5
                        acc["seen"] += nb
                        step_in_epoch += 1
                        global_step += 1
                        consistent = True
                        bar.update(1)
                        if progress and (step_in_epoch % 10 == 0 or step_in_epoch == steps_per_epoch):
                            bar.set_postfix(loss=f"{acc['loss_sum'] / acc['seen']:.3f}",
                                            top1=f"{100.0 * acc['top1'] / acc['seen']:.1f}", lr=f"{lr:.4g}")
                        for cb in callbacks:
                            cb("step", {"epoch": epoch, "step_in_epoch": step_in_epoch,
                                        "global_step": global_step, "loss": loss_value, "lr": lr})
                        if stop.requested:
                            raise KeyboardInterrupt
                        if checkpoint_every and global_step % checkpoint_every == 0 \
                                and step_in_epoch < steps_per_epoch:
                            acc["time"] += time.perf_counter() - t0
                            t0 = time.perf_counter()
                            checkpoint()
                finally:
                    acc["time"] += time.perf_counter() - t0
                    t0 = time.perf_counter()
                    bar.close()
                test = evaluate(model, test_loader, dev, amp_dtype, progress)
                seen = max(acc["seen"], 1)
                row = {
                    "epoch": epoch + 1, "steps": global_step,
                    "lr": lr_at(config, epoch, steps_per_epoch - 1, steps_per_epoch),
                    "train_loss": acc["loss_sum"] / seen, "train_top1": 100.0 * acc["top1"] / seen,
                    "train_top5": 100.0 * acc["top5"] / seen,
                    "test_loss": test["loss"], "test_top1": test["top1"], "test_top5": test["top5"],
                    "epoch_time_s": acc["time"] + (time.perf_counter() - t0),
                    "train_images_per_s": acc["seen"] / acc["time"] if acc["time"] > 0 else None,
                }
                history.append(row)
                epoch, step_in_epoch, acc = epoch + 1, 0, _empty_acc()
                checkpoint()
                write_metrics(run_dir, history)
                if progress:
                    print(f"epoch {row['epoch']}/{config.epochs}: train loss {row['train_loss']:.4f} "
                          f"top1 {row['train_top1']:.2f} | test loss {row['test_loss']:.4f} "
                          f"top1 {row['test_top1']:.2f} top5 {row['test_top5']:.2f} | "
                          f"{row['epoch_time_s']:.1f}s", file=sys.stderr)
                for cb in callbacks:
                    cb("epoch", dict(row))
    except KeyboardInterrupt:
        if consistent:
            checkpoint()
            print(f"interrupted: checkpoint saved to {ckpt_path} (epoch {epoch + 1}, step "
                  f"{step_in_epoch}); resume with resume=True / --resume", file=sys.stderr)
        else:
            print(f"interrupted mid-step: kept the previous checkpoint in {run_dir}", file=sys.stderr)
        raise
    return finish("completed")
