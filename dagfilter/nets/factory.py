"""One factory for the evaluation networks of every supported space (:func:`build_network`)."""
from __future__ import annotations

import inspect
from typing import Any

from torch import nn

from ..errors import CellFormatError, ConfigError, SpaceError
from .darts import NetworkCIFAR, NetworkImageNet
from .nb201 import NB201Network, check_nb201_ops

SPACES: tuple[str, ...] = ("nb201", "darts", "darts_imagenet")
MAX_GENOTYPE_NODES = 8
"""Most intermediate nodes per cell of a genotype :func:`build_network` builds a network for."""
"""Space names :func:`build_network` accepts (``"nds"`` is an alias of ``"darts"``)."""

DARTS_DEFAULTS: dict[str, Any] = {"C": 36, "layers": 20}
"""DARTS' CIFAR-10 evaluation settings (used when ``C`` / ``layers`` are not given)."""

NB301_SETTINGS: dict[str, Any] = {"C": 32, "layers": 8, "affine": False}
"""``build_network(g, "darts", **NB301_SETTINGS)`` has exactly NAS-Bench-301's parameter count
(auxiliary head excluded): 32 initial channels, 8 cells, BatchNorm inside cell ops without affine
parameters."""


def _nb201_ops_of(cell: Any) -> tuple[str, ...]:
    if hasattr(cell, "nb201_ops") and callable(cell.nb201_ops):
        return check_nb201_ops(cell.nb201_ops())
    if isinstance(cell, str):
        from ..cell import Cell  # the lead's parser of official arch strings

        return check_nb201_ops(Cell.from_nb201_str(cell).nb201_ops())
    return check_nb201_ops(cell)


_NETWORK_CLASSES: dict[str, type] = {"nb201": NB201Network, "darts": NetworkCIFAR, "nds": NetworkCIFAR,
                                      "darts_imagenet": NetworkImageNet}


def network_defaults(space: str) -> dict[str, Any]:
    """The size/option keywords :func:`build_network` accepts for ``space`` and their defaults
    (read from the network's signature; DARTS sizes from :data:`DARTS_DEFAULTS`).

    ``network_defaults("nb201") == {"C": 16, "N": 5}``: the NAS-Bench-201 benchmark network.

    Raises:
        SpaceError: unknown ``space``.
    """
    key = str(space).lower()
    if key not in _NETWORK_CLASSES:
        raise SpaceError(f"unknown space {space!r}; known: {', '.join(SPACES)} (and 'nds')")
    params = inspect.signature(_NETWORK_CLASSES[key].__init__).parameters
    out = {n: p.default for n, p in params.items() if p.default is not p.empty and n != "num_classes"}
    return {**out, **DARTS_DEFAULTS} if key != "nb201" else out


def build_network(cell: Any, space: str = "nb201", num_classes: int = 10, **kwargs: Any) -> nn.Module:
    """Build the evaluation network of ``cell`` in ``space``.

    Args:
        cell: for ``"nb201"``: 6 op names in arch-string order, an object with a
            ``nb201_ops()`` method (e.g. :class:`dagfilter.cell.Cell`), or an official arch
            string. For ``"darts"`` / ``"nds"`` / ``"darts_imagenet"``: a ``Genotype`` or any
            object (or NDS JSON dict) with ``normal``, ``normal_concat``, ``reduce``,
            ``reduce_concat``.
        space: ``"nb201"``, ``"darts"`` (alias ``"nds"``, CIFAR network) or ``"darts_imagenet"``.
        num_classes: classifier outputs.
        **kwargs: passed to the network: ``C``, ``N`` for NAS-Bench-201; ``C`` (default 36),
            ``layers`` (default 20), ``auxiliary``, ``drop_path_prob``, ``affine`` (and
            ``stem_multiplier`` for CIFAR) for DARTS.

    Returns:
        :class:`NB201Network`, :class:`NetworkCIFAR` or :class:`NetworkImageNet`.

    Raises:
        SpaceError: unknown ``space``; CellFormatError / UnknownOpError: a bad cell;
        ConfigError: bad sizes; TypeError: an unexpected keyword argument.
    """
    key = str(space).lower()
    if key == "nb201":
        return NB201Network(_nb201_ops_of(cell), num_classes=num_classes, **kwargs)
    if key in ("darts", "nds", "darts_imagenet"):
        if hasattr(cell, "nb201_ops") and not hasattr(cell, "normal"):
            raise CellFormatError(f"space {space!r} needs a DARTS genotype, got a NAS-Bench-201 cell {cell!r}")
        from ..encodings.darts import to_genotype

        g = to_genotype(cell)
        nodes = max(len(g.normal), len(g.reduce)) // 2
        if nodes > MAX_GENOTYPE_NODES:
            raise ConfigError(f"DARTS-space networks are built for cells of up to {MAX_GENOTYPE_NODES} intermediate "
                              f"nodes (DARTS has 4, the NDS spaces 5); this genotype has {nodes}")
        opts = {**DARTS_DEFAULTS, **kwargs}
        C, layers = opts.pop("C"), opts.pop("layers")
        net_cls = NetworkImageNet if key == "darts_imagenet" else NetworkCIFAR
        return net_cls(C, num_classes, layers, cell, **opts)
    raise SpaceError(f"unknown space {space!r}; known: {', '.join(SPACES)} (and 'nds')")


__all__ = ["build_network", "network_defaults", "SPACES", "DARTS_DEFAULTS", "NB301_SETTINGS"]
