"""Shipped NAS-WOT scores of the 725 darts725 cells: integrity, live reproduction, use by pool searches."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import searchers
from dagfilter import DAGFilter
from dagfilter.cache import ScoreCache
from dagfilter.cli import main
from dagfilter.errors import BenchmarkError
from dagfilter.pools import load_pool
from dagfilter.proxies.shipped import darts725_setup, load_darts725_scores


def test_shipped_darts_scores_integrity(tmp_path: Path) -> None:
    s = load_darts725_scores()
    assert s.scores.shape == (725,) and np.isfinite(s.scores).all()
    assert s.meta["network"] == {"C": 16, "layers": 8} and s.meta["space"] == "darts"
    assert s.key == darts725_setup().key and s.key.dataset == "cifar10[C=16,layers=8]"
    bad = s.scores.copy()
    bad[3] += 1e-9
    p = tmp_path / "tampered.npz"
    np.savez(p, scores=bad, meta=np.asarray(json.dumps(s.meta)))
    with pytest.raises(BenchmarkError, match="SHA-256"):
        load_darts725_scores(p)
    np.savez(p, scores=bad[:700], meta=np.asarray(json.dumps(s.meta)))
    with pytest.raises(BenchmarkError, match="expected 725 scores"):
        load_darts725_scores(p)


@pytest.mark.slow
def test_shipped_darts_scores_are_reproduced_live(cifar_dir: Path) -> None:
    """Two cells rescored live (CellScorer, never the shipped file) give the shipped values within the
    cross-kernel tolerance (bit for bit only on the machine that made them), and the same value twice
    in one process."""
    from dagfilter.proxies import CellScorer
    from dagfilter.proxies.shipped import NASWOT_RESCORE_RTOL

    shipped = load_darts725_scores().scores
    pool = load_pool("darts725")
    scorer = CellScorer(darts725_setup(cifar_dir))
    for r in (0, 411):
        live = scorer.score(pool.archs[r])
        assert live == pytest.approx(shipped[r], rel=NASWOT_RESCORE_RTOL), r
        if r == 0:
            assert scorer.score(pool.archs[r]) == live  # same machine, same process: exact


def test_pool_naswot_search_reads_imported_scores(tmp_path: Path, cifar_dir: Path, capsys) -> None:
    assert main(["data", "import-scores", "--space", "darts", "--cache-dir", str(tmp_path)]) == 0
    assert "imported 725 naswot scores" in capsys.readouterr().out
    cache = ScoreCache(tmp_path)
    shipped = load_darts725_scores().scores
    pool = load_pool("darts725")
    flt = DAGFilter.recommended("darts")
    s = searchers.get("naswot", data_dir=cifar_dir, cache=cache)
    res = s.search("darts", budget=100, seed=7, filter=flt, pool="darts725", progress=False)
    assert res.cached == res.evaluated and res.computed_seconds == 0  # no network was built
    scored = [t["pool_row"] for t in res.trajectory if t["status"] == "evaluated"]
    assert res.pool["row"] == scored[int(np.argmax(shipped[scored]))]
    assert res.pool["accuracy"] == pool.accuracies[res.pool["row"]]
    # the ranked searcher's live naswot part reads the same cache entries
    rk = searchers.get("ranked", score="naswot", data_dir=cifar_dir, cache=cache, cache_only=True)
    assert rk.search("darts", budget=100, seed=7, filter=flt, pool="darts725", progress=False).pool == res.pool
