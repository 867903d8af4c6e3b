"""Rankers: analytic scores vs their definitions, combinations, spec grammar, registry."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from dagfilter import DAGFilter
from dagfilter.cell import Cell
from dagfilter.errors import ConfigError, DagFilterError
from dagfilter.genotypes import DARTS_V2
from dagfilter.metrics import cell_nn_mass, depth_width
from dagfilter.nets.darts_counts import darts_param_count
from dagfilter.nets.nb201_counts import nb201_flops, nb201_param_count
from dagfilter.rankers import (available_rankers, combine, get_ranker, normalized_ranks, parse_spec,
                               rank_quality, register_ranker, top_fraction_precision, window_distance, zscores)
from dagfilter.rankers.analytic import AnalyticRanker
from dagfilter.spaces import get_space

ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
RNG_CELLS = np.random.default_rng(7).choice(15625, size=40, replace=False)


@pytest.fixture(scope="module")
def table(nb201_csv: pd.DataFrame) -> pd.DataFrame:
    return nb201_csv


def _cell(i: int) -> Cell:
    return Cell.from_nb201_index(int(i))


# --------------------------------------------------------------------------- analytic definitions
def test_all_conv_cell_by_hand() -> None:
    # 4 paths 0-3, 0-1-3, 0-2-3, 0-1-2-3 with 1, 2, 2, 3 convolutions: mean depth 2;
    # all three node-skipping edges (0-2, 0-3, 1-3) present: rho = 1, NN-Mass = 16 * 4 * 1 = 64.
    assert get_ranker("d_bar").scores("nb201", [ALL_CONV])[0] == pytest.approx(2.0)
    assert get_ranker("nn_mass").scores("nb201", [ALL_CONV])[0] == pytest.approx(64.0)
    # 6 convolutions of 3x3, C=16 stage: params equal the analytic counter's definition
    assert get_ranker("params").scores("nb201", [ALL_CONV])[0] == nb201_param_count(["nor_conv_3x3"] * 6)


def test_params_flops_match_benchmark_table_and_counters(table: pd.DataFrame) -> None:
    for ds, nc, hw in (("cifar10", 10, 32), ("cifar100", 100, 32), ("ImageNet16-120", 120, 16)):
        p = get_ranker(f"params:{ds}").scores("nb201", RNG_CELLS)
        f = get_ranker("flops", dataset=ds).scores("nb201", RNG_CELLS)
        for k, i in enumerate(RNG_CELLS):
            ops = _cell(i).nb201_ops()
            assert p[k] == nb201_param_count(ops, num_classes=nc)
            assert f[k] == nb201_flops(ops, num_classes=nc, input_hw=hw)
    # published NAS-Bench-201 parameter counts (CIFAR-10 head, millions, rounded to ~6 digits)
    p = get_ranker("params").scores("nb201", RNG_CELLS)
    np.testing.assert_allclose(p / 1e6, table["params_M"].to_numpy()[RNG_CELLS], rtol=1e-5)


def test_depth_width_nn_mass_match_per_cell_definitions() -> None:
    d = get_ranker("d_bar").scores("nb201", RNG_CELLS)
    m = get_ranker("m_bar").scores("nb201", RNG_CELLS)
    nm = get_ranker("nn_mass").scores("nb201", RNG_CELLS)
    nm8 = get_ranker("nn_mass:8").scores("nb201", RNG_CELLS)
    for k, i in enumerate(RNG_CELLS):
        c = _cell(i)
        dd, mm = depth_width(c)
        assert d[k] == pytest.approx(dd) and m[k] == pytest.approx(mm)
        assert nm[k] == pytest.approx(cell_nn_mass(c)) and nm8[k] == pytest.approx(cell_nn_mass(c, 8))


def test_encodings_agree() -> None:
    cells = [_cell(i) for i in RNG_CELLS[:5]]
    strings = [c.to_nb201_str() for c in cells]
    r = get_ranker("prior")
    np.testing.assert_array_equal(r.scores("nb201", RNG_CELLS[:5]), r.scores("nb201", strings))
    np.testing.assert_array_equal(r.scores("nb201", cells), r.scores("nb201", [int(i) for i in RNG_CELLS[:5]]))


def test_window_distance_definition_and_filter_equivalence() -> None:
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    idx = np.arange(15625)
    dist = -get_ranker("window_distance").scores("nb201", idx)
    d, m = get_space("nb201").all_depth_width()
    (cd, cm), (rd, rm) = flt.center, flt.radius
    for i in RNG_CELLS[:10]:
        assert dist[i] == pytest.approx(max(abs(d[i] - cd) / rd, abs(m[i] - cm) / rm))
    l2 = -get_ranker("window_distance:l2").scores("nb201", RNG_CELLS[:10])
    for k, i in enumerate(RNG_CELLS[:10]):
        assert l2[k] == pytest.approx(math.hypot((d[i] - cd) / rd, (m[i] - cm) / rm))
    for f in (0.25, 0.5, 1.0):  # accepted by the filter at fraction f <=> Chebyshev distance <= f
        np.testing.assert_array_equal(flt.with_fraction(f).mask(idx), dist <= f + 1e-9)
    assert window_distance(np.array([1.0]), np.array([5.0]), (1.0, 2.0), (0.0, 1.0))[0] == 3.0


def test_prior_is_rank_sum_of_params_and_d_bar() -> None:
    idx = np.arange(15625)
    p = get_ranker("params").scores("nb201", idx)
    d = get_ranker("d_bar").scores("nb201", idx)
    expected = (rankdata(p) + rankdata(d)) / 2 / len(idx)
    np.testing.assert_allclose(get_ranker("prior").scores("nb201", idx), expected)
    weighted = (rankdata(p) + 3 * rankdata(d)) / 4 / len(idx)
    np.testing.assert_allclose(get_ranker("prior:params,d_bar=3").scores("nb201", idx), weighted)
    # among a subset, the ranks are taken within the subset
    sub = RNG_CELLS[:12]
    np.testing.assert_allclose(get_ranker("prior").scores("nb201", sub),
                               (rankdata(p[sub]) + rankdata(d[sub])) / 2 / len(sub))


def test_prior_correlates_with_cifar10_as_published(table: pd.DataFrame) -> None:
    acc = table["cifar10_test_200"].to_numpy()
    q = rank_quality(get_ranker("prior").scores("nb201", np.arange(15625)), acc)
    assert q["spearman"] >= 0.80 and q["n"] == 15625


def test_darts_genotype_rankers() -> None:
    g = DARTS_V2
    assert get_ranker("params").scores("darts", [g])[0] == darts_param_count(g)
    assert get_ranker("params:cifar100").scores("darts", [g])[0] == darts_param_count(g, num_classes=100)
    cell = get_space("darts").cell_of(g, "normal")
    assert get_ranker("d_bar").scores("darts", [g])[0] == pytest.approx(depth_width(cell)[0])
    red = get_space("darts").cell_of(g, "reduce")
    assert get_ranker("m_bar:reduce").scores("darts", [g])[0] == pytest.approx(depth_width(red)[1])
    assert get_ranker("nn_mass").scores("darts", [g])[0] == pytest.approx(cell_nn_mass(cell))
    with pytest.raises(ConfigError, match="genotypes"):
        get_ranker("d_bar").scores("darts", np.arange(3))


# --------------------------------------------------------------------------- combination
ints = st.integers(min_value=-1000, max_value=1000)  # transforms below stay strictly increasing in floats


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(ints, ints, ints), min_size=2, max_size=40),
       st.lists(st.floats(min_value=0.1, max_value=5), min_size=3, max_size=3))
def test_rank_combination_invariant_to_monotone_transforms(rows: list, weights: list) -> None:
    a = np.asarray(rows, dtype=np.float64).T
    base = combine(list(a), weights, "rank")
    transformed = [np.exp(a[0] / 100), a[1] ** 3, 7.0 * a[2] - 3.0]  # strictly increasing maps
    np.testing.assert_allclose(combine(transformed, weights, "rank"), base)
    # and it is *not* invariant to an order-reversing map (unless the input is constant)
    if len(set(a[0].tolist())) > 1:
        assert not np.allclose(combine([-a[0], a[1], a[2]], weights, "rank"), base)


def test_rank_ties_nan_and_inf() -> None:
    r = normalized_ranks([3.0, 1.0, 3.0, np.nan, -np.inf])
    np.testing.assert_allclose(r, np.array([4.5, 3.0, 4.5, 1.5, 1.5]) / 5)
    z = zscores([1.0, 2.0, 3.0, -np.inf, np.inf])
    assert z[3] < z[0] < z[1] < z[2] < z[4]
    np.testing.assert_allclose(zscores([5.0, 5.0]), [0.0, 0.0])
    # z-score: invariant to positive affine maps
    x, y = np.array([1.0, 4.0, 2.0, 8.0]), np.array([0.5, 0.1, 0.9, 0.3])
    np.testing.assert_allclose(combine([x, y], method="zscore"), combine([10 * x + 2, y], method="zscore"))
    with pytest.raises(ConfigError, match="weights"):
        combine([x, y], [0, 0])
    with pytest.raises(ConfigError, match="equally long"):
        combine([x, y[:2]])
    with pytest.raises(ConfigError, match="'median'"):
        combine([x], method="median")


# --------------------------------------------------------------------------- spec grammar / registry
@pytest.mark.parametrize("text, canonical", [
    ("naswot", "naswot"),
    ("naswot+prior", "rank(naswot+prior)"),
    (" 2*naswot + prior:params,d_bar ", "rank(2*naswot+prior:params,d_bar)"),
    ("naswot*0.5+prior", "rank(0.5*naswot+prior)"),
    ("zscore(naswot+d_bar)", "zscore(naswot+d_bar)"),
    ("-m_bar", "rank(-m_bar)"),
    ("params:ImageNet16-120+d_bar", "rank(params:ImageNet16-120+d_bar)"),
])
def test_spec_canonical_forms(text: str, canonical: str) -> None:
    assert str(parse_spec(text)) == canonical


@pytest.mark.parametrize("text, match", [
    ("", "non-empty"), ("naswot++prior", "empty term"), ("median(naswot)", "'median'"),
    ("2*3*naswot", "at most one weight"), ("x*naswot", "must be a number"), ("rank(a+(b))", "parenthes"),
    ("9lives", "bad ranker name"), ("prior:", "empty argument list"),
])
def test_spec_errors(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_spec(text)


def test_registry_errors_and_extension() -> None:
    with pytest.raises(ConfigError, match="unknown ranker 'synflow2'.*d_bar"):
        get_ranker("synflow2")
    with pytest.raises(ConfigError, match="analytic rankers only"):
        get_ranker("prior:params,naswot")
    with pytest.raises(ConfigError, match="at most 1"):
        get_ranker("params:cifar10,cifar100")
    with pytest.raises(ConfigError, match="unknown data set 'mnist'"):
        get_ranker("params:mnist")
    with pytest.raises(ConfigError, match="already registered"):
        register_ranker("params", lambda args, ctx: get_ranker("d_bar"))
    with pytest.raises(ConfigError, match="unknown ranker option"):
        get_ranker("params", colour="red")
    register_ranker("test_node_count", lambda args, ctx: AnalyticRanker(
        "test_node_count", lambda c: np.full(len(c), 4.0)), overwrite=True)
    assert "test_node_count" in available_rankers()
    r = get_ranker("test_node_count+d_bar")
    assert r.kind == "analytic" and r.cost == 0
    live = get_ranker("naswot+prior")
    assert live.kind == "live" and live.cost == 1


def test_top_fraction_precision() -> None:
    truth = np.arange(100.0)
    assert top_fraction_precision(truth, truth, 0.05) == 1.0
    assert top_fraction_precision(-truth, truth, 0.05) == 0.0
    s = truth.copy()
    s[99] = -1  # the best cell predicted worst: 4 of the top 5 still found
    assert top_fraction_precision(s, truth, 0.05) == pytest.approx(0.8)
    with pytest.raises(DagFilterError):
        top_fraction_precision(s, truth[:5])


def test_analytic_whole_space_is_vectorized_and_errors_are_clear() -> None:
    out = get_ranker("prior").evaluate("nb201", np.arange(15625))
    assert out.scores.shape == (15625,) and out.forward_passes == 0
    with pytest.raises(ConfigError, match="15625"):
        get_ranker("d_bar").scores("nb201", np.array([15625]))
    with pytest.raises(DagFilterError):
        get_ranker("d_bar").scores("nb201", ["|bogus~0|"])
