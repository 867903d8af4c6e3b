"""Build the network for a cell under a training config (thin adapter over :mod:`dagfilter.nets`)."""
from __future__ import annotations

from typing import Any, Callable

from torch import nn

from ..errors import ConfigError
from .protocols import TrainConfig

#: ``factory(config, num_classes) -> nn.Module``; DARTS-style modules may return ``(logits, aux)``.
ModelFactory = Callable[[TrainConfig, int], nn.Module]


def build_model(space: str, arch: Any, config: TrainConfig, num_classes: int) -> nn.Module:
    """The NAS-Bench-201 or DARTS network of ``arch`` sized by ``config``.

    NB201: ``C=config.channels``, ``N=config.layers`` cells per stage. DARTS: CIFAR-style
    network for 32x32 / 16x16 data, ImageNet network for ``imagenet``, with
    ``C=config.channels``, ``layers=config.layers``, an auxiliary head when
    ``config.auxiliary_weight > 0`` and ``drop_path_prob=config.drop_path_prob``.
    """
    if space != config.space:
        raise ConfigError(f"the cell is a {space} architecture but protocol {config.protocol!r} "
                          f"trains {config.space} networks; pick --protocol {space}")
    from ..nets import build_network

    if space == "nb201":
        return build_network(arch, space="nb201", num_classes=num_classes, C=config.channels, N=config.layers)
    if space == "darts":
        return build_network(arch, space="darts_imagenet" if config.dataset == "imagenet" else "darts",
                             num_classes=num_classes, C=config.channels, layers=config.layers,
                             auxiliary=config.auxiliary_weight > 0, drop_path_prob=config.drop_path_prob)
    raise ConfigError(f"unknown network space {space!r}; use 'nb201' or 'darts'")


def cell_model_factory(space: str, arch: Any) -> ModelFactory:
    """A :data:`ModelFactory` building ``arch``'s network with :func:`build_model`."""
    def factory(config: TrainConfig, num_classes: int) -> nn.Module:
        return build_model(space, arch, config, num_classes)
    return factory
