"""Registry of training-free proxies (name -> :class:`Proxy`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ..errors import ConfigError

ProxyFn = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], float]


@dataclass(frozen=True)
class Proxy:
    """A registered proxy.

    Attributes:
        name: registry name.
        fn: ``(network, images, labels) -> float``; higher means predicted better.
        train_mode: whether the network is scored in ``train()`` mode (BatchNorm on batch statistics).
        needs_grad: whether ``fn`` runs backward passes (otherwise it is called under ``torch.no_grad``).
        description: one line for ``--help`` and listings.
    """

    name: str
    fn: ProxyFn
    train_mode: bool = True
    needs_grad: bool = False
    description: str = ""


_REGISTRY: dict[str, Proxy] = {}


def register_proxy(name: str, *, train_mode: bool = True, needs_grad: bool = False, description: str = "",
                   overwrite: bool = False) -> Callable[[ProxyFn], ProxyFn]:
    """Decorator registering ``fn(network, images, labels) -> float`` as proxy ``name``.

    Raises:
        ConfigError: ``name`` is taken and ``overwrite`` is False.
    """
    def deco(fn: ProxyFn) -> ProxyFn:
        if name in _REGISTRY and not overwrite:
            raise ConfigError(f"proxy {name!r} is already registered (pass overwrite=True to replace it)")
        _REGISTRY[name] = Proxy(name, fn, train_mode, needs_grad, description or (fn.__doc__ or "").split("\n")[0])
        return fn

    return deco


def get_proxy(name: str) -> Proxy:
    """The proxy registered as ``name``.

    Raises:
        ConfigError: unknown name (the message lists the known ones).
    """
    _ensure_builtins()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown proxy {name!r}; available: {', '.join(available_proxies())}") from None


def available_proxies() -> list[str]:
    """Names of the registered proxies, sorted."""
    _ensure_builtins()
    return sorted(_REGISTRY)


def _ensure_builtins() -> None:
    # the one registry line: a new proxy module is added here (see the recipe in dagfilter.proxies)
    from . import (az_nas, fisher, grad_norm, jacov, linear_regions, meco, naswot, ntk,  # noqa: F401
                   snip, swap, synflow, zen, zico)  # (register on import)
