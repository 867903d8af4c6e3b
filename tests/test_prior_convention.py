"""`prior` ranks among the candidates it is given - the one convention README states (issue 29, item 7)."""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from dagfilter.rankers import get_ranker


def test_prior_is_the_rank_sum_among_the_given_candidates() -> None:
    sub = np.random.default_rng(0).choice(15625, 100, replace=False)
    got = get_ranker("prior").scores("nb201", sub)
    params = get_ranker("params").scores("nb201", sub)
    d_bar = get_ranker("d_bar").scores("nb201", sub)
    expected = (rankdata(params) + rankdata(d_bar)) / 2 / sub.size  # equal weights, ranks among these 100
    assert np.allclose(got, expected, rtol=0, atol=1e-12)
    whole = get_ranker("prior").scores("nb201", range(15625))[sub]  # ranked in the whole space, then restricted
    assert not np.array_equal(rankdata(got), rankdata(whole))  # not subset-stable: the convention matters
