"""Reliability of the score cache and of resumable searches under kill -9, concurrency and damage."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagfilter.cache import ScoreCache
from dagfilter.cli import main
from dagfilter.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]

SEARCH = """
import sys, torch, searchers
torch.set_num_threads(1)
s = searchers.get("naswot", batch_size=8, n_jobs=2, chunk_size=1, cache=sys.argv[1], table=False)
res = s.search("nb201", budget=int(sys.argv[3]), seed=3, progress=False)
open(sys.argv[2], "w").write(res.to_json())
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAGFILTER_")}
    env.update(PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def _rows(db: Path) -> dict[str, tuple[float, float]]:
    """``{cell: (score, created)}`` read straight from the SQLite file (not through dagfilter)."""
    if not db.exists():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return {c: (s, t) for c, s, t in con.execute("SELECT cell, score, created FROM scores")}
    except sqlite3.OperationalError:  # the table is not created yet
        return {}
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_during_a_parallel_search_loses_and_recomputes_nothing(tmp_path: Path) -> None:
    budget = 8
    script = tmp_path / "search.py"
    script.write_text(SEARCH)
    cache, db = tmp_path / "cache", tmp_path / "cache" / "scores.sqlite"
    proc = subprocess.Popen([sys.executable, str(script), str(cache), str(tmp_path / "killed.json"), str(budget)],
                            cwd=REPO, env=_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    before: dict[str, tuple[float, float]] = {}
    try:
        while time.time() < deadline and proc.poll() is None:
            before = _rows(db)
            if len(before) >= 2:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the search and its two loky workers, mid-run
        proc.wait()
    before = _rows(db)  # everything committed before the kill
    assert 2 <= len(before) < budget, f"kill came at {len(before)} of {budget} scores; the test did not interrupt"
    assert not (tmp_path / "killed.json").exists()

    resumed = subprocess.run([sys.executable, str(script), str(cache), str(tmp_path / "resumed.json"), str(budget)],
                             cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    after = _rows(db)
    for cell, (score, created) in before.items():  # not lost, not recomputed (created would change)
        assert after[cell] == (score, created)
    res = json.loads((tmp_path / "resumed.json").read_text())
    assert res["cached"] == len(before) and res["evaluated"] == budget == len(after)

    fresh = subprocess.run([sys.executable, str(script), str(tmp_path / "fresh"), str(tmp_path / "fresh.json"),
                            str(budget)], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    ref = json.loads((tmp_path / "fresh.json").read_text())
    assert res["chosen_cell"] == ref["chosen_cell"] and res["score"] == ref["score"]
    assert [(t["cell"], t["score"]) for t in res["trajectory"]] == [(t["cell"], t["score"]) for t in ref["trajectory"]]


WRITER = """
import random, sys
from dagfilter.cache import ScoreCache
k, path = int(sys.argv[1]), sys.argv[2]
cache = ScoreCache(path)
cells = list(range(40 * k, 40 * k + 100))          # writers k and k+1 share 60 cells
random.Random(k).shuffle(cells)
for i in range(0, len(cells), 5):
    rows = [(f"cell{c}", c / 7.0, 0.01, c) for c in cells[i:i + 5]]
    cache.put_many(rows, ("naswot", "cifar10", 16, 0))
    got = cache.get_many([r[0] for r in rows], ("naswot", "cifar10", 16, 0))
    assert all(got[c][0] == s for c, s, _, _ in rows)
"""


def test_four_processes_writing_overlapping_cells_to_one_cache(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), str(k), str(tmp_path / "cache")], cwd=REPO, env=_env(),
                              stderr=subprocess.PIPE, text=True) for k in range(4)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errs
    recs = list(ScoreCache(tmp_path / "cache").items(proxy="naswot"))
    cells = {r.cell for r in recs}
    assert len(recs) == len(cells) == 40 * 3 + 100  # the union, each cell once
    assert all(r.score == r.index / 7.0 and r.cell == f"cell{r.index}" for r in recs)


def test_truncated_cache_is_a_clear_error_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = ScoreCache(tmp_path)
    cache.put_many([(f"cell{i}", float(i), 0.1, None) for i in range(3000)], ("naswot", "cifar10", 8, 0))
    db = cache.path
    del cache
    data = db.read_bytes()
    assert len(data) > 100_000 and not Path(f"{db}-wal").exists()
    db.write_bytes(data[: len(data) // 2])
    with pytest.raises(ConfigError, match=r"scores\.sqlite.*(damaged|not a dagfilter).*recover.*delete"):
        ScoreCache(tmp_path)
    assert main(["score", "6111", "--cache-dir", str(tmp_path), "--quiet"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and str(db) in err[0] and "delete" in err[0]
