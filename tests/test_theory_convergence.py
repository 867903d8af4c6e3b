"""DAG-shaped FC networks and the Sec. 5.1 convergence experiment machinery (small data)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from dagfilter.errors import DagFilterError
from dagfilter.theory import paper_dag
from dagfilter.theory.convergence import (ConvergenceConfig, export_curves, load_results,
                                          plot_convergence, run_experiment, summarize)
from dagfilter.theory.dagnet import DAGNet




def test_paper_dag_nets_have_equal_parameters_and_seeded_weights():
    counts = {k: sum(p.numel() for p in DAGNet(paper_dag(k), 48, 32, 5).parameters()) for k in (1, 2, 3)}
    assert len(set(counts.values())) == 1 == len({48 * 32 + 3 * 32 * 32 + 32 * 5})
    assert counts[1] == 48 * 32 + 3 * 32 * 32 + 32 * 5
    x = torch.randn(4, 48)
    a, b, c = (DAGNet(paper_dag(3), 48, 32, 5, seed=s)(x) for s in (0, 0, 1))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_ntk_and_standard_parameterizations_agree_in_distribution():
    # same forward map at initialization (Eq. 2 with W ~ N(0, 1) times sqrt(2/m), vs Kaiming
    # normal): the squared norms of X(H), averaged over seeds, agree; for DAG#1 (one path of
    # three ReLU layers with c_sigma = 2) the norm is preserved in expectation.
    x0 = torch.randn(1, 256)
    x0 = x0 / x0.norm()

    def norm2(k: int, p: str) -> float:
        with torch.no_grad():
            return float(np.mean([float(DAGNet(paper_dag(k), 10, 256, 2, parameterization=p, seed=s)
                                        .node_features(x0).pow(2).sum()) for s in range(30)]))
    assert norm2(1, "standard") == pytest.approx(1.0, rel=0.1)
    assert norm2(1, "ntk") == pytest.approx(1.0, rel=0.1)
    assert norm2(3, "ntk") == pytest.approx(norm2(3, "standard"), rel=0.1)


def test_dagnet_rejects_bad_settings():
    with pytest.raises(DagFilterError, match="parameterization"):
        DAGNet(paper_dag(1), parameterization="mup")
    with pytest.raises(DagFilterError, match="width"):
        DAGNet(paper_dag(1), width=0)


def _blobs(path: Path, n: int = 240, d: int = 20, k: int = 3) -> Path:
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(k, d)) * 2.0
    y = rng.integers(0, k, n)
    x = centers[y] + rng.normal(size=(n, d))
    np.savez(path, x=x.astype(np.float32), y=y)
    return path


def test_experiment_trains_saves_resumes_and_plots(tmp_path):
    npz = _blobs(tmp_path / "blobs.npz")
    cfg = ConvergenceConfig(dataset="npz", npz_path=str(npz), subset=0, width=32, epochs=4,
                            seeds=(0, 1), lr=0.05, batch_size=32)
    out = tmp_path / "exp"
    groups = run_experiment(cfg, out, show_progress=False)
    assert {d: len(r) for d, r in groups.items()} == {"dag1": 2, "dag2": 2, "dag3": 2}
    for runs in groups.values():
        for r in runs:
            assert len(r.train_acc) == 4 and r.train_acc[-1] > r.train_acc[0]
            assert r.train_acc[-1] > 0.6                  # separable blobs are learnt
    # resume: finished runs are not retrained
    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    (out / "runs" / "dag2__seed1.json").unlink()
    again = run_experiment(cfg, out, show_progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json") if p.name != "dag2__seed1.json"} \
        == {k: v for k, v in stamp.items() if k != "dag2__seed1.json"}
    assert [r.train_acc for r in again["dag2"]] == [r.train_acc for r in groups["dag2"]]   # deterministic
    with pytest.raises(DagFilterError, match="another configuration"):
        run_experiment(ConvergenceConfig(**{**cfg.__dict__, "lr": 0.01}), out, show_progress=False)
    rows = summarize(load_results(out))
    assert [r["dag"] for r in rows] == ["dag1", "dag2", "dag3"]
    assert rows[0]["num_paths"] == 1 and rows[2]["path_depths"] == [0, 1, 2, 2]
    paths = plot_convergence(again, out / "fig", caption="test")
    assert all(p.stat().st_size > 1000 for p in paths)
    lines = export_curves(again, out / "curves.csv").read_text().splitlines()
    assert lines[0] == "dag,seed,epoch,train_acc,train_loss" and len(lines) == 1 + 3 * 2 * 4
    assert json.loads((out / "config.json").read_text())["lr"] == 0.05


def test_config_and_data_errors(tmp_path):
    with pytest.raises(DagFilterError, match="lr"):
        ConvergenceConfig(lr=-1.0).validate()
    with pytest.raises(DagFilterError, match="npz_path"):
        ConvergenceConfig(dataset="npz").validate()
    bad = tmp_path / "bad.npz"
    np.savez(bad, a=np.zeros(3))
    with pytest.raises(DagFilterError, match="'x' and 'y'"):
        run_experiment(ConvergenceConfig(dataset="npz", npz_path=str(bad), epochs=1), tmp_path / "o",
                       show_progress=False)


def test_loads_real_cifar10_subset(cifar_dir):
    from dagfilter.theory.convergence import load_training_arrays

    x, y, k = load_training_arrays(ConvergenceConfig(data_dir=str(cifar_dir), subset=500))
    assert x.shape == (500, 3072) and y.shape == (500,) and k == 10
    assert abs(float(x.mean())) < 1e-3 and set(np.unique(y.numpy())) <= set(range(10))
