"""The neural capacitance probe (NCP) and its insertion into a network.

Neural capacitance paper (Sec. 5, Alg. 1, Fig. 1b): the original output layer is removed and a
small MLP is put on top of the remaining ("bottom") layers; the MLP is initialised with Kaiming
normal weights and **frozen**, only the bottom layers are trained. The paper's unit is
``dense 256 -> dense 128`` (each with batch normalisation and dropout 0.4) followed by the new
output layer.

Choice made here (the paper is ambiguous): the paper's own Appendix B proves that
``beta_eff`` of a ReLU MLP with fewer than three hidden layers is identically 0 (the layer
below a softmax output has zero in-degree), yet the probe it describes has two. We therefore
default to **three** hidden layers ``(256, 128, 64)``; each hidden layer is
``Linear -> BatchNorm1d (no affine) -> ReLU -> Dropout(0.4)``. The nodes of the line graph are
the probe's ``Linear`` weight matrices (biases and BatchNorm are not synaptic connections and are
left out of ``P``).
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..errors import ConfigError

DEFAULT_HIDDEN: tuple[int, ...] = (256, 128, 64)
"""Hidden sizes of the default probe (the paper's 256, 128 plus a third layer; see module doc)."""


class CapacitanceProbe(nn.Module):
    """A frozen, randomly initialised MLP head (the NCP unit).

    Args:
        in_features: size of the (flattened) input features.
        num_classes: outputs of the new output layer.
        hidden: hidden layer sizes.
        dropout: dropout probability after each hidden layer (0.4 in the paper).
        batchnorm: BatchNorm1d (without affine parameters) after each hidden Linear.
        seed: seeds the Kaiming-normal initialisation (a private generator; the global torch
            RNG is not touched).

    All parameters have ``requires_grad=False``: optimisers built from
    ``model.parameters()`` leave them untouched.
    """

    def __init__(self, in_features: int, num_classes: int, hidden: Sequence[int] = DEFAULT_HIDDEN,
                 dropout: float = 0.4, batchnorm: bool = True, seed: int = 0) -> None:
        super().__init__()
        sizes = [in_features, *hidden, num_classes]
        for name, value in (("in_features", in_features), ("num_classes", num_classes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        for h in hidden:
            if isinstance(h, bool) or not isinstance(h, int) or h < 1:
                raise ConfigError(f"probe hidden sizes must be positive integers, got {list(hidden)!r}")
        if not 0.0 <= float(dropout) < 1.0:
            raise ConfigError(f"probe dropout must be in [0, 1), got {dropout!r}")
        gen = torch.Generator().manual_seed(int(seed))
        blocks: list[nn.Module] = []
        self.linears = nn.ModuleList()
        for i in range(len(sizes) - 1):
            lin = nn.Linear(sizes[i], sizes[i + 1])
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=gen)
            nn.init.zeros_(lin.bias)
            self.linears.append(lin)
            blocks.append(lin)
            if i < len(sizes) - 2:
                if batchnorm:
                    blocks.append(nn.BatchNorm1d(sizes[i + 1], affine=False))
                blocks.append(nn.ReLU())
                if dropout > 0:
                    blocks.append(nn.Dropout(float(dropout)))
        self.body = nn.Sequential(*blocks)
        for p in self.parameters():
            p.requires_grad_(False)

    @property
    def num_layers(self) -> int:
        """Number of weight layers ``L`` of the probe MLP (hidden layers + output)."""
        return len(self.linears)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        return self.body(x.flatten(1))


def _get_submodule(model: nn.Module, name: str) -> nn.Module:
    try:
        return model.get_submodule(name)
    except AttributeError:
        names = [n for n, _ in model.named_modules() if n][:40]
        raise ConfigError(f"model {type(model).__name__} has no sub-module {name!r}; "
                          f"some of its modules: {names}") from None


def _input_features(model: nn.Module, layer: nn.Module, example: torch.Tensor | None) -> int:
    if isinstance(layer, nn.Linear):
        return int(layer.in_features)
    if example is None:
        raise ConfigError(f"cannot infer the probe input size of a {type(layer).__name__} layer; "
                          "pass an example input batch")
    seen: dict[str, int] = {}

    def hook(_m: nn.Module, inputs: tuple) -> None:
        seen["n"] = int(inputs[0].flatten(1).shape[1])

    handle = layer.register_forward_pre_hook(hook)
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(example)
    finally:
        handle.remove()
        model.train(was_training)
    if "n" not in seen:
        raise ConfigError("the probed layer was not called in the forward pass")
    return seen["n"]


def attach_probe(model: nn.Module, layer: str = "classifier", num_classes: int | None = None,
                 hidden: Sequence[int] = DEFAULT_HIDDEN, dropout: float = 0.4, batchnorm: bool = True,
                 seed: int = 0, example: torch.Tensor | None = None) -> CapacitanceProbe:
    """Replace ``model.<layer>`` (normally the output classifier) by a :class:`CapacitanceProbe`.

    The probe receives exactly what the replaced layer received (flattened), i.e. it sits on
    top of every layer below it, as in the paper's Fig. 1b. The model is modified in place.

    Args:
        model: any ``nn.Module``; NAS-Bench-201 and DARTS networks name their head ``classifier``.
        layer: dotted name of the layer to replace.
        num_classes: probe outputs (default: ``out_features`` of a replaced ``Linear``).
        hidden, dropout, batchnorm, seed: see :class:`CapacitanceProbe`.
        example: an input batch, needed only when ``layer`` is not an ``nn.Linear``.

    Returns:
        The inserted probe.

    Raises:
        ConfigError: unknown layer name, or sizes that cannot be inferred.
    """
    target = _get_submodule(model, layer)
    if num_classes is None:
        if not isinstance(target, nn.Linear):
            raise ConfigError(f"layer {layer!r} is a {type(target).__name__}; pass num_classes")
        num_classes = int(target.out_features)
    n_in = _input_features(model, target, example)
    probe = CapacitanceProbe(n_in, int(num_classes), hidden, dropout, batchnorm, seed)
    ref = next(iter(target.parameters()), None)
    if ref is not None:
        probe = probe.to(ref.device)
    parent_name, _, attr = layer.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, attr, probe)
    return probe


def find_probe(model: nn.Module) -> CapacitanceProbe:
    """The (single) :class:`CapacitanceProbe` inside ``model``.

    Raises:
        ConfigError: no probe, or more than one.
    """
    probes = [m for m in model.modules() if isinstance(m, CapacitanceProbe)]
    if len(probes) != 1:
        raise ConfigError(f"expected exactly one CapacitanceProbe in the model, found {len(probes)}; "
                          "insert one with dagfilter.trained.attach_probe")
    return probes[0]
