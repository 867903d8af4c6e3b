"""Shared passes: several proxies from one forward/backward of one network.

:func:`compute_proxies` takes the proxy names asked for and runs only the passes they need:

* the **main pass** (the network as built - PyTorch's default initialisation, seeded by
  ``torch.manual_seed`` before the build - and ``train()`` BatchNorm):
  minibatch 1 = the first half of ``images`` (64 of the 128-image scoring batch) - one forward with
  feature maps and hooks (``az_expressivity``, ``az_progressivity``, ``meco``, ``swap``), block-wise
  Rademacher probes back through each layer (``az_trainability``, together about one backward), one
  backward to the input (``jacov``), one backward of the cross-entropy (``snip``, ``grad_norm``,
  ``fisher``, ``zico``); minibatch 2 = the second half, forward + backward of the loss, only for
  ``zico`` (which needs two minibatches);
* **synflow** and **zen** each run on their own copy of the network (absolute weights, float64,
  no BatchNorm / Gaussian weights and Gaussian inputs).

Initialisation: no proxy here re-initialises the network except zen (Gaussian, as in its paper).
AZ-NAS's public code re-initialises with Kaiming-normal fan-in; on NAS-Bench-201 that matters because
the reduction blocks' shortcut (AvgPool + Conv1x1) has no BatchNorm, so the init scale sets its weight
against the normalised branch. On 50 cells outside the benchmark subset (seeded draw), AZ-NAS's
Spearman rho with CIFAR-10 accuracy was 0.91 with the default init and 0.79 with Kaiming-normal
fan-in (progressivity alone 0.67 vs 0.39), so the default init is used.
:func:`kaiming_fanin_init` stays available for experiments.

Asking for one proxy or for all gives the same value for that proxy: the main pass never changes
the weights, and every pass draws its random numbers (probes, Gaussian weights and inputs) from its own
generator, seeded from one number
drawn from torch's global generator when :func:`compute_proxies` starts (so ``torch.manual_seed``
before building the network fixes everything).

Sentinel: a NAS-Bench-201 network whose cell has no path from its input node to its output node
(every path cut by ``none``) gets ``-inf`` for every proxy, without running anything (its output
does not depend on the input, so no proxy is meaningful).
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import torch
from torch import nn

from ..errors import ConfigError

MAIN_PASS = ("az_expressivity", "az_progressivity", "az_trainability", "meco", "swap", "jacov",
             "snip", "grad_norm", "fisher", "zico")
"""Proxies computed by the main pass (one network, real images)."""
OWN_PASS = ("synflow", "zen")
"""Proxies computed on their own copy of the network."""
MULTI_PROXIES = MAIN_PASS + OWN_PASS
"""Every proxy :func:`compute_proxies` knows."""
_LOSS = {"snip", "grad_norm", "fisher", "zico"}
_AZ = {"az_expressivity", "az_progressivity"}
_SEED_OFFSETS = {"main": 0, "synflow": 1, "zen": 2}


def nb201_has_path(ops: Sequence[str]) -> bool:
    """Whether a NAS-Bench-201 cell (6 op names, arch-string edge order) connects node 0 to node 3."""
    from ..encodings.nb201 import NB201_EDGES

    reach = {0}
    for (src, dst), op in zip(NB201_EDGES, ops):  # edges are topologically ordered
        if op != "none" and src in reach:
            reach.add(dst)
    return 3 in reach


def kaiming_fanin_init(network: nn.Module, generator: torch.Generator) -> None:
    """Kaiming-normal fan-in weights for Conv2d / Linear (biases 0), BatchNorm weight 1 / bias 0."""
    with torch.no_grad():
        for m in network.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu", generator=generator)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.modules.batchnorm._BatchNorm) and m.affine:
                m.weight.fill_(1.0)
                m.bias.zero_()


def _check_names(names: Iterable[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(names))
    bad = [n for n in out if n not in MULTI_PROXIES]
    if bad:
        raise ConfigError(f"proxy {bad[0]!r} has no shared pass; known: {', '.join(MULTI_PROXIES)}")
    if not out:
        raise ConfigError("no proxy names given")
    return out


def compute_proxies(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None,
                    names: Iterable[str], timings: dict[str, float] | None = None) -> dict[str, float]:
    """The scores of ``names`` (see :data:`MULTI_PROXIES`) for ``network`` on ``images``.

    Args:
        network: an untrained network; for the AZ-NAS terms and zen it must offer
            ``forward_features`` / ``pre_pool`` (as :class:`~dagfilter.nets.nb201.NB201Network`).
            Its weights are not changed.
        images: ``(B, 3, H, W)``, ``B >= 4`` (two minibatches of ``B // 2``).
        labels: ``(B,)`` class indices (needed by snip, grad_norm, fisher, zico).
        names: proxies to compute.
        timings: if given, filled with the seconds each pass took (``main``, ``synflow``, ``zen``).

    Returns:
        ``{name: score}``, higher = better; ``-inf`` for degenerate networks (see module docstring).

    Raises:
        ConfigError: unknown name, too small a batch, missing labels or feature access.
    """
    import time

    names = _check_names(names)
    if images.dim() != 4 or images.shape[0] < 4:
        raise ConfigError(f"the shared passes need a (B, 3, H, W) batch with B >= 4, got shape {tuple(images.shape)}")
    base = int(torch.randint(0, 2 ** 62, (1,)).item())
    ops = getattr(network, "ops_names", None)
    if ops is not None and not nb201_has_path(ops):
        return {n: float("-inf") for n in names}
    out: dict[str, float] = {}
    main = [n for n in names if n in MAIN_PASS]
    if main:
        t0 = time.perf_counter()
        out.update(_main_pass(network, images, labels, main, _gen(base, "main")))
        if timings is not None:
            timings["main"] = time.perf_counter() - t0
    if "synflow" in names:
        from .synflow import synflow_of

        t0 = time.perf_counter()
        out["synflow"] = synflow_of(network, tuple(images.shape[1:]))
        if timings is not None:
            timings["synflow"] = time.perf_counter() - t0
    if "zen" in names:
        from .zen import zen_of

        t0 = time.perf_counter()
        half = images.shape[0] // 2
        out["zen"] = zen_of(network, (half, *images.shape[1:]), _gen(base, "zen"))
        if timings is not None:
            timings["zen"] = time.perf_counter() - t0
    return {n: out[n] for n in names}


def _gen(base: int, which: str) -> torch.Generator:
    return torch.Generator().manual_seed(base + _SEED_OFFSETS[which])


def _main_pass(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None, names: list[str],
               gen: torch.Generator) -> dict[str, float]:
    from .az_nas import expressivity_progressivity, trainability
    from .ntk import network_logits
    from .fisher import fisher_from
    from .grad_norm import grad_norm_from
    from .jacov import jacov_from_jacobian
    from .meco import MecoHooks
    from .snip import snip_from, weighted_layers
    from .swap import SwapHooks
    from .zico import zico_from_grads

    want = set(names)
    if want & _LOSS and labels is None:
        raise ConfigError(f"proxies {sorted(want & _LOSS)} need labels")
    need_feats = bool(want & (_AZ | {"az_trainability"}))
    if need_feats and not hasattr(network, "forward_features"):
        raise ConfigError(f"AZ-NAS terms need network.forward_features; {type(network).__name__} has none")
    network.train()
    layers = weighted_layers(network)
    half = images.shape[0] // 2
    out: dict[str, float] = {}
    zico_grads: list[dict[str, torch.Tensor]] = []
    with torch.enable_grad():
        for k in (0, 1):
            if k == 1 and "zico" not in want:
                break
            x = images[k * half:(k + 1) * half].clone()
            y = None if labels is None else labels[k * half:(k + 1) * half]
            first = k == 0
            meco = MecoHooks(network) if first and "meco" in want else None
            swap = SwapHooks(network) if first and "swap" in want else None
            acts: list[torch.Tensor] = []
            fhandles: list[Any] = []
            if first and "fisher" in want:
                def keep(m: nn.Module, i: tuple, o: torch.Tensor) -> None:
                    if o.requires_grad:
                        acts.append(o)
                fhandles = [m.register_forward_hook(keep) for _, m in layers]
            if first and "jacov" in want:
                x.requires_grad_(True)
            network.zero_grad(set_to_none=True)
            try:
                if first and hasattr(network, "forward_features"):  # the same modules run, whatever is asked
                    logits, feats = network.forward_features(x)
                else:
                    logits, feats = network_logits(network, x), []
            finally:
                for hk in (meco, swap):
                    if hk is not None:
                        hk.remove()
                for h in fhandles:
                    h.remove()
            if meco is not None:
                out["meco"] = meco.total
            if swap is not None:
                out["swap"] = swap.score()
            if first and want & _AZ:
                e, p = expressivity_progressivity(feats)
                out["az_expressivity"], out["az_progressivity"] = e, p
            if first and "az_trainability" in want:
                out["az_trainability"] = trainability(feats, gen)
            if first and "jacov" in want:
                jac = torch.autograd.grad(logits.sum(), x, retain_graph=True)[0]
                out["jacov"] = jacov_from_jacobian(jac)
            if want & _LOSS:
                loss = nn.functional.cross_entropy(logits, y)
                weights = [m.weight for _, m in layers]
                got = torch.autograd.grad(loss, weights + acts, allow_unused=True)
                grads = {n: (g.detach() if g is not None else torch.zeros_like(w))
                         for (n, _), w, g in zip(layers, weights, got)}
                if first:
                    if "snip" in want:
                        out["snip"] = snip_from((m.weight, grads[n]) for n, m in layers)
                    if "grad_norm" in want:
                        out["grad_norm"] = grad_norm_from(grads.values())
                    if "fisher" in want:
                        out["fisher"] = fisher_from((a, g if g is not None else torch.zeros_like(a))
                                                    for a, g in zip(acts, got[len(weights):]))
                if "zico" in want:
                    zico_grads.append(grads)
            del logits, feats, acts
    if "zico" in want:
        out["zico"] = zico_from_grads(zico_grads)
    network.zero_grad(set_to_none=True)
    return out
