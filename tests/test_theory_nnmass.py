"""NN-Mass networks, NN-Mass-guided design and the LDI (layerwise Jacobian) check."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from dagfilter.cli import main
from dagfilter.errors import DagFilterError
from dagfilter.theory.design import cell_mass_table, enumerate_designs
from dagfilter.theory.ldi import mean_jacobian_singular_value
from dagfilter.theory.nnmass import NNMassSpec, nnmass_model_factory, nnmass_spec






def mass_from_links(spec: NNMassSpec) -> tuple[float, float]:
    """NN-Mass and NN-Density counted from the sampled long-range links themselves
    (number of selected units per layer), not from the closed form."""
    dens = []
    mass = 0.0
    for c, (d, w) in enumerate(zip(spec.depths, spec.widths)):
        links = sum(len(spec.links(c, i)) for i in range(d))
        rho = 2 * links / (w * (d - 1) * (d - 2)) if d >= 3 else 0.0
        dens.append(rho)
        mass += w * d * rho
    return mass, float(np.mean(dens))


def test_worked_example_of_the_papers():
    # Appendix D (generalization paper) / Appendix F (gradient paper): d_c = 4, w_c = [2, 3, 4],
    # t_c = [3, 4, 5] gives NN-Mass 28 and NN-Density 0.78 (the paper truncates 0.787).
    spec = NNMassSpec((4, 4, 4), (2, 3, 4), (3, 4, 5), kind="cnn")
    assert spec.nn_mass == pytest.approx(28.0)
    assert spec.nn_density == pytest.approx(0.78, abs=0.01)
    assert mass_from_links(spec) == pytest.approx((28.0, spec.nn_density))
    # layer i=2 of cell 2 draws min{3 * 1, 4} = 3 channels; layer 3 draws min{3 * 2, 4} = 4 (Fig. 8 inset)
    assert [len(spec.links(1, i)) for i in range(4)] == [0, 0, 3, 4]
    assert [len(spec.links(2, i)) for i in range(4)] == [0, 0, 4, 5]


def test_links_are_seeded_distinct_and_in_range():
    a = nnmass_spec(10, 8, 12, kind="mlp", seed=3)
    b = nnmass_spec(10, 8, 12, kind="mlp", seed=3)
    c = nnmass_spec(10, 8, 12, kind="mlp", seed=4)
    for i in range(2, 10):
        la = a.links(0, i)
        assert np.array_equal(la, b.links(0, i))
        assert len(np.unique(la)) == len(la) == min(8 * (i - 1), 12)
        assert la.min() >= 0 and la.max() < 8 * (i - 1)
    assert any(not np.array_equal(a.links(0, i), c.links(0, i)) for i in range(2, 10))


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_param_and_flop_counts_match_the_built_model(kind):
    spec = NNMassSpec((5, 4), (6, 12), (7, 20), kind=kind, seed=1)
    net = spec.build()
    assert spec.param_count() == sum(p.numel() for p in net.parameters())
    macs = []

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            k = mod.kernel_size[0] * mod.kernel_size[1]
            macs.append(out.shape[1] * out.shape[2] * out.shape[3] * k * mod.in_channels)
        elif isinstance(mod, nn.Linear):
            macs.append(mod.in_features * mod.out_features)
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.register_forward_hook(hook)
    out = net(torch.randn(2, 3, 32, 32)[:1])
    assert out.shape == (1, 10)
    assert spec.flops() == sum(macs)


def test_nn_mass_grows_with_tc_and_saturates():
    table = cell_mass_table(8, 4)
    assert np.all(np.diff(table) > 0)                 # increasing up to saturation t = w (d - 2)
    full = NNMassSpec((8,), (4,), (4 * 6,))
    beyond = NNMassSpec((8,), (4,), (1000,))
    assert full.nn_mass == beyond.nn_mass == pytest.approx(table[-1])
    assert full.nn_density == pytest.approx(1.0)      # every possible long-range link present


@pytest.mark.parametrize("target,width,cells,kind", [(755.0, 32, 3, "cnn"), (20.0, 8, 1, "mlp"),
                                                     (120.0, 16, 2, "mlp")])
def test_design_returns_configurations_of_the_requested_mass(target, width, cells, kind):
    designs = enumerate_designs(target, width, cells, kind=kind, tol=0.02, max_depth=14, limit=None)
    assert len(designs) >= 3
    depths = {d.spec.depths[0] for d in designs}
    assert len(depths) >= 2                            # different depths, same NN-Mass
    for d in designs:
        assert d.spec.widths == tuple(width * 2 ** c for c in range(cells))
        mass, _ = mass_from_links(d.spec)
        assert abs(mass - target) <= 0.02 * target
        assert d.params == d.spec.param_count()
    params = [d.params for d in designs]
    assert params == sorted(params)


def test_design_errors_are_specific():
    with pytest.raises(DagFilterError, match="-5"):
        enumerate_designs(-5, 8, 1)
    with pytest.raises(DagFilterError, match="min_depth"):
        enumerate_designs(10, 8, 1, min_depth=9, max_depth=4)
    with pytest.raises(DagFilterError, match="t_c"):
        NNMassSpec((4,), (8,), (-1,))


def test_cli_design(capsys):
    assert main(["design", "--nn-mass", "20", "--width", "8", "--cells", "1", "--kind", "mlp",
                 "--max-depth", "20", "--json", "--limit", "0"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(abs(r["nn_mass"] - 20) <= 0.4 for r in rows)
    assert main(["design", "--depth", "4", "--widths", "2", "3", "4", "--tcs", "3", "4", "5", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["nn_mass"] == pytest.approx(28.0)
    assert main(["design", "--nn-mass", "1e6", "--width", "4", "--cells", "1", "--max-depth", "6"]) == 2
    assert "no configuration" in capsys.readouterr().err


def test_ldi_equal_mass_models_have_similar_mean_singular_values(cifar_root):
    """Gradient-propagation paper, Proposition 2: equal width and NN-Mass, different depth ->
    similar mean singular value of the initial layerwise Jacobians; a different NN-Mass ->
    a different one. Width-32 single-cell MLPs on 32 real CIFAR-10 images, each model averaged
    over 4 seeds (links and weights). Measured seed-to-seed std of one model: 0.01-0.025, so
    the 4-seed mean has a standard error of about 0.01: same-mass means must agree within
    0.03 (3 standard errors), and each must differ from the other-mass model by more."""
    from dagfilter.data import fixed_batch

    x = fixed_batch("cifar10", cifar_root, 32, seed=0)[0]

    def ldi(depth: int, tc: int) -> float:
        return float(np.mean([mean_jacobian_singular_value(
            NNMassSpec((depth,), (32,), (tc,), kind="mlp", seed=s).build(), x).mean_singular_value
            for s in range(4)]))

    small = NNMassSpec((12,), (32,), (23,))
    deep = NNMassSpec((24,), (32,), (24,))
    heavy = NNMassSpec((12,), (32,), (104,))
    assert small.nn_mass == pytest.approx(deep.nn_mass, rel=0.01)
    assert heavy.nn_mass > 3.5 * small.nn_mass
    a, b, c = ldi(12, 23), ldi(24, 24), ldi(12, 104)
    assert abs(a - b) < 0.03
    assert abs(a - c) > abs(a - b) and abs(b - c) > abs(a - b)
    assert c > a and c > b                              # mean singular value grows with NN-Mass


def test_ldi_runs_for_cnns_and_rejects_bad_input():
    spec = NNMassSpec((3, 3), (4, 8), (4, 8), kind="cnn")
    rep = mean_jacobian_singular_value(spec.build(), torch.randn(4, 3, 16, 16))
    assert len(rep.per_layer) == 4 and rep.mean_singular_value > 0
    with pytest.raises(DagFilterError, match="at least 2"):
        mean_jacobian_singular_value(spec.build(), torch.randn(1, 3, 16, 16))


def test_nnmass_net_trains_with_the_training_loop(cifar_root, tmp_path):
    from dagfilter.train import get_protocol, train

    cfg = get_protocol("nb201", "cifar10", epochs=1, subset=128, test_subset=64, batch_size=32, seed=0)
    spec = NNMassSpec((4,), (16,), (8,), kind="mlp", num_classes=3)
    result = train(cfg, tmp_path / "nnmass", nnmass_model_factory(spec), data_dir=cifar_root, progress=False)
    assert result.global_step == 4 and result.final["epoch"] == 1
    assert result.model.readout.out_features == 10      # the data set's classes, not the spec's


def test_design_per_depth_keeps_the_cheapest_of_each_depth():
    every = enumerate_designs(60.0, 8, 2, kind="mlp", max_depth=12, limit=None)
    one = enumerate_designs(60.0, 8, 2, kind="mlp", max_depth=12, limit=None, per_depth=1)
    depths = [d.spec.depths[0] for d in one]
    assert len(depths) == len(set(depths)) == len({d.spec.depths[0] for d in every})
    for d in one:
        assert d.params == min(e.params for e in every if e.spec.depths[0] == d.spec.depths[0])
