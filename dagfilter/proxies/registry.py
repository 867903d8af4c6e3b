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


class _SharedCall:
    """``(network, images, labels) -> float`` of one shared-pass proxy: runs the shared pass for it alone."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.__name__ = f"{name}_score"

    def __call__(self, network: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
        from .passes import compute_proxies  # the orchestrator; proxy modules never import it

        return compute_proxies(network, images, labels, (self.name,))[self.name]


def register_shared(name: str, description: str) -> None:
    """Register the shared-pass proxy ``name`` (declared with
    :func:`~dagfilter.proxies.capture.shared_proxy`) as a plain proxy (``train()`` mode, with gradients)."""
    register_proxy(name, needs_grad=True, description=description, overwrite=True)(_SharedCall(name))


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


BUILTIN_MODULES = ("az_nas", "fisher", "grad_norm", "jacov", "linear_regions", "meco", "naswot", "ntk",
                   "snip", "swap", "synflow", "zen", "zico")
"""The built-in proxy modules (each registers its proxies on import). The one registry line: a new
proxy module adds its name here (see the recipe in :mod:`dagfilter.proxies`)."""


def ensure_builtins() -> None:
    """Import every built-in proxy module (idempotent)."""
    import importlib

    for mod in BUILTIN_MODULES:
        importlib.import_module(f"{__package__}.{mod}")


_ensure_builtins = ensure_builtins
