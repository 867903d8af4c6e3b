"""NAS-WOT proxy, cell scoring, score cache, resume and the Dask path, on real CIFAR-10 images."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from dagfilter.cache import ScoreCache, ScoreKey
from dagfilter.errors import ConfigError, DataError
from dagfilter.nets.nb201 import NB201Network
from dagfilter.proxies import (CellScorer, Execution, ScoringSetup, available_proxies, cell_key, get_proxy,
                               hamming_kernel_from_codes, logdet_score, naswot_kernel, score_cells)

BATCH = 16
ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
ALL_POOL = "|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|"
ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
LIGHT = "|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|"
MIXED = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_3x3~0|avg_pool_3x3~1|nor_conv_3x3~2|"
QUIET = Execution(progress=False)




@pytest.fixture(scope="module")
def scorer(cifar_dir: Path) -> CellScorer:
    return CellScorer(ScoringSetup("naswot", "cifar10", cifar_dir, batch_size=BATCH, seed=0))


# ---------------------------------------------------------------- maths
def test_hamming_kernel_matches_pairwise_agreement_count() -> None:
    rng = np.random.default_rng(3)
    codes = rng.random((7, 50)) > 0.4
    k = hamming_kernel_from_codes(torch.from_numpy(codes)).numpy()
    brute = np.array([[np.sum(codes[i] == codes[j]) for j in range(7)] for i in range(7)], dtype=np.float64)
    np.testing.assert_array_equal(k, brute)


def test_logdet_of_singular_kernel_is_minus_inf_and_of_diagonal_is_sum_of_logs() -> None:
    assert logdet_score(torch.ones(4, 4)) == float("-inf")
    assert logdet_score(torch.diag(torch.tensor([2.0, 3.0, 5.0]))) == pytest.approx(np.log(30.0))


def test_kernel_equals_plain_sum_over_every_relu(cifar_dir: Path) -> None:
    """The de-duplicated accumulation must equal the naive sum over all ReLUs (reference definition)."""
    from dagfilter.data import fixed_batch

    images, _ = fixed_batch("cifar10", cifar_dir, BATCH, 0)
    torch.manual_seed(0)
    net = NB201Network(["nor_conv_3x3", "nor_conv_1x1", "nor_conv_3x3", "nor_conv_3x3", "skip_connect",
                        "nor_conv_1x1"], 10, C=8, N=2).train()
    naive = torch.zeros(BATCH, BATCH, dtype=torch.float64)
    relu_count = 0

    def hook(module: nn.Module, inp: tuple, out: torch.Tensor) -> None:
        nonlocal naive, relu_count
        relu_count += 1
        x = (inp[0].reshape(BATCH, -1) > 0).double()
        naive += x @ x.T + (1 - x) @ (1 - x).T

    hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net(images)
    for h in hs:
        h.remove()
    fast = naswot_kernel(net, images)
    assert relu_count > 10
    torch.testing.assert_close(fast, naive, rtol=0, atol=0)


def test_network_without_relu_is_rejected_clearly() -> None:
    with pytest.raises(ConfigError, match="ReLU"):
        naswot_kernel(nn.Sequential(nn.Flatten(), nn.Linear(12, 2)), torch.zeros(3, 3, 2, 2))


# ---------------------------------------------------------------- real scoring
def test_scores_are_finite_deterministic_and_rank_conv_cell_above_degenerate_ones(scorer: CellScorer) -> None:
    conv = scorer.score(ALL_CONV)
    assert np.isfinite(conv)
    pool = scorer.score(ALL_POOL)
    assert np.isfinite(pool) and conv > pool
    assert scorer.score(ALL_POOL) == pool  # seeded init + fixed batch
    assert scorer.score(ALL_NONE) < pool  # all-none: every image has the same code -> singular kernel
    # log|K| is bounded by B * log(max diagonal) = B * log(total units) (Hadamard's inequality)
    assert conv < BATCH * np.log(1e7)


def test_embedded_minibatch_is_used_only_when_no_data_is_configured(monkeypatch: pytest.MonkeyPatch,
                                                                      cifar_dir: Path) -> None:
    for var in ("DAGFILTER_DATA_DIR", "DAGFILTER_CIFAR10_DIR"):
        monkeypatch.delenv(var, raising=False)
    sc = CellScorer(ScoringSetup("naswot", "cifar10", None, batch_size=BATCH, seed=0))
    if not sc.embedded:
        pytest.skip("benchmarks_data/cifar10_minibatch.npz is not installed")
    assert sc.key.dataset.startswith("cifar10:embedded")  # never mixed with directory-based scores in the cache
    images, labels = sc.minibatch()
    assert images.shape == (BATCH, 3, 32, 32) and abs(float(images.mean())) < 1.0 and labels.max() < 10
    assert np.isfinite(sc.score(ALL_POOL))
    assert not CellScorer(ScoringSetup("naswot", "cifar10", cifar_dir, batch_size=BATCH)).embedded
    with pytest.raises(DataError, match="256"):
        CellScorer(ScoringSetup("naswot", "cifar10", None, batch_size=300)).minibatch()


def test_cell_key_is_canonical_across_encodings() -> None:
    from dagfilter.cell import Cell

    c = Cell.from_nb201_str(MIXED)
    assert cell_key(c) == cell_key(MIXED) == cell_key(c.to_nb201_index()) == (MIXED, c.to_nb201_index())


def test_bad_inputs_give_specific_errors(cifar_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope"):
        get_proxy("nope")
    assert "naswot" in available_proxies()
    with pytest.raises(ConfigError, match="batch_size"):
        CellScorer(ScoringSetup("naswot", "cifar10", cifar_dir, batch_size=1))
    with pytest.raises(DataError, match="does not exist"):
        CellScorer(ScoringSetup("naswot", "cifar10", tmp_path / "missing", batch_size=BATCH)).score(ALL_CONV)
    setup = ScoringSetup(data_dir=cifar_dir, batch_size=BATCH)
    with pytest.raises(ConfigError, match="backend"):
        score_cells([ALL_CONV], setup, execution=Execution(backend="spark"))
    with pytest.raises(ConfigError, match="scheduler"):
        score_cells([ALL_CONV], setup, execution=Execution(backend="dask"))


# ---------------------------------------------------------------- cache
def test_cache_hits_on_rerun_and_records_are_readable(cifar_dir: Path, tmp_path: Path) -> None:
    cache = ScoreCache(tmp_path / "cache")
    cells = [ALL_POOL, 1, ALL_POOL]  # duplicate scored once
    setup = ScoringSetup(data_dir=cifar_dir, batch_size=BATCH)
    first = score_cells(cells, setup, cache, QUIET)
    assert [r.cached for r in first] == [False, False, False]
    assert first[0].score == first[2].score and len(cache) == 2
    again = score_cells(cells, setup, cache, QUIET)
    assert all(r.cached for r in again)
    assert [r.score for r in again] == [r.score for r in first]
    assert [r.seconds for r in again] == [r.seconds for r in first]  # the cold cost is kept
    # a different batch size or seed is a different key
    assert ScoreCache(tmp_path / "cache").get(first[0].cell, ScoreKey("naswot", "cifar10", BATCH + 1, 0)) is None
    recs = list(ScoreCache(tmp_path / "cache").items(proxy="naswot", dataset="cifar10", batch=BATCH))
    assert sorted(r.index for r in recs) == sorted([1, cell_key(ALL_POOL)[1]])
    df = cache.to_frame(proxy="naswot")
    assert set(df["score"]) == {first[0].score, first[1].score}


def test_cache_rejects_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "x.sqlite"
    bad.write_text("this is not sqlite " * 100)
    with pytest.raises(ConfigError, match="not a dagfilter score cache"):
        ScoreCache(bad)


_WRITER = """
import sys
from dagfilter.cache import ScoreCache, ScoreKey
cache = ScoreCache(sys.argv[1])
for k in range(40):
    cache.put(f"w{sys.argv[2]}-c{k}", ScoreKey("naswot", "cifar10", 8, 0), float(k), 0.01, None)
"""


def test_cache_is_safe_for_concurrent_writers(tmp_path: Path) -> None:
    ScoreCache(tmp_path)  # create the schema once
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(w)]) for w in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    recs = list(ScoreCache(tmp_path).items(proxy="naswot"))
    assert len(recs) == 120 and {r.cell for r in recs} == {f"w{w}-c{k}" for w in range(3) for k in range(40)}


def test_minus_inf_survives_the_cache(tmp_path: Path) -> None:
    cache = ScoreCache(tmp_path)
    key = ScoreKey("naswot", "cifar10", 8, 0)
    cache.put("a", key, float("-inf"), 0.1, None)
    cache.put("b", key, float("nan"), 0.1, None)
    assert cache.get("a", key) == float("-inf")
    assert np.isnan(cache.get("b", key))


@pytest.mark.slow
def test_interrupted_run_keeps_scores_and_resumes(cifar_dir: Path, tmp_path: Path) -> None:
    """SIGINT a real `dagfilter score` run mid-way, then rerun: nothing already scored is recomputed."""
    cells = [str(i) for i in (11, 222, 3333, 4444, 5555, 6666, 7777, 8888)]
    listing = tmp_path / "cells.txt"
    listing.write_text("\n".join(cells) + "\n")
    cache_dir = tmp_path / "cache"
    cmd = [sys.executable, "-m", "dagfilter", "score", "--indices", str(listing), "--batch", str(BATCH),
           "--data-dir", str(cifar_dir), "--cache-dir", str(cache_dir), "--json", "--quiet"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    db = cache_dir / "scores.sqlite"
    deadline = time.time() + 120
    n = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as con:
                    n = con.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
            except sqlite3.OperationalError:
                n = 0
            if n >= 2:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be interrupted (machine too fast for this check)")
    assert proc.returncode == 130, err
    kept = len(ScoreCache(cache_dir))
    assert 2 <= kept < len(cells)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["scores"]
    assert len(rows) == len(cells)
    assert sum(r["cached"] for r in rows) == kept  # exactly the interrupted run's scores are reused
    assert len(ScoreCache(cache_dir)) == len(cells)


# ---------------------------------------------------------------- parallel paths
@pytest.mark.slow
def test_loky_and_dask_give_the_sequential_scores(cifar_dir: Path) -> None:
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    cells = [ALL_POOL, LIGHT]
    setup = ScoringSetup(data_dir=cifar_dir, batch_size=BATCH)
    seq = [r.score for r in score_cells(cells, setup, execution=QUIET)]
    lok = [r.score for r in score_cells(cells, setup, execution=Execution(n_jobs=2, chunk_size=1, progress=False))]
    assert lok == pytest.approx(seq, rel=1e-9)
    threads = torch.get_num_threads()
    try:
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                          host="127.0.0.1", dashboard_address=None) as cluster:
            assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
            before = cluster.scheduler.transition_counter
            das = score_cells(cells, setup, execution=Execution(backend="dask", scheduler=cluster.scheduler_address,
                                                                chunk_size=1, progress=False))
            assert cluster.scheduler.transition_counter > before  # the tasks really went through the cluster
    finally:
        torch.set_num_threads(threads)
    assert [r.score for r in das] == pytest.approx(seq, rel=1e-9)
    assert not any(r.cached for r in das)


def test_unreachable_dask_scheduler_is_a_config_error(cifar_dir: Path) -> None:
    pytest.importorskip("dask.distributed")
    with pytest.raises(ConfigError, match="127.0.0.1:1"):
        score_cells([ALL_POOL], ScoringSetup(data_dir=cifar_dir, batch_size=BATCH),
                    execution=Execution(backend="dask", scheduler="tcp://127.0.0.1:1", progress=False))
