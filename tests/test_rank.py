"""Tests of dagfilter.trained (formerly dagfilter.rank): neural capacitance (beta_eff) and module criticality,
on real CIFAR-10."""
from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from dagfilter.errors import ConfigError, DataError
from dagfilter.trained import (CapacitanceProbe, attach_probe, bayesian_ridge, beta_eff, beta_from_degrees,
                               criticality_modules, evaluate_loss, extrapolate_accuracy, kendall_tau,
                               module_criticality, neural_capacitance, probe_degrees, rewind_to_init, top_cells)


@pytest.fixture(scope="module")
def cifar_batches(cifar_dir):
    from dagfilter.data import fixed_batch

    x, y = fixed_batch("cifar10", cifar_dir, batch_size=128, seed=0)
    return [(x[i:i + 32], y[i:i + 32]) for i in range(0, 128, 32)]


def _bottom_net(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.AvgPool2d(4), nn.Flatten(),
                         nn.Linear(1024, 128), nn.ReLU(), nn.Linear(128, 10))


def _dense_beta(probe: CapacitanceProbe, x: torch.Tensor, y: torch.Tensor) -> float:
    """beta_eff from an explicitly built line-graph adjacency P (full Hessian blocks)."""
    ws = [lin.weight for lin in probe.linears]
    sizes = [w.numel() for w in ws]
    flat = torch.cat([w.detach().flatten() for w in ws])

    def loss(v: torch.Tensor) -> torch.Tensor:
        parts, i = [], 0
        for w in ws:
            parts.append(v[i:i + w.numel()].view(w.shape))
            i += w.numel()
        h, k = x, 0
        for m in probe.body:
            if isinstance(m, nn.Linear):
                h = F.linear(h, parts[k], m.bias)
                k += 1
            else:
                h = m(h)
        return F.cross_entropy(h, y)

    H = torch.autograd.functional.hessian(loss, flat).double()
    off = np.cumsum([0] + sizes)
    P = torch.zeros_like(H)
    for l in range(len(ws) - 1):
        P[off[l]:off[l + 1], off[l + 1]:off[l + 2]] = H[off[l]:off[l + 1], off[l + 1]:off[l + 2]]
    one = torch.ones(P.shape[0], dtype=torch.float64)
    return float(one @ P @ (P @ one) / (one @ P @ one))


def test_beta_eff_equals_dense_line_graph_formula():
    torch.manual_seed(1)
    x, y = torch.randn(12, 5), torch.randint(0, 3, (12,))
    probe = CapacitanceProbe(5, 3, (4, 4, 4), dropout=0.0, seed=3).eval()
    d_in, d_out = probe_degrees(probe, x, y)
    ours = beta_from_degrees(d_in, d_out)
    assert ours == pytest.approx(_dense_beta(probe, x, y), rel=1e-4)
    assert abs(ours) > 1e-3  # non-trivial with three hidden layers


def test_beta_eff_is_zero_with_two_hidden_layers():
    # paper, Appendix B: the layer under the softmax has zero in-degree, so beta_eff == 0
    torch.manual_seed(2)
    x, y = torch.randn(16, 6), torch.randint(0, 4, (16,))
    probe = CapacitanceProbe(6, 4, (5, 5), dropout=0.0, seed=0).eval()
    d_in, d_out = probe_degrees(probe, x, y)
    assert float(d_in[1].abs().max()) < 1e-6
    assert abs(beta_from_degrees(d_in, d_out)) < 1e-5
    probe3 = CapacitanceProbe(6, 4, (5, 5, 5), dropout=0.0, seed=0).eval()
    assert abs(beta_from_degrees(*probe_degrees(probe3, x, y))) > 1e-4


def test_probe_is_frozen_and_seeded():
    a = CapacitanceProbe(8, 3, seed=5)
    b = CapacitanceProbe(8, 3, seed=5)
    c = CapacitanceProbe(8, 3, seed=6)
    assert all(not p.requires_grad for p in a.parameters())
    assert torch.equal(a.linears[0].weight, b.linears[0].weight)
    assert not torch.equal(a.linears[0].weight, c.linears[0].weight)
    assert a.num_layers == 4


def test_attach_probe_replaces_named_layer_and_rejects_unknown():
    net = _bottom_net()
    probe = attach_probe(net, "6", seed=0)
    assert net[6] is probe and probe.linears[0].in_features == 128 and probe.linears[-1].out_features == 10
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ConfigError, match="no sub-module 'head'"):
        attach_probe(_bottom_net(), "head")
    with pytest.raises(ConfigError, match="CapacitanceProbe"):
        beta_eff(_bottom_net(), [(torch.randn(2, 3, 32, 32), torch.tensor([0, 1]))])


def test_probe_on_nb201_network(cifar_batches):
    from dagfilter.nets import build_network

    net = build_network("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|",
                        "nb201", 10, C=4, N=1)
    attach_probe(net, "classifier", seed=0)
    b = beta_eff(net, cifar_batches[:1])
    assert math.isfinite(b)
    trainable = [n for n, p in net.named_parameters() if p.requires_grad]
    assert trainable and not any(n.startswith("classifier") for n in trainable)


def test_beta_eff_moves_toward_zero_as_training_converges(cifar_batches):
    # Theorem 1: beta_eff -> 0 as the network converges (here: fitting 128 real images)
    res = neural_capacitance(_bottom_net(), cifar_batches, cifar_batches, layer="6", epochs=16, lr=0.05,
                             observe_every=8, beta_batches=2, seed=0, progress=False)
    betas = np.array([abs(o.beta) for o in res.observations])
    accs = [o.val_acc for o in res.observations]
    assert accs[-1] > accs[0] + 20  # it did learn
    early_peak = betas[: len(betas) // 3].max()
    late = betas[-3:].mean()
    assert late < 0.1 * early_peak
    assert math.isfinite(res.predicted_accuracy)


def test_neural_capacitance_deterministic_under_seed(cifar_batches):
    kw = dict(layer="6", epochs=1, lr=0.05, observe_every=1, beta_batches=1, val_batches=1, seed=7,
              progress=False)
    a = neural_capacitance(_bottom_net(1), cifar_batches, cifar_batches, **kw)
    b = neural_capacitance(_bottom_net(1), cifar_batches, cifar_batches, **kw)
    assert [(o.step, o.beta, o.val_acc) for o in a.observations] == [(o.step, o.beta, o.val_acc) for o in b.observations]
    assert a.predicted_accuracy == b.predicted_accuracy or (math.isnan(a.predicted_accuracy)
                                                            and math.isnan(b.predicted_accuracy))


def test_neural_capacitance_rejects_bad_settings(cifar_batches):
    with pytest.raises(ConfigError, match="epochs"):
        neural_capacitance(_bottom_net(), cifar_batches, epochs=0, layer="6")
    with pytest.raises(DataError, match="no batches"):
        neural_capacitance(_bottom_net(), [], layer="6")


def test_bayesian_ridge_and_extrapolation():
    rng = np.random.default_rng(0)
    beta = np.linspace(2.0, 0.2, 12)
    acc = 90.0 - 10.0 * beta + rng.normal(0, 0.05, beta.size)
    fit = bayesian_ridge(beta, acc)
    assert fit.coef[0] == pytest.approx(-10.0, abs=0.2)
    assert fit.intercept == pytest.approx(90.0, abs=0.2)
    ext = extrapolate_accuracy(beta, acc, select_t0=False)
    assert ext.predicted == pytest.approx(90.0, abs=0.2) and ext.t0 == 0
    chosen = extrapolate_accuracy(beta, acc)
    assert 0 <= chosen.t0 <= beta.size - 3
    with pytest.raises(DataError, match="at least 3"):
        extrapolate_accuracy([1.0, 2.0], [3.0, 4.0])
    with pytest.raises(DataError, match="2 beta_eff values but 3"):
        extrapolate_accuracy([1.0, 2.0], [3.0, 4.0, 5.0])


@pytest.fixture(scope="module")
def trained_pair(cifar_batches):
    """A small CNN at initialisation and after fitting 128 real CIFAR-10 images."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AvgPool2d(4), nn.Flatten(),
                        nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10))
    init = copy.deepcopy(net)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    for _ in range(15):
        for x, y in cifar_batches:
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()
    return init, net.eval()


def test_criticality_zero_for_module_rewound_to_itself_and_positive_when_rewind_hurts(trained_pair, cifar_batches):
    init, trained = trained_pair
    names = criticality_modules(trained)
    assert names == ["0", "4", "6"]
    # "rewound to itself": the initial weights of module 4 are its trained weights
    init_same = copy.deepcopy(init)
    init_same[4].load_state_dict(trained[4].state_dict())
    before = copy.deepcopy(trained.state_dict())
    res = module_criticality(init_same, trained, cifar_batches, epsilon=0.05, loss="error",
                             sigmas=[0.001, 0.01, 0.1], noise_samples=1, seed=0, progress=False)
    crit = {m.name: m for m in res.modules}
    assert crit["4"].criticality == 0.0 and crit["4"].dist2 == 0.0
    rew = {r.name: r for r in rewind_to_init(init, trained, cifar_batches)}
    hurting = [n for n in names if n != "4" and rew[n].delta_error > 0.05]
    assert hurting, "some module's rewind should hurt the trained model"
    for n in hurting:
        assert crit[n].criticality > 0.0 and crit[n].alpha > 0.0
    assert res.network == pytest.approx(sum(m.criticality for m in res.modules))
    # the trained weights are restored
    after = trained.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_criticality_deterministic_and_threshold_modes(trained_pair, cifar_batches):
    init, trained = trained_pair
    kw = dict(loss="ce", epsilon=0.1, sigmas=[0.01, 0.1], noise_samples=1, seed=3, progress=False)
    a = module_criticality(init, trained, cifar_batches, **kw)
    b = module_criticality(init, trained, cifar_batches, **kw)
    assert [m.criticality for m in a.modules] == [m.criticality for m in b.modules]
    assert a.threshold == pytest.approx(evaluate_loss(trained, cifar_batches, "ce") + 0.1)
    # an unreachable absolute threshold makes every module infinitely critical
    c = module_criticality(init, trained, cifar_batches, threshold="absolute", epsilon=0.0, loss="ce",
                           sigmas=[0.01], progress=False)
    assert all(math.isinf(m.criticality) for m in c.modules)


def test_criticality_rejects_bad_input(trained_pair, cifar_batches):
    init, trained = trained_pair
    with pytest.raises(ConfigError, match="loss must be"):
        module_criticality(init, trained, cifar_batches, loss="mse")
    with pytest.raises(ConfigError, match="no module 'nope'"):
        module_criticality(init, trained, cifar_batches, modules=["nope"])
    with pytest.raises(ConfigError, match="alphas"):
        module_criticality(init, trained, cifar_batches, alphas=[0.5, 2.0])
    other = nn.Sequential(nn.Conv2d(3, 4, 3))
    with pytest.raises(ConfigError, match="differs in shape"):
        module_criticality(other, nn.Sequential(nn.Conv2d(3, 5, 3)), cifar_batches)


def test_top_cells_from_search_result_and_kendall():
    from searchers.base import SearchResult

    traj = [
        {"step": 0, "cell": "a", "index": None, "status": "evaluated", "score": 1.0, "best_score": 1.0, "best_cell": "a"},
        {"step": 1, "cell": "b", "index": None, "status": "skipped", "score": None, "best_score": 1.0, "best_cell": "a"},
        {"step": 2, "cell": "c", "index": None, "status": "evaluated", "score": 3.0, "best_score": 3.0, "best_cell": "c"},
        {"step": 3, "cell": "d", "index": None, "status": "evaluated", "score": 2.0, "best_score": 3.0, "best_cell": "c"},
    ]
    res = SearchResult("naswot", {"seed": 0}, "c", None, 3.0, 4, 3, 1, trajectory=traj)
    assert [r["cell"] for r in top_cells(res, 2)] == ["c", "d"]
    assert [r["cell"] for r in top_cells(json.loads(res.to_json()), 5)] == ["c", "d", "a"]
    assert [r["cell"] for r in top_cells(["x", "y", "z"], 2)] == ["x", "y"]
    with pytest.raises(ConfigError, match="k must be"):
        top_cells(res, 0)
    assert kendall_tau([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert kendall_tau([1, float("nan")], [1, 2]) is None


@pytest.mark.slow
def test_funnel_cli_end_to_end(cifar_dir, tmp_path, capsys):
    from dagfilter.cli import main

    cells = tmp_path / "cells.txt"
    cells.write_text("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|\n"
                     "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|avg_pool_3x3~2|\n")
    argv = [ "funnel", str(cells), "--k", "2", "--epochs", "1", "--rank", "capacitance", "--subset", "128",
            "--val-subset", "64", "--channels", "4", "--batch-size", "32", "--observe-every", "1",
            "--data-dir", str(cifar_dir), "--out", str(tmp_path / "f"), "--quiet", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rank"] == "capacitance" and len(out["rows"]) == 2
    assert all(r["benchmark_acc"] is not None for r in out["rows"])
    assert len(out["rows"][0]["details"]["observations"]) == 4
    assert out["tau"] in (-1.0, 1.0) and out["tau_val"] in (-1.0, 1.0, None)
    # resumable: the second call reads the cached per-cell results
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == out["rows"]
    assert main(["funnel", str(tmp_path / "missing.json")]) == 2
