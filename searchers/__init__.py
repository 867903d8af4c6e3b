"""Architecture searchers that plug into dagfilter.

One interface (:class:`Searcher`), one registry::

    import searchers
    searchers.available()                      # ['naswot', 'random', ...]
    s = searchers.get("naswot", dataset="cifar10", data_dir="/data/cifar10", cache="runs/cache")
    res = s.search("nb201", budget=100, seed=0, filter=dagfilter.DAGFilter.from_space("nb201", 0.5))
    print(res.summary()); res.to_json("result.json")

Add a searcher by subclassing :class:`Searcher` (implement ``evaluate``) and decorating it with
``@searchers.register("name")``. See :mod:`searchers.base` for the exact sampling semantics.
"""
from __future__ import annotations

from .base import BUDGET_MODES, Evaluation, Searcher, SearchResult
from .registry import available, get, get_class, register

__all__ = ["Searcher", "SearchResult", "Evaluation", "BUDGET_MODES", "register", "get", "get_class", "available"]
