"""Instant benchmark queries: NAS-Bench-201, the DARTS space, NDS files, official NATS-Bench files.

>>> from dagfilter import bench
>>> api = bench.load("nb201")                       # ~30 ms cold, 15,625 cells
>>> r = api.query("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
...               "cifar100", "test-accuracy", hp=200)
>>> r.hp, r.metric, r.trials                        # every answer says what it is
(200, 'x-test', 'mean')
>>> api.find_best("cifar10", "ori-test")            # (index, accuracy)
(6111, 94.3733)

Names follow ``nats_bench`` exactly (data sets ``cifar10-valid``, ``cifar10``, ``cifar100``,
``ImageNet16-120``; splits ``x-valid``, ``x-test``, ``ori-test``, ``train``), but ``hp``
defaults to the full 200-epoch schedule, and a figure the table lacks is a
:class:`~dagfilter.errors.BenchmarkError` that lists what exists.

Benchmarks: ``load("nb201")``, ``load("darts725")``, ``load(PATH)`` for an NDS JSON file or
folder, a NATS-Bench fast-mode folder, or a table written by ``dagfilter data import``;
:func:`from_nats` wraps an official API object. :func:`register_benchmark` adds more.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from ..errors import BenchmarkError, show
from .base import Benchmark, QueryResult, SimulatedEval, TableBenchmark
from .genotype import GenotypeBenchmark
from .isomorphism import nb201_iso_class, nb201_iso_classes, num_iso_classes
from .names import NB201_DATASETS, FigureSpec
from .nb201 import NB201Benchmark

_BUILTIN: dict[str, tuple[Callable[..., Benchmark], str]] = {
    "nb201": (lambda **kw: NB201Benchmark.from_file(**kw),
              "NAS-Bench-201 / NATS-Bench topology space: 15,625 cells, 4 data sets, hp 200 and 12"),
    "darts725": (lambda **kw: GenotypeBenchmark.darts725(**kw),
                 "725 DARTS-space genotypes with CIFAR-10 validation accuracy (NAS-Bench-301 data)"),
}


class _Registry:
    """Name -> loader; one instance per process, holding only loaders (no data)."""

    def __init__(self) -> None:
        self._loaders: dict[str, tuple[Callable[..., Benchmark], str]] = dict(_BUILTIN)

    def add(self, name: str, loader: Callable[..., Benchmark], description: str, overwrite: bool) -> None:
        if name in self._loaders and not overwrite:
            raise BenchmarkError(f"benchmark name {show(name)} is already registered; pass overwrite=True")
        self._loaders[name] = (loader, description)

    def get(self, name: str) -> Callable[..., Benchmark]:
        return self._loaders[name][0]

    def describe(self) -> dict[str, str]:
        return {k: v[1] for k, v in self._loaders.items()}


_REGISTRY = _Registry()


def register_benchmark(name: str, loader: Callable[..., Benchmark], description: str = "",
                       overwrite: bool = False) -> None:
    """Make ``load(name)`` call ``loader(**kwargs)``."""
    _REGISTRY.add(name, loader, description, overwrite)


def available() -> dict[str, str]:
    """Registered benchmark names with one-line descriptions (paths are accepted too)."""
    return _REGISTRY.describe()


def load(name_or_path: "str | os.PathLike[str]", **kwargs: Any) -> Benchmark:
    """Open a benchmark by name or path.

    * ``"nb201"``, ``"darts725"`` (shipped tables) or any registered name;
    * an ``.npz`` table written by ``dagfilter data import`` / the build script;
    * an NDS ``.json`` file (``DARTS.json``, ``ENAS_in.json``, ...) or a folder of them;
    * a NATS-Bench topology fast-mode folder (``NATS-tss-v1_0-3ffb9-simple``) or ``.pickle.pbz2`` file.

    Raises:
        BenchmarkError: unknown name, missing/corrupted file.
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise BenchmarkError(f"a benchmark is a registered name ({', '.join(available())}) or a path, "
                             f"got {show(name_or_path)}")
    text = os.fspath(name_or_path)
    if not isinstance(text, str):  # a bytes path
        raise BenchmarkError(f"a benchmark path must be text, got {show(text)}")
    try:
        loader = _REGISTRY.get(text)
    except KeyError:
        loader = None
    if loader is not None:
        return loader(**kwargs)
    path = Path(text)
    try:
        exists = path.exists()
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte
        raise BenchmarkError(f"benchmark path {show(text)} is not usable: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
    if not exists:
        raise BenchmarkError(f"unknown benchmark {show(text)}: not a registered name ({', '.join(available())}) "
                             "and no such file or folder")
    if path.suffix == ".npz":
        from .store import read_table

        meta, cols = read_table(path)
        if meta.get("benchmark") == "nb201":
            return NB201Benchmark(meta, cols)
        if meta.get("benchmark") == "nds":
            from .nds import NDSBenchmark

            return NDSBenchmark("nds", meta, cols)
        return GenotypeBenchmark(str(meta.get("benchmark")), meta, cols)
    if path.suffix == ".json" or (path.is_dir() and any(path.glob("*.json"))):
        from .nds import load_nds

        return load_nds(path, **kwargs)
    if path.name.endswith(".pickle.pbz2") or (path.is_dir() and (path / "meta.pickle.pbz2").exists()):
        from .official import from_nats

        return from_nats(path, **kwargs)
    raise BenchmarkError(f"cannot tell which benchmark {show(text)} holds (expected .npz, NDS .json, or NATS-Bench files)")


def create(file_path_or_dict: Any = None, search_space: str = "tss", fast_mode: bool = True, verbose: bool = False,
           **kwargs: Any) -> Any:
    """A drop-in for ``nats_bench.create`` (topology space) over the shipped table or official files;
    see :mod:`dagfilter.bench.compat` for what the table lacks and what you get instead."""
    from .compat import create as _create

    return _create(file_path_or_dict, search_space, fast_mode, verbose, **kwargs)


def from_nats(api_or_path: Any, **kwargs: Any) -> Benchmark:
    """Serve the query API from official files: a ``nats_bench`` API object, a legacy
    ``nas_201_api.NASBench201API``, or a path for ``nats_bench.create(path, 'tss', fast_mode=...)``."""
    from .official import from_nats as _from_nats

    return _from_nats(api_or_path, **kwargs)


__all__ = ["Benchmark", "TableBenchmark", "NB201Benchmark", "GenotypeBenchmark", "QueryResult", "SimulatedEval",
           "FigureSpec", "NB201_DATASETS", "load", "available", "register_benchmark", "from_nats", "create",
           "nb201_iso_class", "nb201_iso_classes", "num_iso_classes"]
