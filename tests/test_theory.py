"""Eq. 12 bound, the paper's DAG#1-#3 and the ``dagfilter theory`` command."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.stats import norm

from dagfilter.cli import main
from dagfilter.errors import DagFilterError
from dagfilter.metrics import path_stats
from dagfilter.theory import bound_report, compare_bounds, paper_dag, paper_dags, resolve_cell
from dagfilter.theory.dagnet import DAGNet

def f_quadrature(rho: float) -> float:
    """ReLU NNGP map c_sigma * E[relu(u) relu(v)] with corr(u, v) = rho, by numerical
    integration (independent of the arc-cosine closed form in dagfilter.metrics): u = z1,
    v = rho z1 + s z2; the inner mean E[relu(a + s z2)] = a Phi(a/s) + s phi(a/s)."""
    s = np.sqrt(max(0.0, 1.0 - rho * rho))

    def inner(z1: float) -> float:
        a = rho * z1
        if s == 0.0:
            return max(a, 0.0)
        return a * norm.cdf(a / s) + s * norm.pdf(a / s)

    val, _ = quad(lambda z: z * inner(z) * norm.pdf(z), 0.0, np.inf, epsabs=1e-12)
    return 2.0 * val




def test_paper_dags_have_the_paths_of_section_3_3():
    assert path_stats(paper_dag(1)).path_depths == [3]          # one path, three linear ops
    assert path_stats(paper_dag(2)).path_depths == [1, 1, 1]    # three paths, one linear op each
    assert path_stats(paper_dag(3)).path_depths == [0, 1, 2, 2]  # four paths with 0/1/2 linear ops
    # same parameter count: three linear edges each
    for k in (1, 2, 3):
        assert sum(e.op == "linear" for e in paper_dag(k).edges) == 3


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9])
def test_bound_matches_the_papers_closed_forms(rho):
    f = f_quadrature
    closed = {1: 1 - f(f(f(rho))),                     # Eq. 7
              2: 3 * (1 - f(rho)),                     # Eq. 9
              3: 4 - (rho + f(rho) + 2 * f(f(rho)))}   # Eq. 11 (f(2x) = 2 f(x) for the kernel)
    for k, value in closed.items():
        assert bound_report(paper_dag(k), rho).bound == pytest.approx(value, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0.0, max_value=0.99))
def test_bound_orders_dag1_below_dag2_below_dag3(rho):
    b = [bound_report(paper_dag(k), rho).bound for k in (1, 2, 3)]
    assert b[0] < b[1] < b[2]


def test_compare_ranks_best_first():
    ranked = compare_bounds(paper_dags(), 0.5)
    assert [r.name for r in ranked] == ["dag3", "dag2", "dag1"]
    assert ranked[0].num_paths == 4 and ranked[-1].num_paths == 1


def test_empirical_nngp_gram_of_wide_dag_nets_matches_eq12():
    """Two unit-norm inputs of correlation rho fed to the input node of width-2048 DAG networks
    at initialization: lambda_min of the 2x2 Gram of X(H) equals P - sum_p f^{d_p}(rho) in the
    infinite-width limit. Per-seed finite-width spread is about 0.05 (measured), so the mean
    of 4 seeds is checked to 0.12 (several standard errors)."""
    m, rho = 2048, 0.5
    g = torch.Generator().manual_seed(0)
    a = torch.randn(m, generator=g)
    a /= a.norm()
    b = torch.randn(m, generator=g)
    b -= (b @ a) * a
    b /= b.norm()
    x = torch.stack([a, rho * a + (1 - rho ** 2) ** 0.5 * b])
    means = []
    for k in (1, 2, 3):
        vals = []
        for s in range(4):
            with torch.no_grad():
                feats = DAGNet(paper_dag(k), in_features=8, width=m, seed=s).node_features(x)
            vals.append(float(torch.linalg.eigvalsh(feats @ feats.T)[0]))
        means.append(np.mean(vals))
        assert means[-1] == pytest.approx(bound_report(paper_dag(k), rho).bound, abs=0.12)
    assert means[0] < means[1] < means[2]


def test_resolve_cell_accepts_names_and_encodings():
    assert resolve_cell("DAG#2") == paper_dag(2)
    nb = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|"
    assert path_stats(resolve_cell(nb)).path_depths == [2]
    with pytest.raises(DagFilterError, match="dag4"):
        resolve_cell("dag4")
    with pytest.raises(DagFilterError, match="1, 2 or 3"):
        paper_dag(4)


def test_bound_rejects_bad_rho():
    with pytest.raises(DagFilterError, match="rho"):
        bound_report(paper_dag(1), 1.5)


def test_cli_bound_and_compare(capsys):
    assert main(["theory", "bound", "dag3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["num_paths"] == 4 and out[0]["path_depth_counts"] == {"0": 1, "1": 1, "2": 2}
    assert main(["theory", "compare", "--rho", "0.3", "0.7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in out] == ["dag3", "dag2", "dag1"]
    assert set(out[0]["bounds"]) == {"0.3", "0.7"}
    assert main(["theory", "compare"]) == 0
    assert "dag3" in capsys.readouterr().out
    assert main(["theory", "bound", "dag9"]) == 2
    assert "dag9" in capsys.readouterr().err
