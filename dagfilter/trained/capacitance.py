"""Neural capacitance: record ``beta_eff`` and validation accuracy while a network with a frozen
probe trains, then predict its final accuracy at ``beta_eff -> 0``.

>>> res = neural_capacitance(net, train_loader, val_loader, layer="classifier", epochs=2)  # doctest: +SKIP
>>> res.predicted_accuracy, [o.beta for o in res.observations]                               # doctest: +SKIP

Observations are taken every ``observe_every`` optimiser steps (and once before training):
``beta_eff`` on a fixed set of training batches, accuracy on a fixed set of validation
batches. The paper observes once per epoch over 5+ epochs; with 1-3 epochs on CPU we observe
several times per epoch so that the regression has points to fit (a documented choice).
"""
from __future__ import annotations

import copy
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import torch
from torch import nn
from tqdm import tqdm

from ..errors import ConfigError, DataError
from .beta import beta_eff
from .probe import DEFAULT_HIDDEN, CapacitanceProbe, attach_probe, find_probe
from .regression import CapacitanceFit, extrapolate_accuracy

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class Observation:
    """One point of the early learning curve: optimiser ``step``, ``beta_eff`` on training
    batches, ``val_acc`` (percent) on the validation batches."""

    step: int
    beta: float
    val_acc: float


def _logits(out: Any) -> torch.Tensor:
    return out[0] if isinstance(out, (tuple, list)) else out


def accuracy(model: nn.Module, batches: Sequence[Batch]) -> float:
    """Top-1 accuracy (percent) of ``model`` in eval mode on ``batches`` (mode restored after)."""
    was = model.training
    model.eval()
    correct, n = 0, 0
    dev = next(model.parameters()).device
    try:
        with torch.no_grad():
            for x, y in batches:
                pred = _logits(model(x.to(dev))).argmax(1)
                correct += int((pred == y.to(dev)).sum())
                n += int(y.numel())
    finally:
        model.train(was)
    if n == 0:
        raise DataError("accuracy needs at least one non-empty batch")
    return 100.0 * correct / n


def take_batches(loader: Iterable[Batch], n: int | None) -> list[Batch]:
    """The first ``n`` batches of ``loader`` (all when ``n`` is None), as a list."""
    out: list[Batch] = []
    for i, (x, y) in enumerate(loader):
        if n is not None and i >= n:
            break
        out.append((x, y))
    if not out:
        raise DataError("the loader yielded no batches")
    return out


class CapacitanceRecorder:
    """Records :class:`Observation` s of a probed model; usable as a
    :func:`dagfilter.train.train` callback (observes after every ``every``-th step).

    Args:
        model: the network holding a :class:`CapacitanceProbe`.
        beta_batches: fixed training batches for ``beta_eff``.
        val_batches: fixed validation batches for the accuracy.
        every: observe every this many optimiser steps (callback use).
        path: optional JSON file the observations are saved to after each one and reloaded
            from (resumable runs keep the observations made before an interruption).
    """

    def __init__(self, model: nn.Module, beta_batches: Sequence[Batch], val_batches: Sequence[Batch],
                 every: int = 10, path: str | Path | None = None) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ConfigError(f"observe_every must be a positive integer, got {every!r}")
        self.model = model
        self.probe: CapacitanceProbe = find_probe(model)
        self.beta_batches = list(beta_batches)
        self.val_batches = list(val_batches)
        self.every = every
        self.path = Path(path) if path is not None else None
        self.observations: list[Observation] = []
        if self.path is not None and self.path.is_file():
            rows = json.loads(self.path.read_text())
            self.observations = [Observation(**r) for r in rows]

    def observe(self, step: int) -> Observation:
        """Measure ``beta_eff`` and validation accuracy now (model mode is restored)."""
        obs = Observation(int(step), beta_eff(self.model, self.beta_batches, self.probe),
                          accuracy(self.model, self.val_batches))
        self.observations = [o for o in self.observations if o.step < obs.step] + [obs]
        if self.path is not None:
            self.path.write_text(json.dumps([asdict(o) for o in self.observations]))
        return obs

    def __call__(self, event: str, info: dict) -> None:
        """Trainer callback: observe after every ``every``-th global step."""
        if event == "step" and int(info["global_step"]) % self.every == 0:
            self.observe(int(info["global_step"]))

    def fit(self, min_points: int = 3, select_t0: bool = True) -> CapacitanceFit:
        """Bayesian ridge extrapolation to ``beta_eff = 0`` over the recorded observations."""
        return extrapolate_accuracy([o.beta for o in self.observations],
                                    [o.val_acc for o in self.observations], min_points, select_t0)


@dataclass
class CapacitanceResult:
    """Outcome of :func:`neural_capacitance`.

    Attributes:
        predicted_accuracy: ``h(0)`` (percent), or NaN when too few observations.
        observations: the early learning curve.
        fit: the chosen regression (None when it could not be fitted).
        final_val_acc: validation accuracy at the last observation (the "brief training" baseline).
        model: the trained network with its probe.
    """

    predicted_accuracy: float
    observations: list[Observation]
    fit: CapacitanceFit | None
    final_val_acc: float
    model: nn.Module = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (without the model)."""
        return {"predicted_accuracy": self.predicted_accuracy, "final_val_acc": self.final_val_acc,
                "observations": [asdict(o) for o in self.observations],
                "fit": self.fit.to_dict() if self.fit is not None else None}


def fit_or_nan(recorder: CapacitanceRecorder, min_points: int = 3) -> tuple[float, CapacitanceFit | None]:
    """``(predicted accuracy, fit)``, or ``(nan, None)`` when there are too few observations."""
    try:
        fit = recorder.fit(min_points)
    except DataError:
        return math.nan, None
    return fit.predicted, fit


def neural_capacitance(model: nn.Module, loader: Iterable[Batch], val_loader: Iterable[Batch] | None = None, *,
                       layer: str = "classifier", epochs: int = 1, lr: float = 0.05, momentum: float = 0.9,
                       weight_decay: float = 5e-4, observe_every: int | None = None, beta_batches: int = 2,
                       val_batches: int | None = 4, hidden: Sequence[int] = DEFAULT_HIDDEN,
                       dropout: float = 0.4, num_classes: int | None = None, min_points: int = 3,
                       seed: int = 0, inplace: bool = False, progress: bool = True) -> CapacitanceResult:
    """Insert a neural capacitance probe, train briefly, and predict the final accuracy.

    Steps (paper Alg. 1 + Sec. 4.4): replace ``layer`` (the output head) by a frozen random
    probe; train the rest with SGD for ``epochs``; every ``observe_every`` steps (and before
    training) record ``beta_eff`` of the probe on ``beta_batches`` fixed training batches and the
    accuracy on ``val_batches`` fixed validation batches; fit ``accuracy = h(beta_eff)`` by
    Bayesian ridge regression (start chosen by BIC) and return ``h(0)``.

    Args:
        model: any network; NAS-Bench-201 / DARTS networks (``dagfilter.nets.build_network``)
            call their head ``classifier``. Outputs may be ``(logits, aux)`` tuples.
        loader: training batches ``(images, labels)`` (re-iterated every epoch).
        val_loader: validation batches (default: the training loader's first batches).
        layer: dotted name of the layer the probe replaces.
        epochs, lr, momentum, weight_decay: the brief SGD training.
        observe_every: steps between observations (default: a quarter epoch, at least 1).
        beta_batches, val_batches: how many fixed batches to use for ``beta_eff`` / accuracy.
        hidden, dropout, num_classes: the probe (see :class:`CapacitanceProbe`).
        min_points: fewest observations for the regression.
        seed: seeds the probe initialisation and dropout.
        inplace: modify ``model`` itself (default: a deep copy is trained).
        progress: tqdm bar on stderr.

    Returns:
        A :class:`CapacitanceResult`.

    Raises:
        ConfigError: bad settings or unknown ``layer``. DataError: empty loaders.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ConfigError(f"epochs must be a positive integer, got {epochs!r}")
    if not lr > 0:
        raise ConfigError(f"lr must be positive, got {lr!r}")
    net = model if inplace else copy.deepcopy(model)
    fixed_train = take_batches(loader, beta_batches)
    fixed_val = take_batches(val_loader if val_loader is not None else loader, val_batches)
    attach_probe(net, layer, num_classes, hidden, dropout, True, seed, example=fixed_train[0][0])
    try:
        steps_per_epoch = len(loader)  # type: ignore[arg-type]
    except TypeError:
        steps_per_epoch = None
    every = observe_every or max(1, (steps_per_epoch or 40) // 4)
    rec = CapacitanceRecorder(net, fixed_train, fixed_val, every)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    crit = nn.CrossEntropyLoss()
    dev = next(net.parameters()).device
    torch.manual_seed(seed)
    rec.observe(0)
    step = 0
    total = steps_per_epoch * epochs if steps_per_epoch else None
    with tqdm(total=total, desc="capacitance", file=sys.stderr, disable=not progress, leave=False) as bar:
        for _ in range(epochs):
            net.train()
            for x, y in loader:
                loss = crit(_logits(net(x.to(dev))), y.to(dev))
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                bar.update(1)
                if step % every == 0:
                    obs = rec.observe(step)
                    bar.set_postfix(beta=f"{obs.beta:.3g}", acc=f"{obs.val_acc:.1f}")
    if rec.observations[-1].step != step:
        rec.observe(step)
    predicted, fit = fit_or_nan(rec, min_points)
    return CapacitanceResult(predicted, list(rec.observations), fit, rec.observations[-1].val_acc, net)
