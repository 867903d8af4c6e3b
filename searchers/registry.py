"""Name -> searcher class registry (``searchers.register``, ``searchers.get``, ``searchers.available``)."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from dagfilter.errors import ConfigError

T = TypeVar("T")
_REGISTRY: dict[str, type] = {}


def register(name: str, *, overwrite: bool = False) -> Callable[[T], T]:
    """Class decorator registering a :class:`~searchers.base.Searcher` subclass as ``name``.

    Raises:
        ConfigError: ``name`` is taken and ``overwrite`` is False.
    """
    def deco(cls: T) -> T:
        if name in _REGISTRY and _REGISTRY[name] is not cls and not overwrite:
            raise ConfigError(f"searcher {name!r} is already registered (pass overwrite=True to replace it)")
        _REGISTRY[name] = cls  # type: ignore[assignment]
        cls.name = name  # type: ignore[attr-defined]
        return cls

    return deco


def get(name: str, **options: Any) -> Any:
    """A new searcher ``name`` configured with ``options`` (see each searcher's docstring).

    Raises:
        ConfigError: unknown name (the message lists the known ones) or a bad option.
    """
    _ensure_builtins()
    try:
        cls = _REGISTRY[name]
    except (KeyError, TypeError):
        from dagfilter.errors import show

        raise ConfigError(f"unknown searcher {show(name)}; available: {', '.join(available())}") from None
    import inspect

    try:  # an unknown option is a ConfigError naming it, not a TypeError from the constructor
        inspect.signature(cls).bind(**options)
    except TypeError as exc:
        raise ConfigError(f"searcher {name!r}: {exc}") from None
    return cls(**options)


def get_class(name: str) -> type:
    """The class registered as ``name`` (to inspect its options without building it).

    Raises:
        ConfigError: unknown name.
    """
    _ensure_builtins()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown searcher {name!r}; available: {', '.join(available())}") from None


def available() -> list[str]:
    """Registered searcher names, sorted."""
    _ensure_builtins()
    return sorted(_REGISTRY)


def _ensure_builtins() -> None:
    """Import every module of the ``searchers`` package once, so their ``@register`` runs."""
    import importlib
    import pkgutil

    from . import __name__ as pkg_name, __path__ as pkg_path

    for info in pkgutil.iter_modules(pkg_path):
        if not info.name.startswith("_") and info.name not in ("base", "registry"):
            importlib.import_module(f"{pkg_name}.{info.name}")
