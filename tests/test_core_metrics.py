"""Effective depth/width, path statistics, expected metrics, the Eq. 12 bound and NN-Mass."""
from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from dagfilter import Cell, DARTS_V2, DAGFilter
from dagfilter.encodings import darts, nb201
from dagfilter.errors import DagFilterError
from dagfilter.metrics import (average_degree, batch_depth_width, cell_density, cell_nn_mass, depth_width,
                               expected_depth_width, nb201_depth_width, nn_density, nn_mass, nngp_bound,
                               nngp_bound_from_depths, path_stats, relu_nngp_map)

PARAM_OPS = {"nor_conv_1x1", "nor_conv_3x3", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5", "linear"}
FREE_OPS = {"skip_connect", "avg_pool_3x3", "max_pool_3x3", "concat"}


def brute_force_paths(edges, inputs, output):
    """Independent reference: enumerate every input->output path explicitly (recursion over edge ids)."""
    out_edges = {}
    for k, (s, d, op) in enumerate(edges):
        out_edges.setdefault(s, []).append(k)
    depths = []

    def walk(node, depth):
        if node == output:
            depths.append(depth)
            return
        for k in out_edges.get(node, []):
            s, d, op = edges[k]
            if op == "none":
                continue
            assert op in PARAM_OPS or op in FREE_OPS, op
            walk(d, depth + (op in PARAM_OPS))

    for i in inputs:
        walk(i, 0)
    P = len(depths)
    if P == 0:
        return 0, [], 0.0, 0.0
    d_bar = sum(depths) / P
    m_bar = sum(1 for d in depths if d > 0) / d_bar if d_bar > 0 else 0.0
    return P, sorted(depths), d_bar, m_bar


def test_all_nb201_cells_match_brute_force_enumeration():
    codes = nb201.index_codes()
    d_vec, m_vec = nb201_depth_width(codes)
    for i in range(nb201.NUM_ARCHS):
        ops = [nb201.NB201_OPS[c] for c in codes[i]]
        edges = [(s, t, op) for (s, t), op in zip(nb201.NB201_EDGES, ops)]
        P, depths, d_ref, m_ref = brute_force_paths(edges, [0], 3)
        assert d_vec[i] == pytest.approx(d_ref, abs=1e-12), i
        assert m_vec[i] == pytest.approx(m_ref, abs=1e-12), i
        if i % 97 == 0:  # the scalar DP path too, on a spread of cells
            s = path_stats(nb201.from_index(i))
            assert s.num_paths == P and s.path_depths == depths


def test_darts_725_cells_match_brute_force(shared_dir):
    df = pd.read_csv(shared_dir / "data/darts/darts_space_725.csv")
    cells = []
    refs = []
    for text in df["genotype_json"]:
        g = json.loads(text)
        for part in ("normal", "reduce"):
            cell = darts.cell_from_genotype(g, part)
            cells.append(cell)
            refs.append(brute_force_paths(list(cell.edges), [0, 1], cell.output))
    d, m = batch_depth_width(cells)
    for k, (cell, (P, depths, d_ref, m_ref)) in enumerate(zip(cells, refs)):
        assert d[k] == pytest.approx(d_ref, abs=1e-12)
        assert m[k] == pytest.approx(m_ref, abs=1e-12)
        if k % 53 == 0:
            assert path_stats(cell).path_depths == depths


def test_parallel_edges_are_distinct_paths():
    cell = Cell(3, [(0, 1, "nor_conv_3x3"), (0, 1, "skip_connect"), (1, 2, "nor_conv_3x3")])
    s = path_stats(cell)
    assert s.num_paths == 2 and s.path_depths == [1, 2]
    assert depth_width(cell) == (1.5, pytest.approx(2 / 1.5))


def test_degenerate_cells_follow_the_zero_convention():
    all_none = Cell.from_nb201_str("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    assert depth_width(all_none) == (0.0, 0.0)
    assert path_stats(all_none).num_paths == 0
    all_pool = Cell.from_nb201_ops(["avg_pool_3x3"] * 6)
    assert path_stats(all_pool).num_paths == 4
    assert depth_width(all_pool) == (0.0, 0.0)


def paper_dag(k):
    lin, skip, none = "linear", "skip_connect", "none"
    ops = {  # arch-string order: 0-1, 0-2, 1-2, 0-3, 1-3, 2-3
        1: [lin, none, lin, none, none, lin],
        2: [skip, none, skip, lin, lin, lin],
        3: [lin, lin, skip, skip, skip, lin],
    }[k]
    return Cell(4, [(s, d, op) for (s, d), op in zip(nb201.NB201_EDGES, ops)])


def test_paper_dags_path_counts_and_bound_order():
    stats = [path_stats(paper_dag(k)) for k in (1, 2, 3)]
    assert [s.num_paths for s in stats] == [1, 3, 4]
    assert stats[0].path_depths == [3]
    assert stats[1].path_depths == [1, 1, 1]
    assert stats[2].path_depths == [0, 1, 2, 2]
    for rho in (0.1, 0.3, 0.5, 0.7, 0.9):
        b = [nngp_bound(paper_dag(k), rho) for k in (1, 2, 3)]
        assert b[0] < b[1] < b[2], (rho, b)
    # Eq. 7 and Eq. 9 in closed form.
    f = relu_nngp_map
    assert nngp_bound(paper_dag(1), 0.5) == pytest.approx(1 - f(f(f(0.5))))
    assert nngp_bound(paper_dag(2), 0.5) == pytest.approx(3 * (1 - f(0.5)))


def test_relu_nngp_map_properties():
    r = np.linspace(-1, 1, 201)
    v = relu_nngp_map(r)
    assert relu_nngp_map(1.0) == pytest.approx(1.0)
    assert relu_nngp_map(0.0) == pytest.approx(1 / np.pi)
    assert np.all(np.diff(v) > 0)
    assert np.all(v[r >= 0] >= r[r >= 0] - 1e-12)


def test_bound_takes_gram_matrix_and_min_over_pairs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 20))
    gram = x @ x.T
    corr = gram / np.sqrt(np.outer(np.diag(gram), np.diag(gram)))
    pairs = corr[~np.eye(5, dtype=bool)]
    assert nngp_bound_from_depths([1, 2], gram) == pytest.approx(min(nngp_bound_from_depths([1, 2], c) for c in pairs))
    with pytest.raises(DagFilterError):
        nngp_bound_from_depths([1], 1.5)


def test_expected_metrics_exact_equals_space_average_for_uniform_ops():
    # Uniform independent ops on every edge = a uniform draw over the whole NB201 space.
    d, m = nb201_depth_width(nb201.index_codes())
    structure = Cell.from_nb201_index(0)
    uniform = [{op: 1.0 for op in nb201.NB201_OPS}] * 6
    ed, em = expected_depth_width(structure, uniform, method="exact")
    assert ed == pytest.approx(d.mean(), rel=1e-12)
    assert em == pytest.approx(m.mean(), rel=1e-12)


def test_expected_metrics_with_one_hot_distributions_are_the_cell_metrics():
    for i in (0, 17, 6111, 15624):
        cell = Cell.from_nb201_index(i)
        onehot = [{op: 1.0} for op in cell.ops]
        for method in ("exact", "plugin"):
            assert expected_depth_width(cell, onehot, method=method) == pytest.approx(depth_width(cell))


def test_expected_metrics_plugin_is_ratio_of_expected_counts():
    cell = Cell.from_genotype(DARTS_V2)
    probs = [{"sep_conv_3x3": 0.5, "skip_connect": 0.25, "none": 0.25} if e.op != "concat" else {"concat": 1.0}
             for e in cell.edges]
    d, m = expected_depth_width(cell, probs, method="plugin")
    assert 0 < d < 3 and m > 0
    with pytest.raises(DagFilterError):
        expected_depth_width(cell, probs[:-1])
    with pytest.raises(DagFilterError):
        expected_depth_width(cell, [{"sep_conv_3x3": -1.0}] * len(cell.edges))


def test_nn_mass_reproduces_the_papers_worked_example():
    # NN-Mass papers, Appendix D / F: d_c = 4, w_c = [2, 3, 4], t_c = [3, 4, 5] -> m = 28, rho_avg = 0.78.
    assert nn_mass([4, 4, 4], [2, 3, 4], [3, 4, 5]) == pytest.approx(28.0)
    # The papers print 0.78 (the exact mean of 5/6, 7/9 and 3/4 is 0.787).
    assert nn_density([4, 4, 4], [2, 3, 4], [3, 4, 5]) == pytest.approx((5 / 6 + 7 / 9 + 3 / 4) / 3)
    assert abs(nn_density([4, 4, 4], [2, 3, 4], [3, 4, 5]) - 0.78) < 0.01
    assert cell_density(2, 8, 4) == 0.0
    assert average_degree(8, 28.0) == 22.0
    with pytest.raises(DagFilterError):
        nn_mass([4], [0], [3])


def test_cell_nn_mass_adaptation():
    dense = Cell.from_nb201_ops(["nor_conv_3x3"] * 6)      # long-range pairs 0-2, 0-3, 1-3 all present
    sparse = Cell.from_nb201_str("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|")
    assert cell_nn_mass(dense, width=16) == pytest.approx(16 * 4 * 1.0)
    assert cell_nn_mass(sparse, width=16) == 0.0
    one = Cell.from_nb201_str("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
    assert cell_nn_mass(one, width=16) == pytest.approx(16 * 4 / 3)


def test_nb201_filter_reproduces_paper_centre_and_radius():
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    assert (round(flt.center[0], 1), round(flt.center[1], 1)) == (1.6, 2.2)
    half = (flt.radius[0] * flt.fraction, flt.radius[1] * flt.fraction)
    assert (round(half[0], 1), round(half[1], 1)) == (0.7, 0.9)
    d, m = nb201_depth_width(nb201.index_codes())
    pos = d > 0
    cd, cm = (d[pos].min() + d[pos].max()) / 2, (m[pos].min() + m[pos].max()) / 2
    rd, rm = (d[pos].max() - d[pos].min()) / 2, (m[pos].max() - m[pos].min()) / 2
    expected = int(((np.abs(d - cd) <= rd / 2 + 1e-9) & (np.abs(m - cm) <= rm / 2 + 1e-9)).sum())
    assert flt.summary()["kept"] == expected
    assert 0 < expected < nb201.NUM_ARCHS


def test_darts_bounds_are_exact_over_structures():
    from dagfilter.spaces import get_space

    (d0, d1), (m0, m1) = get_space("darts").metric_bounds()
    # Longest chain: 0/1 -> 2 -> 3 -> 4 -> 5 all convs, the rest skips gives the max depth; all values
    # any sampled genotype reaches must lie within the exact bounds.
    sp = get_space("darts")
    d, m = batch_depth_width([sp.cell_of(g) for g in sp.samples(2000, seed=3)])
    pos = d > 0
    assert d0 <= d[pos].min() and d[pos].max() <= d1
    assert m0 <= m[pos].min() and m[pos].max() <= m1 + 1e-9


def test_brute_force_reference_is_itself_sane():
    # The reference counts 4 paths on a fully connected 4-node cell and cuts paths at 'none'.
    edges = [(s, d, "skip_connect") for s, d in itertools.combinations(range(4), 2)]
    assert brute_force_paths(edges, [0], 3)[0] == 4
    edges[0] = (0, 1, "none")
    assert brute_force_paths(edges, [0], 3)[0] == 2
