"""Adapters for other NAS code, in one place; nothing here imports xautodl, nats_bench, NASLib or NNI
at import time (each adapter reads the objects it is given, and imports a package only when asked).

* :mod:`~dagfilter.adapters.loops` - put the DAG filter into an existing search loop without
  restructuring it: :func:`filtered_sampler` and :func:`filtered_mutation` wrap the loop's own
  ``random_arch()`` / ``mutate(parent)`` so a rejected cell is redrawn (never evaluated, never charged
  training time); both count what they rejected.
* :mod:`~dagfilter.adapters.naslib` - NASLib: :func:`get_dataset_api` gives the
  ``dataset_api["nb201_data"][arch_str][dataset][metric][epoch]`` shape from dagfilter's table, and
  :func:`naslib_filter` makes a NASLib search space sample and mutate inside the window.
* architecture objects (xautodl ``Structure``, NASLib graphs and compact tuples, NNI dicts, DARTS
  ``Genotype`` namedtuples) are read everywhere by :mod:`dagfilter.encodings.foreign`; the nats_bench
  API is :func:`dagfilter.bench.create`.

Three lines for an xautodl / nats_bench script (``exps/NATS-algos/regularized_ea.py`` style)::

    from dagfilter.adapters import filtered_sampler, filtered_mutation
    random_arch = filtered_sampler(random_arch, fraction=0.5)
    mutate_arch = filtered_mutation(mutate_arch, fraction=0.5)
"""
from __future__ import annotations

from typing import Any

_EXPORTS = {
    "filtered_sampler": "loops", "filtered_mutation": "loops", "make_filter": "loops", "fast_accepts": "loops", "filtered_neighbours": "loops", "FilterStats": "loops",
    "get_dataset_api": "naslib", "naslib_filter": "naslib", "NB201Data": "naslib",
}


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'dagfilter.adapters' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{mod}", __name__), name)


__all__ = sorted(_EXPORTS)
