"""Module criticality and network criticality (Chatterji, Neyshabur & Sedghi, ICLR 2020).

Definition 3.1: for module ``i`` with initial weights ``theta_i^0`` and trained ``theta_i^F``,
``theta_i^alpha = (1 - alpha) theta_i^0 + alpha theta_i^F``, and

    mu_i = min_{0 <= alpha, sigma <= 1} { alpha^2 ||theta_i^F - theta_i^0||_F^2 / sigma^2 :
                                          E_{u ~ N(0, sigma^2 I)} L_S(f(theta_i^alpha + u, Theta_{-i}^F)) <= eps }

(all other modules at their trained values); the network criticality is ``sum_i mu_i``
(lower predicts better generalisation). ``L_S`` is the training 0/1 error (``loss="error"``,
the paper's) or the cross-entropy (``loss="ce"``).

Implementation choices (documented):

* a *module* is a ``Conv``/``Linear`` layer (its weight and bias), as in the paper's experiments;
* the search is over grids: for each ``sigma`` (ascending), the smallest feasible ``alpha`` is
  found by bisection on the ``alpha`` grid, assuming the loss decreases monotonically towards
  the trained weights (the paper's Fig. 4 observation); ``exhaustive=True`` scans every
  ``alpha``. The expectation over ``u`` is a Monte-Carlo mean over ``noise_samples`` seeded draws
  (the same unit-normal draws are reused for every ``alpha``/``sigma`` of a module);
* ``threshold="relative"`` (default) accepts a loss up to the trained loss plus ``epsilon`` - our
  networks are trained briefly, so the paper's absolute threshold (``threshold="absolute"``:
  loss <= ``epsilon``, e.g. 0.1 error for fully trained models) is usually infeasible;
* if no grid point is feasible the module's criticality is ``inf``.

:func:`rewind_to_init` is the cheaper test of Zhang et al.: each module alone reset to its
initial weights.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from ..errors import ConfigError, DataError

Batch = tuple[torch.Tensor, torch.Tensor]
MODULE_TYPES: tuple[type, ...] = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)
DEFAULT_ALPHAS: tuple[float, ...] = tuple(float(a) for a in np.linspace(0.0, 1.0, 11))
DEFAULT_SIGMAS: tuple[float, ...] = tuple(float(s) for s in np.geomspace(1e-3, 1.0, 7))


def _logits(out: Any) -> torch.Tensor:
    return out[0] if isinstance(out, (tuple, list)) else out


def criticality_modules(model: nn.Module) -> list[str]:
    """Names of the modules criticality is measured on: every Conv/Linear layer with a
    trainable weight (frozen layers, e.g. a capacitance probe, are skipped)."""
    out = []
    for name, m in model.named_modules():
        if isinstance(m, MODULE_TYPES) and getattr(m, "weight", None) is not None and m.weight.requires_grad:
            out.append(name)
    return out


def _module_params(model: nn.Module, name: str) -> list[nn.Parameter]:
    try:
        mod = model.get_submodule(name)
    except AttributeError:
        raise ConfigError(f"model has no module {name!r}") from None
    params = list(mod.parameters(recurse=False))
    if not params:
        raise ConfigError(f"module {name!r} has no parameters of its own")
    return params


def evaluate_loss(model: nn.Module, batches: Sequence[Batch], loss: str = "error") -> float:
    """Mean training 0/1 error (``"error"``, in [0, 1]) or cross-entropy (``"ce"``) in eval mode."""
    dev = next(model.parameters()).device
    total, n = 0.0, 0
    with torch.no_grad():
        for x, y in batches:
            x, y = x.to(dev), y.to(dev)
            logits = _logits(model(x)).float()
            if loss == "error":
                total += float((logits.argmax(1) != y).sum())
            else:
                total += float(F.cross_entropy(logits, y, reduction="sum"))
            n += int(y.numel())
    if n == 0:
        raise DataError("criticality needs at least one non-empty batch")
    return total / n


@dataclass(frozen=True)
class ModuleCriticality:
    """One module's result: ``criticality`` (``mu_i``), the minimising ``alpha``/``sigma``,
    ``dist2 = ||theta^F - theta^0||^2`` and the number of loss evaluations."""

    name: str
    criticality: float
    alpha: float | None
    sigma: float | None
    dist2: float
    evaluations: int


@dataclass
class CriticalityResult:
    """Per-module and network criticality.

    Attributes:
        modules: one :class:`ModuleCriticality` per module.
        network: their sum (``mu(f)``; lower predicts better generalisation).
        trained_loss: ``L_S`` of the trained model; threshold: the accepted loss.
        settings: the search settings used.
    """

    modules: list[ModuleCriticality]
    network: float
    trained_loss: float
    threshold: float
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"network": self.network, "trained_loss": self.trained_loss, "threshold": self.threshold,
                "settings": self.settings, "modules": [m.__dict__ for m in self.modules]}


def _check_pair(model_init: nn.Module, model_trained: nn.Module, names: Sequence[str]) -> None:
    for name in names:
        a = _module_params(model_init, name)
        b = _module_params(model_trained, name)
        if len(a) != len(b) or any(p.shape != q.shape for p, q in zip(a, b)):
            raise ConfigError(f"module {name!r} differs in shape between the initial and trained models")


def _batches(data: Iterable[Batch] | Batch, max_batches: int | None) -> list[Batch]:
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], torch.Tensor):
        return [data]  # one (images, labels) batch
    out = []
    for i, b in enumerate(data):
        if max_batches is not None and i >= max_batches:
            break
        out.append((b[0], b[1]))
    if not out:
        raise DataError("criticality needs at least one (images, labels) batch")
    return out


def _grid(values: Sequence[float], name: str) -> list[float]:
    vals = sorted(float(v) for v in values)
    if not vals or any(not (0.0 <= v <= 1.0) or not math.isfinite(v) for v in vals):
        raise ConfigError(f"{name} must be a non-empty list of numbers in [0, 1], got {list(values)!r}")
    return vals


def module_criticality(model_init: nn.Module, model_trained: nn.Module, data: Iterable[Batch] | Batch, *,
                       modules: Sequence[str] | None = None, epsilon: float = 0.05,
                       threshold: str = "relative", loss: str = "error",
                       alphas: Sequence[float] = DEFAULT_ALPHAS, sigmas: Sequence[float] = DEFAULT_SIGMAS,
                       noise_samples: int = 2, exhaustive: bool = False, max_batches: int | None = None,
                       seed: int = 0, progress: bool = True) -> CriticalityResult:
    """Module criticality of every module and the network criticality (their sum).

    Args:
        model_init: the network at initialisation (same architecture as ``model_trained``).
        model_trained: the trained network (its weights are restored after the search).
        data: training batches ``(images, labels)`` (``L_S`` is a training loss), or one batch.
        modules: module names (default: :func:`criticality_modules` of the trained model).
        epsilon: loss tolerance; threshold: ``"relative"`` (trained loss + ``epsilon``) or
            ``"absolute"`` (``epsilon``, the paper's definition).
        loss: ``"error"`` (0/1, the paper's) or ``"ce"``.
        alphas, sigmas: search grids in [0, 1] (``sigma`` is the absolute noise std, ``sigma > 0``).
        noise_samples: Monte-Carlo draws of ``u`` per grid point.
        exhaustive: scan the whole ``alpha`` grid instead of bisecting.
        max_batches: use at most this many batches of ``data``.
        seed: seeds the noise.
        progress: tqdm bar over modules.

    Returns:
        A :class:`CriticalityResult`.

    Raises:
        ConfigError: bad settings or mismatched models. DataError: no data.
    """
    if loss not in ("error", "ce"):
        raise ConfigError(f"loss must be 'error' or 'ce', got {loss!r}")
    if threshold not in ("relative", "absolute"):
        raise ConfigError(f"threshold must be 'relative' or 'absolute', got {threshold!r}")
    if not (isinstance(epsilon, (int, float)) and epsilon >= 0 and math.isfinite(epsilon)):
        raise ConfigError(f"epsilon must be a non-negative number, got {epsilon!r}")
    if isinstance(noise_samples, bool) or not isinstance(noise_samples, int) or noise_samples < 1:
        raise ConfigError(f"noise_samples must be a positive integer, got {noise_samples!r}")
    alpha_grid = _grid(alphas, "alphas")
    sigma_grid = _grid(sigmas, "sigmas")
    if sigma_grid[0] <= 0:
        raise ConfigError("sigmas must be positive")
    names = list(modules) if modules is not None else criticality_modules(model_trained)
    if not names:
        raise ConfigError("no modules to measure (no trainable Conv/Linear layers)")
    _check_pair(model_init, model_trained, names)
    batches = _batches(data, max_batches)
    was = model_trained.training
    model_trained.eval()
    results: list[ModuleCriticality] = []
    try:
        base = evaluate_loss(model_trained, batches, loss)
        thr = base + epsilon if threshold == "relative" else float(epsilon)
        for mi, name in enumerate(tqdm(names, desc="criticality", file=sys.stderr, disable=not progress,
                                       leave=False)):
            results.append(_one_module(model_init, model_trained, name, batches, loss, thr, alpha_grid,
                                       sigma_grid, noise_samples, exhaustive, seed, mi))
    finally:
        model_trained.train(was)
    network = float(sum(r.criticality for r in results))
    settings = {"epsilon": epsilon, "threshold": threshold, "loss": loss, "alphas": alpha_grid,
                "sigmas": sigma_grid, "noise_samples": noise_samples, "exhaustive": exhaustive, "seed": seed}
    return CriticalityResult(results, network, base, thr, settings)


def _one_module(model_init: nn.Module, model_trained: nn.Module, name: str, batches: list[Batch], loss: str,
                thr: float, alphas: list[float], sigmas: list[float], samples: int, exhaustive: bool,
                seed: int, index: int) -> ModuleCriticality:
    p_fin = _module_params(model_trained, name)
    p_init = [p.detach().to(q.device).clone() for p, q in zip(_module_params(model_init, name), p_fin)]
    saved = [p.detach().clone() for p in p_fin]
    dist2 = float(sum(((f - i).double() ** 2).sum() for f, i in zip(saved, p_init)))
    gen = torch.Generator().manual_seed(int(seed) * 1_000_003 + index)
    noise = [[torch.randn(p.shape, generator=gen).to(p.device) for p in saved] for _ in range(samples)]
    evals = 0
    cache: dict[tuple[int, int], bool] = {}

    def feasible(ai: int, sigma_i: int) -> bool:
        nonlocal evals
        key = (ai, sigma_i)
        if key in cache:
            return cache[key]
        a, s = alphas[ai], sigmas[sigma_i]
        total = 0.0
        with torch.no_grad():
            for z in noise:
                for p, w0, wf, u in zip(p_fin, p_init, saved, z):
                    p.copy_((1 - a) * w0 + a * wf + s * u)
                total += evaluate_loss(model_trained, batches, loss)
                evals += 1
        cache[key] = total / samples <= thr
        return cache[key]

    best, best_a, best_s = math.inf, None, None
    try:
        top = len(alphas) - 1
        for si, s in enumerate(sigmas):
            if not feasible(top, si):
                break  # larger noise will not help (loss grows with sigma)
            if exhaustive:
                ai = next(i for i in range(len(alphas)) if feasible(i, si))
            else:
                lo, hi = 0, top  # invariant: hi feasible
                if feasible(lo, si):
                    hi = lo
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if feasible(mid, si):
                        hi = mid
                    else:
                        lo = mid
                ai = hi
            value = alphas[ai] ** 2 * dist2 / s ** 2
            if value < best:
                best, best_a, best_s = value, alphas[ai], s
    finally:
        with torch.no_grad():
            for p, w in zip(p_fin, saved):
                p.copy_(w)
    return ModuleCriticality(name, float(best), best_a, best_s, dist2, evals)


@dataclass(frozen=True)
class RewindResult:
    """Loss and 0/1 error with one module rewound to its initial weights."""

    name: str
    loss: float
    error: float
    delta_loss: float
    delta_error: float


def rewind_to_init(model_init: nn.Module, model_trained: nn.Module, data: Iterable[Batch] | Batch, *,
                   modules: Sequence[str] | None = None, max_batches: int | None = None,
                   progress: bool = False) -> list[RewindResult]:
    """Zhang et al.'s rewind test: reset each module alone to its initialisation and measure
    the cross-entropy and 0/1 error (and their change from the trained model) on ``data``.

    The trained model's weights are restored afterwards.
    """
    names = list(modules) if modules is not None else criticality_modules(model_trained)
    _check_pair(model_init, model_trained, names)
    batches = _batches(data, max_batches)
    was = model_trained.training
    model_trained.eval()
    out: list[RewindResult] = []
    try:
        base_ce = evaluate_loss(model_trained, batches, "ce")
        base_err = evaluate_loss(model_trained, batches, "error")
        for name in tqdm(names, desc="rewind", file=sys.stderr, disable=not progress, leave=False):
            p_fin = _module_params(model_trained, name)
            saved = [p.detach().clone() for p in p_fin]
            try:
                with torch.no_grad():
                    for p, q in zip(p_fin, _module_params(model_init, name)):
                        p.copy_(q.detach())
                ce = evaluate_loss(model_trained, batches, "ce")
                err = evaluate_loss(model_trained, batches, "error")
            finally:
                with torch.no_grad():
                    for p, w in zip(p_fin, saved):
                        p.copy_(w)
            out.append(RewindResult(name, ce, err, ce - base_ce, err - base_err))
    finally:
        model_trained.train(was)
    return out
