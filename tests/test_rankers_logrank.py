"""AZ-NAS's log-rank aggregation, the ``az`` alias group and shared-pass live parts in combined specs."""
from __future__ import annotations

import math

import numpy as np
import pytest

from dagfilter.errors import ConfigError
from dagfilter.rankers import combine, get_ranker, parse_spec


def test_logrank_is_the_weighted_sum_of_log_normalised_ranks():
    a, b = [3.0, 1.0, 2.0, 5.0], [10.0, 40.0, 20.0, 30.0]
    ra, rb = np.array([3, 1, 2, 4]) / 4, np.array([1, 4, 2, 3]) / 4
    assert np.allclose(combine([a, b], method="logrank"), (np.log(ra) + np.log(rb)) / 2)
    assert np.allclose(combine([a, b], [2, 1], method="logrank"), (2 * np.log(ra) + np.log(rb)) / 3)
    neg = np.array([2, 4, 3, 1]) / 4                     # a negative weight ranks the negated scores
    assert np.allclose(combine([a, b], [-1, 1], method="logrank"), (np.log(neg) + np.log(rb)) / 2)
    # a cell ranked last by one input loses more than rank-sum says: cell 3 (ranks 4th, 3rd)
    # beats cell 1 (ranks 1st, 4th) under both, but logrank separates them much more
    assert np.argmax(combine([a, b], method="logrank")) == 3
    with_nan = combine([[1.0, float("nan"), 2.0], [1.0, 2.0, 3.0]], method="logrank")
    assert np.isfinite(with_nan).all() and with_nan[1] < with_nan[2]


def test_spec_grammar_accepts_logrank_and_the_az_alias():
    s = parse_spec("logrank(az+prior)")
    assert s.method == "logrank"
    assert [t.name for t in s.terms] == ["az_expressivity", "az_progressivity", "az_trainability", "flops", "prior"]
    assert str(parse_spec("2*az", combine="logrank")).startswith("logrank(2*az_expressivity")
    with pytest.raises(ConfigError, match="az:x"):
        parse_spec("logrank(az:x+prior)")
    with pytest.raises(ConfigError, match="median"):
        parse_spec("median(az+prior)")


def test_shared_pass_parts_cost_one_pass_per_cell_and_match_the_single_rankers(cifar_dir, tmp_path):
    cells = np.array([6111, 0, 14000])
    opts = dict(data_dir=cifar_dir, batch_size=8, iso="off")
    combined = get_ranker("logrank(az_expressivity+az_trainability+flops)", **opts)
    out = combined.evaluate("nb201", cells)
    assert out.passes.tolist() == [1, 1, 1] and out.computed.all()
    singles = [get_ranker(n, **opts).evaluate("nb201", cells).scores for n in ("az_expressivity", "az_trainability")]
    flops = get_ranker("flops").evaluate("nb201", cells).scores
    assert np.allclose(out.scores, combine(singles + [flops], method="logrank"))
    # with a cache the shared scores land under each proxy's own key
    cached = get_ranker("az_expressivity+az_trainability", cache=tmp_path / "c", **opts)
    first = cached.evaluate("nb201", cells)
    again = cached.evaluate("nb201", cells)
    assert first.computed.all() and again.cached.all() and not again.computed.any()
    assert np.array_equal(first.scores, again.scores)
    assert all(math.isfinite(v) for v in singles[0])
