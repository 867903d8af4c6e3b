"""FP-NAS-style probabilistic search with and without the DAG filter."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import searchers
from dagfilter.encodings.nb201 import index_codes
from dagfilter.errors import ConfigError, SpaceError
from dagfilter.filter import DAGFilter
from searchers.fpnas import adaptive_sample_size, entropy_of, truncated_log_probs

TINY = dict(C=2, cells=1, batch_size=8, train_subset=200, valid_subset=100, k_max=4)


def test_adaptive_sample_size_follows_perplexity():
    h_max = math.log(15625)
    assert adaptive_sample_size(h_max, h_max, 2, 8) == 8
    assert adaptive_sample_size(0.0, h_max, 2, 8) == 2
    sizes = [adaptive_sample_size(h, h_max, 1, 16) for h in np.linspace(0, h_max, 20)]
    assert sizes == sorted(sizes)
    assert adaptive_sample_size(h_max + math.log(0.5), h_max, 1, 16) == 8  # half the effective cells


def test_truncated_distribution_lives_on_the_window():
    codes = torch.from_numpy(index_codes().astype(np.int64))
    flt = DAGFilter.from_space("nb201", 0.5)
    mask = torch.from_numpy(np.asarray(flt.mask(np.arange(15625)), dtype=bool))
    theta = torch.randn(6, 5, generator=torch.Generator().manual_seed(0))
    lq = truncated_log_probs(theta, codes, mask)
    assert torch.isinf(lq[~mask]).all()
    assert float(torch.logsumexp(lq[mask], 0)) == pytest.approx(0.0, abs=1e-5)
    assert entropy_of(truncated_log_probs(torch.zeros(6, 5), codes, None)) == pytest.approx(math.log(15625), rel=1e-5)
    assert entropy_of(truncated_log_probs(torch.zeros(6, 5), codes, mask)) == pytest.approx(
        math.log(int(mask.sum())), rel=1e-5)




def test_fpnas_filter_never_trains_outside_the_window(cifar_dir, tmp_path):
    flt = DAGFilter.from_space("nb201", 0.5)
    s = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path, **TINY)
    res = s.search("nb201", budget=6, seed=1, filter=flt, progress=False)
    trained = [t["index"] for t in res.trajectory if t["status"] == "evaluated"]
    rejected = [t["index"] for t in res.trajectory if t["status"] == "skipped"]
    assert len(trained) == res.evaluated == res.config["stats"]["training_steps"] > 0
    assert flt.mask(np.array(trained)).all()
    assert len(rejected) == res.skipped > 0 and not flt.mask(np.array(rejected)).any()
    assert res.drawn == res.evaluated + res.skipped
    assert flt.accepts(res.chosen_cell) and res.chosen_index is not None
    assert res.score <= 0.0  # log-probability of the chosen cell


def test_fpnas_plain_vs_filtered_and_resume(cifar_dir, tmp_path):
    s = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path, checkpoint_every=2, **TINY)
    plain = s.search("nb201", budget=4, seed=2, progress=False)
    assert plain.skipped == 0 and plain.evaluated == sum(plain.config["stats"]["sample_sizes"])
    assert plain.config["stats"]["sample_sizes"][0] == 4  # uniform start: k_max
    again = s.search("nb201", budget=4, seed=2, progress=False)  # resumes the finished run
    assert again.chosen_cell == plain.chosen_cell and again.cached == plain.evaluated
    fresh = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path / "b", resume=False, **TINY)
    assert fresh.search("nb201", budget=4, seed=2, progress=False).trajectory == plain.trajectory
    filtered = s.search("nb201", budget=4, seed=2, filter=DAGFilter.from_space("nb201", 0.5), progress=False)
    # the truncated distribution starts with fewer effective cells, hence fewer samples
    assert filtered.config["stats"]["sample_sizes"][0] < plain.config["stats"]["sample_sizes"][0]


def test_fpnas_bad_options(cifar_dir):
    with pytest.raises(SpaceError, match="NAS-Bench-201"):
        searchers.get("fpnas", data_dir=cifar_dir).search("darts", progress=False)
    with pytest.raises(ConfigError, match="k_min"):
        searchers.get("fpnas", k_min=9, k_max=4).sizes()
    with pytest.raises(ConfigError, match="arch_lr"):
        searchers.get("fpnas", arch_lr=-1.0)
    with pytest.raises(ConfigError, match="budget"):
        searchers.get("fpnas", data_dir=cifar_dir).search("nb201", budget=0, progress=False)
