"""What a shared pass captures, and how a proxy says what it needs from it.

A *shared-pass proxy* is a pure function of a :class:`Capture` (the tensors one forward/backward of one
network produced). It declares, in its own module, which items it reads::

    from .capture import Capture, shared_proxy

    @shared_proxy("my_proxy", needs=("module_maps",), description="one line for listings")
    def my_proxy_from(cap: Capture) -> float:
        return float(sum(m.abs().mean() for m in cap.module_maps))

:mod:`dagfilter.proxies.passes` (the only orchestrator) reads every declaration, runs one forward
(and the backwards asked for) capturing the union of the items the requested proxies need, and calls
each proxy's function on the capture. Proxy modules import this module and
:mod:`~dagfilter.proxies.registry`, never :mod:`~dagfilter.proxies.passes`.

Items (``needs``) of the **main pass** (the network as given, ``train()`` BatchNorm, the first half
``x`` of the scoring batch, ``forward_features`` when the network has it):

* ``features``      - ``cap.feats``: the feature map after the stem and after every layer;
* ``graph``         - the forward keeps its autograd graph (``cap.feats``, ``cap.logits`` attached);
  a proxy may run its own backward on it (``retain_graph=True``) and draw from ``cap.generator``;
* ``input_grad``    - ``cap.x`` requires grad (backward to the input);
* ``module_maps``   - ``cap.module_maps``: image 0's ``(C, H, W)`` output of every module with a
  4-D output, in call order (copied when produced);
* ``relu_codes``    - ``cap.relu_codes``: ``input > 0`` of every ``nn.ReLU``, once per distinct input;
* ``loss_grads``    - ``cap.weight_grads``: ``{layer name: dL/dW}`` of the cross-entropy on ``x``
  for every Conv2d / Linear layer (``cap.layers``);
* ``act_grads``     - ``cap.act_pairs``: ``(output, dL/d output)`` of every Conv2d / Linear layer;
* ``second_batch``  - ``cap.weight_grads_2``: the same as ``weight_grads`` for the second half of the
  batch (one more forward + backward).

A proxy with ``own_pass=True`` instead gets a :class:`Capture` holding only ``cap.clone()`` (a fresh
copy of the network with equal weights), ``cap.images`` (the first half of the batch) and its own
``cap.generator``; it runs what it needs on the copy (synflow, zen).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn

from ..errors import ConfigError

NEEDS = ("features", "graph", "input_grad", "module_maps", "relu_codes", "loss_grads", "act_grads",
         "second_batch")
"""Every item the main pass can capture."""
LABEL_NEEDS = frozenset({"loss_grads", "act_grads", "second_batch"})
"""Items that need labels (the cross-entropy)."""


@dataclass
class Capture:
    """What one shared pass captured (fields not asked for stay empty / None)."""

    network: nn.Module
    images: torch.Tensor
    labels: torch.Tensor | None = None
    generator: torch.Generator | None = None
    x: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    feats: list[torch.Tensor] = field(default_factory=list)
    layers: list[tuple[str, nn.Module]] = field(default_factory=list)
    module_maps: list[torch.Tensor] = field(default_factory=list)
    relu_codes: list[torch.Tensor] = field(default_factory=list)
    weight_grads: dict[str, torch.Tensor] = field(default_factory=dict)
    act_pairs: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)
    weight_grads_2: dict[str, torch.Tensor] = field(default_factory=dict)
    clone: Callable[[], nn.Module] | None = None
    memo: dict[str, Any] = field(default_factory=dict)
    """Intermediate results several proxies of one module share (e.g. AZ-NAS's entropies)."""


@dataclass(frozen=True)
class SharedProxy:
    """A proxy computed from a shared pass.

    Attributes:
        name: registry name.
        fn: ``Capture -> float`` (higher = better).
        needs: the capture items it reads (see :data:`NEEDS`); empty for ``own_pass`` proxies.
        own_pass: it runs on its own copy of the network (``cap.clone()``), not on the main pass.
        stream: name of its random stream (each stream has its own generator, seeded from one draw).
        description: one line for listings.
    """

    name: str
    fn: Callable[[Capture], float]
    needs: frozenset[str]
    own_pass: bool = False
    stream: str = "main"
    description: str = ""


_SHARED: dict[str, SharedProxy] = {}
STREAMS = {"main": 0, "synflow": 1, "zen": 2}
"""Random streams of the shared passes: generator seed = base draw + offset (fixed, so scores stay
reproducible; a new proxy needing its own stream adds one here)."""


def shared_proxy(name: str, *, needs: tuple[str, ...] = (), own_pass: bool = False, stream: str = "main",
                 description: str = "") -> Callable[[Callable[[Capture], float]], Callable[[Capture], float]]:
    """Decorator declaring ``fn(capture) -> float`` as the shared-pass proxy ``name``.

    It is also registered as a plain proxy (``get_proxy(name).fn(network, images, labels)`` runs the
    shared pass for it alone).

    Raises:
        ConfigError: an unknown capture item or stream, or ``name`` already declared.
    """
    bad = [n for n in needs if n not in NEEDS]
    if bad:
        raise ConfigError(f"unknown capture item {bad[0]!r}; known: {', '.join(NEEDS)}")
    if stream not in STREAMS:
        raise ConfigError(f"unknown random stream {stream!r}; known: {', '.join(STREAMS)}")

    def deco(fn: Callable[[Capture], float]) -> Callable[[Capture], float]:
        from .registry import register_shared

        old = _SHARED.get(name)
        if old is not None and (old.fn.__module__, old.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ConfigError(f"shared proxy {name!r} is already declared by {old.fn.__module__}.{old.fn.__qualname__}")
        desc = description or (fn.__doc__ or "").split("\n")[0]
        _SHARED[name] = SharedProxy(name, fn, frozenset(needs), own_pass, stream, desc)
        register_shared(name, desc)
        return fn

    return deco


def shared_proxies() -> dict[str, SharedProxy]:
    """Every declared shared-pass proxy (after the built-in proxy modules are imported), by name."""
    from .registry import ensure_builtins

    ensure_builtins()
    return dict(_SHARED)


def weighted_layers(network: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` of every Conv2d and Linear layer (the layers zero-cost proxies read)."""
    return [(n, m) for n, m in network.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


__all__ = ["Capture", "SharedProxy", "NEEDS", "LABEL_NEEDS", "STREAMS", "shared_proxy", "shared_proxies",
           "weighted_layers"]
