"""Wrap a search loop's own sampler and mutation so the DAG filter applies without restructuring it.

>>> random_arch = filtered_sampler(random_arch, fraction=0.5)     # xautodl: returns a CellStructure
>>> mutate_arch = filtered_mutation(mutate_arch, fraction=0.5)    # mutate_arch(parent) -> child

A rejected cell is redrawn inside the wrapper, so the loop never evaluates it and the benchmark
never charges its training time. The wrappers keep the loop's own objects (a ``CellStructure`` stays
a ``CellStructure``) and count draws and rejections in ``wrapper.stats``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from ..errors import ConfigError, show
from ..filter import DAGFilter

T = TypeVar("T")


@dataclass
class FilterStats:
    """What a wrapper did: calls, candidates drawn, candidates rejected."""

    calls: int = 0
    drawn: int = 0
    rejected: int = 0


def make_filter(flt: "DAGFilter | None" = None, fraction: "float | None" = None, space: str = "nb201") -> DAGFilter:
    """``flt`` as given, or the space's window at ``fraction`` (default: the space's recommended window)."""
    if flt is not None:
        if fraction is not None:
            raise ConfigError("pass either a DAGFilter or a fraction, not both")
        if not isinstance(flt, DAGFilter):
            raise ConfigError(f"flt must be a dagfilter.DAGFilter, got {show(flt)}")
        return flt
    if fraction is None:
        return DAGFilter.recommended(space)
    return DAGFilter.from_space(space, fraction)


def filtered_sampler(sampler: Callable[..., T], flt: "DAGFilter | None" = None, *, fraction: "float | None" = None,
                     space: str = "nb201", max_tries: int = 10_000) -> Callable[..., T]:
    """``sampler`` that redraws until the architecture lies in the filter window.

    Raises :class:`~dagfilter.errors.ConfigError` after ``max_tries`` rejections in a row (an empty window).
    """
    f = make_filter(flt, fraction, space)
    stats = FilterStats()

    @functools.wraps(sampler)
    def sample(*args: Any, **kwargs: Any) -> T:
        stats.calls += 1
        for _ in range(max_tries):
            arch = sampler(*args, **kwargs)
            stats.drawn += 1
            if f.accepts(arch):
                return arch
            stats.rejected += 1
        raise ConfigError(f"{max_tries} samples in a row were rejected by {f.describe()}")

    sample.stats = stats  # type: ignore[attr-defined]
    sample.filter = f  # type: ignore[attr-defined]
    return sample


def filtered_mutation(mutate: Callable[..., T], flt: "DAGFilter | None" = None, *, fraction: "float | None" = None,
                      space: str = "nb201", max_tries: int = 1000, on_exhausted: str = "raise",
                      sampler: "Callable[[], T] | None" = None) -> Callable[..., T]:
    """``mutate(parent, ...)`` that redraws the mutation until the child lies in the window.

    A parent may have no accepted neighbour; after ``max_tries`` rejected children
    ``on_exhausted`` decides: ``"raise"`` (:class:`ConfigError`), ``"keep"`` (return the last child,
    unfiltered; counted in ``stats``) or ``"sample"`` (a fresh accepted cell from ``sampler``).
    """
    if on_exhausted not in ("raise", "keep", "sample"):
        raise ConfigError(f"on_exhausted must be 'raise', 'keep' or 'sample', got {show(on_exhausted)}")
    if on_exhausted == "sample" and sampler is None:
        raise ConfigError("on_exhausted='sample' needs sampler=")
    f = make_filter(flt, fraction, space)
    stats = FilterStats()
    exhausted = [0]

    @functools.wraps(mutate)
    def mutated(parent: Any, *args: Any, **kwargs: Any) -> T:
        stats.calls += 1
        child = None
        for _ in range(max_tries):
            child = mutate(parent, *args, **kwargs)
            stats.drawn += 1
            if f.accepts(child):
                return child
            stats.rejected += 1
        exhausted[0] += 1
        if on_exhausted == "keep":
            return child  # type: ignore[return-value]
        if on_exhausted == "sample":
            for _ in range(10_000):
                cand = sampler()  # type: ignore[misc]
                if f.accepts(cand):
                    return cand
        raise ConfigError(f"{max_tries} mutations of {show(parent)} in a row were rejected by {f.describe()}")

    mutated.stats = stats  # type: ignore[attr-defined]
    mutated.filter = f  # type: ignore[attr-defined]
    mutated.exhausted = exhausted  # type: ignore[attr-defined]
    return mutated


__all__ = ["filtered_sampler", "filtered_mutation", "make_filter", "FilterStats"]
