"""Rank UNTRAINED architectures with or without a forward pass: analytic DAG priors, live proxies, combinations.

Question answered: *which of these many candidate cells look best before any training?* -
from the cell's DAG alone (analytic rankers, no network built) or from one forward/backward
pass of a seeded untrained network on one minibatch (live rankers, training-free proxies from
:mod:`dagfilter.proxies`). To rank a few finalists after a brief training (neural
capacitance, module criticality) use :mod:`dagfilter.trained` instead.

>>> import numpy as np
>>> from dagfilter.rankers import get_ranker, available_rankers
>>> prior = get_ranker("prior")                          # rank-sum of params and d_bar
>>> s = prior.scores("nb201", np.arange(15625))          # whole NAS-Bench-201, ~10 ms
>>> get_ranker("d_bar").scores("nb201", ["|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"])
array([2.])
>>> r = get_ranker("naswot+prior", dataset="cifar10", cache="runs/cache")   # doctest: +SKIP
>>> out = r.evaluate("nb201", candidates); out.scores, out.stats()           # doctest: +SKIP

Rankers (``available_rankers()``): analytic ``params``, ``flops``, ``d_bar``, ``m_bar``,
``nn_mass``, ``window_distance``, ``prior`` (cost 0, no network built) and live ``naswot`` (one
forward pass per scored cell; cache- and isomorphism-aware). Specs combine them by rank-sum
(default) or z-score with weights: see :mod:`dagfilter.rankers.spec` for the grammar and
:mod:`dagfilter.rankers.combine` for the maths. Combinations rank among the candidates scored
together (in a search: the sampled, accepted cells), not among the whole space.

Evaluation helpers (Spearman, Kendall tau, top-k precision) are in :mod:`dagfilter.rankers.evaluation`;
:func:`dagfilter.rankers.ranking.rank_cells` ranks a whole space (or given cells) into a DataFrame
with benchmark accuracies and agreement (CLI: ``dagfilter rank``).
"""
from __future__ import annotations

from .analytic import AnalyticRanker, nb201_nn_mass, window_distance
from .base import Candidates, Ranker, RankerOutput, as_candidates
from .combine import METHODS, combine, normalized_ranks, zscores
from .context import ISO_MODES, RankerContext
from .evaluation import rank_quality, top_fraction_precision
from .live import LiveProxyRanker
from .registry import CombinedRanker, available_rankers, get_ranker, register_ranker
from .spec import Spec, Term, parse_spec

__all__ = [
    "Ranker", "RankerOutput", "Candidates", "as_candidates", "RankerContext", "ISO_MODES",
    "AnalyticRanker", "LiveProxyRanker", "CombinedRanker",
    "get_ranker", "register_ranker", "available_rankers",
    "parse_spec", "Spec", "Term", "combine", "normalized_ranks", "zscores", "METHODS",
    "nb201_nn_mass", "window_distance", "rank_quality", "top_fraction_precision",
]
