"""Shared passes: several proxies from one forward/backward of one network (the only orchestrator).

Every shared-pass proxy is declared in its own module as a pure function of a
:class:`~dagfilter.proxies.capture.Capture` plus the capture items it needs
(:func:`~dagfilter.proxies.capture.shared_proxy`); proxy modules never import this module.
:func:`compute_proxies` takes the proxy names asked for, runs one forward capturing the union of the
items they need (and only the backwards they need; no autograd graph at all when none needs one),
then calls each proxy's function on the capture:

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

Speed (measured by ``scripts/bench_proxy_pass.py``): the passes run in ``channels_last`` memory
format by default (``channels_last=False`` gives the layout the shipped subset scores were made with);
on this project's AVX2 CPU NCHW average pooling is 4-13x slower than channels-last, so this alone
cuts the pass by about a quarter. The copies for synflow and zen are rebuilt from the cell (with the
same weights) instead of ``copy.deepcopy`` (which cost ~0.3-0.7 CPU-s per copy). The float results
differ from the NCHW kernels within the spread measured between CPUs (see the bench).

Sentinel: a NAS-Bench-201 network whose cell has no path from its input node to its output node
(every path cut by ``none``) gets ``-inf`` for every proxy, without running anything (its output
does not depend on the input, so no proxy is meaningful).
"""
from __future__ import annotations

import copy
import time
from typing import Any, Iterable, Sequence

import torch
from torch import nn

from ..errors import ConfigError
from .capture import LABEL_NEEDS, STREAMS, Capture, SharedProxy, shared_proxies, weighted_layers

MAIN_PASS = ("az_expressivity", "az_progressivity", "az_trainability", "meco", "swap", "jacov",
             "snip", "grad_norm", "fisher", "zico")
"""Built-in proxies computed by the main pass (one network, real images)."""
OWN_PASS = ("synflow", "zen")
"""Built-in proxies computed on their own copy of the network."""
MULTI_PROXIES = MAIN_PASS + OWN_PASS
"""The twelve built-in shared-pass proxies (:func:`shared_proxy_names` lists every declared one)."""


def shared_proxy_names() -> tuple[str, ...]:
    """Every declared shared-pass proxy (built-in ones first)."""
    specs = shared_proxies()
    return tuple(n for n in MULTI_PROXIES if n in specs) + tuple(sorted(set(specs) - set(MULTI_PROXIES)))


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


def _specs(names: Iterable[str]) -> list[SharedProxy]:
    out = tuple(dict.fromkeys(names))
    specs = shared_proxies()
    bad = [n for n in out if n not in specs]
    if bad:
        raise ConfigError(f"proxy {str(bad[0])[:60]!r} has no shared pass; known: {', '.join(shared_proxy_names())}")
    if not out:
        raise ConfigError("no proxy names given")
    return [specs[n] for n in out]


def compute_proxies(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None,
                    names: Iterable[str], timings: dict[str, float] | None = None,
                    channels_last: bool = True) -> dict[str, float]:
    """The scores of ``names`` (shared-pass proxies, e.g. :data:`MULTI_PROXIES`) for ``network`` on ``images``.

    Args:
        network: an untrained network; for the AZ-NAS terms and zen it must offer
            ``forward_features`` / ``pre_pool`` (as :class:`~dagfilter.nets.nb201.NB201Network`).
            Its weights are not changed.
        images: ``(B, 3, H, W)``, ``B >= 4`` (two minibatches of ``B // 2``).
        labels: ``(B,)`` class indices (needed by snip, grad_norm, fisher, zico).
        names: proxies to compute.
        timings: if given, filled with the seconds each pass took (``main`` and one per own-pass proxy).
        channels_last: run in channels-last memory format (faster on CPU; equal up to float rounding).

    Returns:
        ``{name: score}``, higher = better; ``-inf`` for degenerate networks (see module docstring).

    Raises:
        ConfigError: unknown name, too small a batch, missing labels or feature access.
    """
    specs = _specs(names)
    if images.dim() != 4 or images.shape[0] < 4:
        raise ConfigError(f"the shared passes need a (B, 3, H, W) batch with B >= 4, got shape {tuple(images.shape)}")
    base = int(torch.randint(0, 2 ** 62, (1,)).item())
    ops = getattr(network, "ops_names", None)
    if ops is not None and not nb201_has_path(ops):
        return {s.name: float("-inf") for s in specs}
    main = [s for s in specs if not s.own_pass]
    needs = frozenset().union(*(s.needs for s in main)) if main else frozenset()
    if needs & LABEL_NEEDS and labels is None:
        raise ConfigError(f"proxies {sorted(s.name for s in main if s.needs & LABEL_NEEDS)} need labels")
    if "features" in needs and not hasattr(network, "forward_features"):
        raise ConfigError(f"AZ-NAS terms need network.forward_features; {type(network).__name__} has none")
    half = images.shape[0] // 2
    out: dict[str, float] = {}
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    restore = _to_format(network, fmt)
    try:
        if main:
            t0 = time.perf_counter()
            cap = _main_capture(network, images.contiguous(memory_format=fmt), labels, needs, _gen(base, "main"))
            try:
                for s in main:
                    out[s.name] = float(s.fn(cap))
            finally:
                network.zero_grad(set_to_none=True)
                del cap
            if timings is not None:
                timings["main"] = time.perf_counter() - t0
        for s in specs:
            if s.own_pass:
                t0 = time.perf_counter()
                own = Capture(network, images[:half], labels, _gen(base, s.stream), clone=lambda: _fresh_copy(network))
                out[s.name] = float(s.fn(own))
                if timings is not None:
                    timings[s.name] = time.perf_counter() - t0
    finally:
        restore()
    return {s.name: out[s.name] for s in specs}


def _gen(base: int, stream: str) -> torch.Generator:
    return torch.Generator().manual_seed(base + STREAMS[stream])


def _to_format(network: nn.Module, fmt: torch.memory_format) -> Any:
    """Put the 4-D parameters of ``network`` in ``fmt``; returns the function that restores them."""
    if fmt == torch.contiguous_format:
        return lambda: None
    changed = []
    for p in network.parameters():
        if p.dim() == 4 and not p.is_contiguous(memory_format=fmt):
            changed.append(p)
            p.data = p.data.contiguous(memory_format=fmt)

    def restore() -> None:
        for p in changed:
            p.data = p.data.contiguous()
    return restore


def _fresh_copy(network: nn.Module) -> nn.Module:
    """A copy of ``network`` with equal weights, buffers and memory format.

    A NAS-Bench-201 network is rebuilt from its cell (a tenth of the time of ``copy.deepcopy``), with
    torch's global generator left as it was; any other network is deep-copied."""
    from ..nets.nb201 import NB201Network

    if type(network) is NB201Network and network.ops_names is not None:
        with torch.random.fork_rng(devices=[]):
            new = NB201Network(network.ops_names, network.num_classes, network.C, network.N)
        with torch.no_grad():
            for (_, a), (_, b) in zip(new.named_parameters(), network.named_parameters()):
                a.data = b.detach().clone(memory_format=torch.preserve_format)
            for (_, a), (_, b) in zip(new.named_buffers(), network.named_buffers()):
                a.copy_(b)
        return new.train(network.training)
    return copy.deepcopy(network)


def _main_capture(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None, needs: frozenset[str],
                  gen: torch.Generator) -> Capture:
    """One forward of the first half of ``images`` (and the backwards ``needs`` asks for)."""
    network.train()
    half = images.shape[0] // 2
    layers = weighted_layers(network) if needs & LABEL_NEEDS else []
    grad = bool(needs & ({"graph", "input_grad"} | LABEL_NEEDS))
    x = images[:half].clone(memory_format=torch.preserve_format)
    y = None if labels is None else labels[:half]
    cap = Capture(network, images[:half], y, gen, x=x, layers=layers)
    handles: list[Any] = []
    acts: list[torch.Tensor] = []
    seen: list[torch.Tensor] = []
    if "module_maps" in needs:
        def keep_map(m: nn.Module, i: tuple, o: object) -> None:
            if isinstance(o, torch.Tensor) and o.dim() == 4:
                cap.module_maps.append(o[0].detach().clone())
        handles += [m.register_forward_hook(keep_map) for m in network.modules()]
    if "relu_codes" in needs:
        def keep_code(m: nn.Module, i: tuple) -> None:
            t = i[0]
            if not any(t is s for s in seen[-8:]):
                seen.append(t)
                cap.relu_codes.append(t.detach() > 0)
        handles += [m.register_forward_pre_hook(keep_code) for m in network.modules() if isinstance(m, nn.ReLU)]
    if "act_grads" in needs:
        def keep_act(m: nn.Module, i: tuple, o: torch.Tensor) -> None:
            if o.requires_grad:
                acts.append(o)
        handles += [m.register_forward_hook(keep_act) for _, m in layers]
    if "input_grad" in needs:
        x.requires_grad_(True)
    network.zero_grad(set_to_none=True)
    try:
        with torch.set_grad_enabled(grad):
            if hasattr(network, "forward_features"):  # the same modules run, whatever is asked
                cap.logits, cap.feats = network.forward_features(x)
            else:
                cap.logits = _logits(network, x)
    finally:
        for h in handles:
            h.remove()
        seen.clear()
    if needs & {"loss_grads", "act_grads"}:
        with torch.enable_grad():
            loss = nn.functional.cross_entropy(cap.logits, y)
            weights = [m.weight for _, m in layers]
            got = torch.autograd.grad(loss, weights + acts, allow_unused=True, retain_graph=True)
        cap.weight_grads = {n: (g.detach() if g is not None else torch.zeros_like(w))
                            for (n, _), w, g in zip(layers, weights, got)}
        cap.act_pairs = [(a, g if g is not None else torch.zeros_like(a)) for a, g in zip(acts, got[len(weights):])]
    if "second_batch" in needs:
        with torch.enable_grad():
            x2 = images[half:2 * half].clone(memory_format=torch.preserve_format)
            logits2 = _logits(network, x2)
            loss2 = nn.functional.cross_entropy(logits2, labels[half:2 * half])
            weights = [m.weight for _, m in layers]
            got = torch.autograd.grad(loss2, weights, allow_unused=True)
        cap.weight_grads_2 = {n: (g.detach() if g is not None else torch.zeros_like(w))
                              for (n, _), w, g in zip(layers, weights, got)}
    return cap


def _logits(network: nn.Module, x: torch.Tensor) -> torch.Tensor:
    out = network(x)
    if isinstance(out, (tuple, list)):  # DARTS networks return (logits, aux_logits)
        out = out[0]
    return out.reshape(out.shape[0], -1)
