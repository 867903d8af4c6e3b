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
from searchers.fpnas import adaptive_sample_size, entropy_of, entropy_sample_size, truncated_log_probs

from .supernet_helpers import kill_when

TINY = dict(C=2, cells=1, batch_size=8, train_subset=200, valid_subset=100, k_max=4)


def test_adaptive_sample_size_follows_perplexity():
    h_max = math.log(15625)
    assert adaptive_sample_size(h_max, h_max, 2, 8) == 8
    assert adaptive_sample_size(0.0, h_max, 2, 8) == 2
    sizes = [adaptive_sample_size(h, h_max, 1, 16) for h in np.linspace(0, h_max, 20)]
    assert sizes == sorted(sizes)
    assert adaptive_sample_size(h_max + math.log(0.5), h_max, 1, 16) == 8  # half the effective cells


def test_entropy_sample_size_is_proportional_to_entropy():
    h_max = 6 * math.log(5)
    assert entropy_sample_size(h_max, h_max, 2, 8) == 8  # uniform start: k_max
    assert entropy_sample_size(h_max / 2, h_max, 2, 8) == 4
    assert entropy_sample_size(0.3 * h_max, h_max, 2, 16) == 5  # ceil(4.8)
    assert entropy_sample_size(0.0, h_max, 2, 8) == 2  # the floor
    # linear in H, so much larger than the perplexity rule once the distribution has concentrated
    assert entropy_sample_size(0.7 * h_max, h_max, 1, 16) == 12 > adaptive_sample_size(0.7 * h_max, h_max, 1, 16)


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




@pytest.mark.slow
def test_fpnas_skip_rule_trains_only_accepted_draws(cifar_dir, tmp_path):
    """Default rule: the same draws as the plain search; those outside the window are skipped,
    never trained and not replaced."""
    flt = DAGFilter.from_space("nb201", 0.5)
    s = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path, **TINY)
    plain = s.search("nb201", budget=6, seed=1, progress=False)
    res = s.search("nb201", budget=6, seed=1, filter=flt, progress=False)
    st = res.config["stats"]
    trained = [t["index"] for t in res.trajectory if t["status"] == "evaluated"]
    rejected = [t["index"] for t in res.trajectory if t["status"] == "skipped"]
    assert len(trained) == res.evaluated == st["training_steps"] > 0
    assert flt.mask(np.array(trained)).all()
    assert len(rejected) == res.skipped > 0 and not flt.mask(np.array(rejected)).any()
    assert res.drawn == res.evaluated + res.skipped == sum(st["sample_sizes"])  # no redraws
    assert st["accepted_sizes"] == [sum(t["iteration"] == i and t["status"] == "evaluated" for t in res.trajectory)
                                    for i in range(6)]
    # first iteration: the very cells the plain search drew, minus those outside the window
    first_plain = [t["index"] for t in plain.trajectory if t["iteration"] == 0]
    first = [t["index"] for t in res.trajectory if t["iteration"] == 0]
    assert sorted(first) == sorted(first_plain) and st["sample_sizes"][0] == plain.config["stats"]["sample_sizes"][0] == 4
    assert [t["index"] for t in res.trajectory if t["iteration"] == 0 and t["status"] == "evaluated"] == [
        i for i in first_plain if flt.accepts(int(i))]  # trained in draw order
    assert res.evaluated < plain.evaluated
    assert flt.accepts(res.chosen_cell) and res.chosen_index is not None
    assert res.score <= 0.0  # log-probability of the chosen cell


@pytest.mark.slow
def test_fpnas_resume_after_forced_stop(cifar_dir, tmp_path):
    """SIGKILL a filtered search after a checkpoint, resume it: identical to an uninterrupted run;
    the checkpoint loads with ``torch.load(..., weights_only=True)``."""
    opts = dict(TINY, checkpoint_every=2)
    code = ("import searchers; from dagfilter.filter import DAGFilter; "
            f"s = searchers.get('fpnas', data_dir={str(cifar_dir)!r}, state_dir={str(tmp_path / 'a')!r}, **{opts!r}); "
            "s.search('nb201', budget=12, seed=2, filter=DAGFilter.from_space('nb201', 0.5), progress=False)")
    ck = kill_when(code, tmp_path / "a", "fpnas-*.pt", lambda c: c["state"]["iteration"] < 12)
    flt = DAGFilter.from_space("nb201", 0.5)
    resumed = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path / "a", **opts).search(
        "nb201", budget=12, seed=2, filter=flt, progress=False)
    assert resumed.config["stats"]["resumed"] and resumed.cached >= ck["state"]["trained"] > 0
    whole = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path / "b", resume=False, **opts).search(
        "nb201", budget=12, seed=2, filter=flt, progress=False)
    assert resumed.trajectory == whole.trajectory and resumed.chosen_cell == whole.chosen_cell
    assert resumed.config["stats"]["op_probs"] == whole.config["stats"]["op_probs"]


def test_fpnas_filter_rejecting_everything_is_a_clear_error(cifar_dir, tmp_path):
    from dagfilter.errors import DagFilterError

    nowhere = DAGFilter((50.0, 50.0), (1.0, 1.0), 0.5, space="nb201")
    s = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path, **TINY)
    with pytest.raises(DagFilterError, match="accepts no NAS-Bench-201 cell"):
        s.search("nb201", budget=3, seed=0, filter=nowhere, progress=False)
    assert not list(tmp_path.iterdir())  # refused before any training or state file


def test_fpnas_finished_run_resumes(cifar_dir, tmp_path):
    s = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path, checkpoint_every=2, **TINY)
    plain = s.search("nb201", budget=4, seed=2, progress=False)
    assert plain.skipped == 0 and plain.evaluated == sum(plain.config["stats"]["sample_sizes"])
    assert plain.config["stats"]["sample_sizes"][0] == 4  # uniform start: k_max
    again = s.search("nb201", budget=4, seed=2, progress=False)  # resumes the finished run
    assert again.chosen_cell == plain.chosen_cell and again.cached == plain.evaluated


def test_fpnas_bad_options(cifar_dir):
    with pytest.raises(SpaceError, match="NAS-Bench-201"):
        searchers.get("fpnas", data_dir=cifar_dir).search("darts", progress=False)
    with pytest.raises(ConfigError, match="k_min"):
        searchers.get("fpnas", k_min=9, k_max=4).sizes()
    with pytest.raises(ConfigError, match="arch_lr"):
        searchers.get("fpnas", arch_lr=-1.0)
    with pytest.raises(ConfigError, match="sample_rule"):
        searchers.get("fpnas", sample_rule="fixed")
    with pytest.raises(ConfigError, match="filter_rule"):
        searchers.get("fpnas", filter_rule="truncate")  # our earlier rule, removed
    with pytest.raises(ConfigError, match="budget"):
        searchers.get("fpnas", data_dir=cifar_dir).search("nb201", budget=0, progress=False)
