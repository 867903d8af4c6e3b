"""The Sec. 5.1 experiment of the effective depth/width paper: train fully-connected networks
shaped as DAGs with plain SGD at a fixed learning rate and record training accuracy per epoch.

The theory (Eq. 12) predicts the ordering of the convergence speed: DAG#3 > DAG#2 > DAG#1.
Runs are saved one JSON file per (DAG, seed) under the output directory as they finish, so an
interrupted experiment resumes where it stopped.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from ..cell import Cell
from ..errors import ConfigError, DataError
from .dagnet import PARAMETERIZATIONS, DAGNet
from .dags import resolve_cell


@dataclass(frozen=True)
class ConvergenceConfig:
    """Settings of one convergence experiment (defaults: the paper's, except where noted).

    Attributes:
        dags: cell specs (``"dag1"``, NB201 strings, ...), one curve each.
        dataset: ``cifar10`` / ``cifar100`` / ``ImageNet16-120`` read through :mod:`dagfilter.data`,
            or ``npz`` to read ``npz_path`` (arrays ``x`` (N, ...) float/uint8 and ``y`` (N,) int).
        data_dir: dataset directory (e.g. ``../shared/data/cifar10``); ignored for ``npz``.
        subset: number of training images used (seeded choice; ``0`` = all). Not in the paper
            (it trains on the full set); a CPU budget choice.
        width: hidden width m (paper: 1024).
        epochs: number of epochs.
        seeds: one run per seed and DAG (paper: 3).
        lr: SGD learning rate, fixed (paper: 1e-5; larger values are needed to see the curves
            separate within a few CPU epochs).
        batch_size: paper: 128.
        loss: ``"ce"`` (cross-entropy) or ``"mse"`` (the theory's squared loss on one-hot targets).
        parameterization: ``"standard"`` (Kaiming normal, the paper's experiment) or ``"ntk"``.
        data_seed: seed of the subset choice.
    """

    dags: tuple[str, ...] = ("dag1", "dag2", "dag3")
    dataset: str = "cifar10"
    data_dir: str | None = None
    npz_path: str | None = None
    subset: int = 5000
    width: int = 1024
    epochs: int = 8
    seeds: tuple[int, ...] = (0, 1, 2)
    lr: float = 2e-4
    batch_size: int = 128
    loss: str = "ce"
    parameterization: str = "standard"
    data_seed: int = 0

    def validate(self) -> None:
        """Raise :class:`ConfigError` for an inconsistent setting."""
        if not self.dags:
            raise ConfigError("at least one DAG is needed")
        for name in ("width", "epochs", "batch_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"{name} must be a positive integer, got {v!r}")
        if not isinstance(self.subset, int) or self.subset < 0:
            raise ConfigError(f"subset must be an integer >= 0 (0 = all images), got {self.subset!r}")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ConfigError(f"lr must be a positive number, got {self.lr!r}")
        if not self.seeds:
            raise ConfigError("at least one seed is needed")
        if self.loss not in ("ce", "mse"):
            raise ConfigError(f"loss must be 'ce' or 'mse', got {self.loss!r}")
        if self.parameterization not in PARAMETERIZATIONS:
            raise ConfigError(f"parameterization must be one of {PARAMETERIZATIONS}, "
                              f"got {self.parameterization!r}")
        if self.dataset == "npz" and not self.npz_path:
            raise ConfigError("dataset 'npz' needs npz_path")

    def to_dict(self) -> dict:
        """JSON-able dict."""
        d = asdict(self)
        d["dags"], d["seeds"] = list(self.dags), list(self.seeds)
        return d


@dataclass
class RunResult:
    """Per-epoch training curves of one (DAG, seed) run."""

    dag: str
    seed: int
    train_acc: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0


def load_training_arrays(cfg: ConvergenceConfig) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Flattened, per-feature-standardised training inputs ``(N, D)``, labels ``(N,)`` and the
    number of classes, with the seeded subset of ``cfg.subset`` images."""
    if cfg.dataset == "npz":
        path = Path(str(cfg.npz_path))
        if not path.is_file():
            raise DataError(f"npz file {str(path)!r} does not exist")
        with np.load(path) as z:
            if "x" not in z or "y" not in z:
                raise DataError(f"{str(path)!r} must hold arrays 'x' and 'y', found {sorted(z.files)}")
            x, y = np.asarray(z["x"]), np.asarray(z["y"])
        if x.ndim < 2 or y.ndim != 1 or x.shape[0] != y.shape[0]:
            raise DataError(f"{str(path)!r}: x must be (N, ...) and y (N,), got {x.shape} and {y.shape}")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise DataError(f"{str(path)!r}: y must hold class indices >= 0")
        num_classes = int(y.max()) + 1
    else:
        from ..data import dataset_spec, read_cifar, read_imagenet16, resolve_data_dir

        spec = dataset_spec(cfg.dataset)
        root = resolve_data_dir(spec.name, cfg.data_dir)
        if spec.layout == "cifar-pickle":
            arr = read_cifar(root, spec.name, True)
        elif spec.layout == "imagenet16-pickle":
            arr = read_imagenet16(root, True, spec.num_classes)
        else:
            raise ConfigError(f"dataset {spec.name!r} is an image folder; convert it to an npz first")
        x, y, num_classes = arr.images, arr.labels, spec.num_classes
    n = x.shape[0]
    if cfg.subset and cfg.subset < n:
        idx = np.sort(np.random.default_rng([cfg.data_seed, 0x5E1]).choice(n, cfg.subset, replace=False))
        x, y = x[idx], y[idx]
    xf = x.reshape(x.shape[0], -1).astype(np.float32)
    if x.dtype == np.uint8:
        xf /= 255.0
    xf = (xf - xf.mean(axis=0)) / (xf.std(axis=0) + 1e-6)
    return torch.from_numpy(xf), torch.from_numpy(y.astype(np.int64)), num_classes


def train_run(cell: Cell, x: torch.Tensor, y: torch.Tensor, num_classes: int, cfg: ConvergenceConfig,
              seed: int, name: str = "", progress: Callable[[int, float], None] | None = None) -> RunResult:
    """Train one DAG network with plain SGD (no momentum, decay or augmentation) and return its
    per-epoch training accuracy (fraction of the epoch's examples classified correctly during
    the epoch, as is usual for "training accuracy") and mean loss."""
    net = DAGNet(cell, in_features=int(x.shape[1]), width=cfg.width, num_classes=num_classes,
                 parameterization=cfg.parameterization, seed=seed)
    opt = torch.optim.SGD(net.parameters(), lr=cfg.lr, momentum=0.0, weight_decay=0.0)
    ce = nn.CrossEntropyLoss()
    res = RunResult(dag=name or repr(cell), seed=int(seed))
    t0 = time.perf_counter()
    n = x.shape[0]
    for epoch in range(cfg.epochs):
        g = torch.Generator().manual_seed(int(seed) * 100003 + epoch)
        perm = torch.randperm(n, generator=g)
        correct, loss_sum = 0, 0.0
        for start in range(0, n, cfg.batch_size):
            idx = perm[start:start + cfg.batch_size]
            xb, yb = x[idx], y[idx]
            out = net(xb)
            if cfg.loss == "ce":
                loss = ce(out, yb)
            else:
                loss = 0.5 * ((out - nn.functional.one_hot(yb, num_classes).float()) ** 2).sum(1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            correct += int((out.argmax(1) == yb).sum())
            loss_sum += float(loss.detach()) * len(idx)
        res.train_acc.append(correct / n)
        res.train_loss.append(loss_sum / n)
        if progress is not None:
            progress(epoch, res.train_acc[-1])
        if not math.isfinite(res.train_loss[-1]):
            raise ConfigError(f"{res.dag} seed {seed}: loss diverged at epoch {epoch + 1} with lr={cfg.lr}; "
                              "use a smaller --lr")
    res.seconds = time.perf_counter() - t0
    return res


def run_experiment(cfg: ConvergenceConfig, out_dir: str | Path, overwrite: bool = False,
                   show_progress: bool = True) -> dict[str, list[RunResult]]:
    """Run (or resume) every (DAG, seed) of ``cfg``; results go to ``out_dir/runs/*.json``.

    Raises:
        ConfigError: ``out_dir`` holds runs of a different configuration (pass ``overwrite``).
    """
    cfg.validate()
    out = Path(out_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    cfg_path = out / "config.json"
    if cfg_path.exists() and not overwrite:
        old = json.loads(cfg_path.read_text())
        if old != cfg.to_dict():
            raise ConfigError(f"{str(out)!r} holds runs of another configuration ({cfg_path}); "
                              "use another output directory or overwrite")
    if overwrite:
        for p in (out / "runs").glob("*.json"):
            p.unlink()
    cfg_path.write_text(json.dumps(cfg.to_dict(), indent=2))
    cells = {name: resolve_cell(name) for name in cfg.dags}
    todo = [(d, s) for s in cfg.seeds for d in cfg.dags if not _run_path(out, d, s).exists()]
    data = load_training_arrays(cfg) if todo else None
    bar = None
    if show_progress and todo:
        from tqdm import tqdm
        bar = tqdm(total=len(todo) * cfg.epochs, desc="dag convergence", unit="epoch")
    try:
        for d, s in todo:
            def step(epoch: int, acc: float, _d: str = d, _s: int = s) -> None:
                if bar is not None:
                    bar.set_postfix_str(f"{_d} seed {_s} acc {acc:.3f}")
                    bar.update(1)
            assert data is not None
            res = train_run(cells[d], data[0], data[1], data[2], cfg, s, d, step)
            tmp = _run_path(out, d, s).with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(res)))
            tmp.replace(_run_path(out, d, s))
    finally:
        if bar is not None:
            bar.close()
    return load_results(out)


def _run_path(out: Path, dag: str, seed: int) -> Path:
    safe = "".join(c if c.isalnum() else "_" for c in dag)[:80]
    return out / "runs" / f"{safe}__seed{seed}.json"


def load_results(out_dir: str | Path) -> dict[str, list[RunResult]]:
    """All finished runs in ``out_dir``, grouped by DAG, in the configured DAG order."""
    out = Path(out_dir)
    cfg = json.loads((out / "config.json").read_text())
    groups: dict[str, list[RunResult]] = {d: [] for d in cfg["dags"]}
    for p in sorted((out / "runs").glob("*.json")):
        r = RunResult(**json.loads(p.read_text()))
        groups.setdefault(r.dag, []).append(r)
    return groups


def summarize(groups: dict[str, list[RunResult]]) -> list[dict]:
    """Per DAG: seeds, final training accuracy mean and sample std (ddof=1), area under the accuracy curve
    (mean accuracy over epochs, a convergence-speed summary), Eq. 12 bound at rho=0.5."""
    from .bound import bound_report

    rows = []
    for d, runs in groups.items():
        if not runs:
            continue
        acc = np.array([r.train_acc for r in runs])
        final = acc[:, -1]
        bound = bound_report(resolve_cell(d), 0.5, d)
        rows.append({"dag": d, "seeds": len(runs), "epochs": acc.shape[1],
                     "final_acc_mean": float(final.mean()), "final_acc_std": float(final.std(ddof=1)) if len(final) > 1 else 0.0,
                     "mean_acc_over_epochs": float(acc.mean()),
                     "seconds_per_run": float(np.mean([r.seconds for r in runs])),
                     "bound_rho_0.5": bound.bound, "num_paths": bound.num_paths,
                     "path_depths": list(bound.path_depths)})
    return rows


def plot_convergence(groups: dict[str, list[RunResult]], path_stem: str | Path, title: str = "",
                     caption: str = "") -> list[Path]:
    """Training accuracy per epoch, mean +- sample std across seeds (shaded), one curve per DAG;
    written as ``<path_stem>.png`` and ``.svg``. Returns the written paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for d, runs in groups.items():
        if not runs:
            continue
        acc = 100.0 * np.array([r.train_acc for r in runs])
        ep = np.arange(1, acc.shape[1] + 1)
        mu = acc.mean(0)
        sd = acc.std(0, ddof=1) if acc.shape[0] > 1 else np.zeros_like(mu)
        label = {"dag1": "DAG#1 (sequential)", "dag2": "DAG#2 (parallel)",
                 "dag3": "DAG#3 (mixed)"}.get(d, d)
        line, = ax.plot(ep, mu, label=f"{label}, n={len(runs)}")
        ax.fill_between(ep, mu - sd, mu + sd, color=line.get_color(), alpha=0.25, linewidth=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training accuracy (%)")
    ax.set_title(title or "Convergence of DAG-shaped FC networks")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    if caption:
        fig.text(0.01, 0.005, caption, fontsize=7, ha="left", va="bottom", wrap=True)
        fig.subplots_adjust(bottom=0.2)
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for p in paths:
        fig.savefig(p, dpi=150)
    plt.close(fig)
    return paths


def export_curves(groups: dict[str, list[RunResult]], path: str | Path) -> Path:
    """Per-epoch accuracies of every run as a long CSV: dag, seed, epoch, train_acc, train_loss."""
    p = Path(path)
    lines = ["dag,seed,epoch,train_acc,train_loss"]
    for d, runs in groups.items():
        for r in runs:
            for e, (a, l) in enumerate(zip(r.train_acc, r.train_loss), start=1):
                lines.append(f"{d},{r.seed},{e},{a:.6f},{l:.6f}")
    p.write_text("\n".join(lines) + "\n")
    return p


def dag_names(specs: Sequence[str]) -> tuple[str, ...]:
    """Validate cell specs early (clear error for a bad one) and return them as a tuple."""
    for s in specs:
        resolve_cell(s)
    return tuple(specs)
