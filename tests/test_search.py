"""Searcher interface, registry, sampling/filter semantics, result JSON and the CLI."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import searchers
from dagfilter import DAGFilter
from dagfilter.cache import ScoreCache
from dagfilter.cli import main
from dagfilter.errors import ConfigError
from searchers import SearchResult

BATCH = 16


@pytest.fixture(scope="module")
def table_path(shared_dir: Path) -> Path:
    p = shared_dir / "data" / "nb201" / "nb201_table.csv"
    if not p.is_file():
        pytest.skip(f"NAS-Bench-201 table {p} does not exist")
    return p


@pytest.fixture(scope="module")
def table(table_path: Path) -> pd.DataFrame:
    return pd.read_csv(table_path).set_index("index")




def test_registry_lists_and_builds_searchers() -> None:
    assert {"naswot", "random"} <= set(searchers.available())
    with pytest.raises(ConfigError, match="unknown searcher 'tpe'.*naswot"):
        searchers.get("tpe")
    with pytest.raises(ConfigError, match="scheduler"):
        searchers.get("naswot", backend="dask")

    @searchers.register("test-first-cell")
    class FirstCell(searchers.Searcher):
        def evaluate(self, archs, space, seed, progress, postfix):
            return [searchers.Evaluation(-float(k)) for k in range(len(archs))]

    res = searchers.get("test-first-cell").search("nb201", budget=5, seed=1, progress=False)
    assert res.chosen_cell == res.trajectory[0]["cell"] and res.searcher == "test-first-cell"
    with pytest.raises(ConfigError, match="already registered"):
        searchers.register("test-first-cell")(type("Other", (FirstCell,), {}))


def test_random_search_picks_best_validation_accuracy_of_the_drawn_cells(table: pd.DataFrame,
                                                                       table_path: Path) -> None:
    s = searchers.get("random", table=table_path)
    res = s.search("nb201", budget=60, seed=7, progress=False)
    drawn = [t["index"] for t in res.trajectory]
    assert len(set(drawn)) == 60 == res.drawn == res.evaluated and res.skipped == 0
    vals = table.loc[drawn, "cifar10valid_valid_200"].to_numpy()
    assert res.chosen_index == drawn[int(np.argmax(vals))]
    assert res.accuracies["cifar10_test_200"] == pytest.approx(table.loc[res.chosen_index, "cifar10_test_200"])
    assert res.trajectory[-1]["best_score"] == pytest.approx(vals.max())


def test_shipped_benchmark_and_shared_csv_give_the_same_figures(table_path: Path) -> None:
    from searchers.benchmark import REPORT_COLUMNS, NB201Table

    shipped, csv = NB201Table(), NB201Table(table_path)
    idx = np.random.default_rng(0).choice(15625, 50, replace=False)
    for col in REPORT_COLUMNS:
        np.testing.assert_allclose(shipped.metric(idx, col), csv.metric(idx, col), atol=1e-6)
    from dagfilter.errors import BenchmarkError

    with pytest.raises(BenchmarkError, match="nope"):
        shipped.metric(idx, "nope")


def test_filtered_search_skips_rejected_cells_from_the_same_stream(table_path: Path) -> None:
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    s = searchers.get("random", table=table_path)
    plain = s.search("nb201", budget=100, seed=3, progress=False)
    filt = s.search("nb201", budget=100, seed=3, filter=flt, progress=False)
    drawn = np.array([t["index"] for t in plain.trajectory])
    assert [t["index"] for t in filt.trajectory] == list(drawn)  # same candidate stream
    keep = flt.mask(drawn)
    assert filt.evaluated == int(keep.sum()) and filt.skipped == 100 - int(keep.sum())
    assert [t["status"] == "evaluated" for t in filt.trajectory] == list(keep)
    assert 20 < filt.evaluated < 60  # the window keeps ~40 % of NAS-Bench-201
    assert flt.accepts(filt.chosen_cell)
    assert filt.config["filter"] == flt.to_dict() and plain.config["filter"] is None


def test_scored_budget_mode_draws_until_n_are_evaluated(table_path: Path) -> None:
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    res = searchers.get("random", table=table_path).search("nb201", 30, seed=0, filter=flt, budget_mode="scored",
                                                           progress=False)
    assert res.evaluated == 30 and res.drawn == 30 + res.skipped
    assert res.trajectory[-1]["status"] == "evaluated"
    with pytest.raises(ConfigError, match="budget_mode"):
        searchers.get("random").search("nb201", 5, budget_mode="all")
    with pytest.raises(ConfigError, match="budget"):
        searchers.get("random").search("nb201", 0)
    with pytest.raises(ConfigError, match="accepts only 0 cells"):
        searchers.get("random").search("nb201", 5, filter=DAGFilter.from_ranges((9, 9), (9, 9)),
                                       budget_mode="scored")


def test_random_search_without_a_benchmark_is_seeded_uniform() -> None:
    s = searchers.get("random", table=False)
    a = s.search("nb201", 50, seed=1, progress=False)
    assert a.accuracies is None and a.config["select"] == "uniform-random"
    assert s.search("nb201", 50, seed=1, progress=False).chosen_cell == a.chosen_cell
    picks = set()
    for k in range(12):
        r = s.search("nb201", 50, seed=k, progress=False)
        picks.add([t["cell"] for t in r.trajectory].index(r.chosen_cell))
    assert len(picks) > 3  # not always the first or the same position


def test_result_json_round_trip_keeps_config_and_non_finite_scores(tmp_path: Path, table_path: Path) -> None:
    res = searchers.get("random", table=table_path).search("nb201", 10, seed=2,
                                                           filter=DAGFilter.from_space("nb201"), progress=False)
    res.score = float("-inf")
    path = tmp_path / "r.json"
    text = res.to_json(path)
    obj = json.loads(text)  # strict JSON
    # the JSON convention: null plus a status field (README, "JSON output")
    assert obj["score"] is None and obj["score_status"] == "-inf"
    assert obj["config"]["seed"] == 2 and obj["config"]["version"]
    back = SearchResult.from_json(path)
    assert back.score == -math.inf and back.config == res.config and back.trajectory == res.trajectory
    # result files of older versions wrote the string "-inf"; they still load
    legacy = {k: v for k, v in obj.items() if k != "score_status"}
    assert SearchResult.from_dict({**legacy, "score": "-inf"}).score == -math.inf
    with pytest.raises(ConfigError, match="unknown field"):
        SearchResult.from_dict({**obj, "bogus": 1})
    with pytest.raises(ConfigError, match="does not exist"):
        SearchResult.from_json(tmp_path / "missing.json")
    # the train command and parse_arch read "chosen_cell" from the file
    from dagfilter.encodings.parse import parse_arch

    assert parse_arch(str(path)).to_nb201_str() == res.chosen_cell


def test_naswot_search_scores_only_accepted_cells_and_picks_the_best(cifar_dir: Path, tmp_path: Path,
                                                                     table_path: Path) -> None:
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    cache = ScoreCache(tmp_path / "cache")
    s = searchers.get("naswot", data_dir=cifar_dir, batch_size=BATCH, cache=cache, table=table_path)
    res = s.search("nb201", budget=5, seed=11, filter=flt, progress=False)
    assert res.evaluated + res.skipped == 5 and res.evaluated >= 1
    # rejected cells were never scored: the cache holds exactly the evaluated cells
    scored = {r.cell for r in cache.items()}
    assert scored == {t["cell"] for t in res.trajectory if t["status"] == "evaluated"}
    evaluated = [t for t in res.trajectory if t["status"] == "evaluated"]
    assert res.score == max(t["score"] for t in evaluated) and np.isfinite(res.score)
    assert res.accuracies and set(res.accuracies) >= {"cifar10_test_200", "cifar100_test_200", "imagenet16_test_200"}
    assert res.scoring_seconds > 0 and res.computed_seconds == pytest.approx(res.scoring_seconds)
    again = s.search("nb201", budget=5, seed=11, filter=flt, progress=False)
    assert again.cached == again.evaluated and again.computed_seconds == 0
    assert again.chosen_cell == res.chosen_cell and again.scoring_seconds == pytest.approx(res.scoring_seconds)


def test_cli_search_runs_prints_mean_and_std(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    out = tmp_path / "runs.json"
    assert main(["search", "--searcher", "random", "--samples", "50", "--filter", "0.5", "--runs", "4",
                 "--quiet", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "CIFAR-10" in text and "±" in text and "skipped" in text
    data = json.loads(out.read_text())
    assert len(data["runs"]) == 4 and [r["config"]["seed"] for r in data["runs"]] == [0, 1, 2, 3]
    assert main(["search", "--searcher", "naswot", "--backend", "dask", "--quiet"]) == 2
    assert "scheduler" in capsys.readouterr().err


def test_cli_score_json_and_errors(capsys: pytest.CaptureFixture, cifar_dir: Path, tmp_path: Path) -> None:
    args = ["score", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "--batch", str(BATCH), "--data-dir",
            str(cifar_dir), "--cache-dir", str(tmp_path), "--json", "--quiet"]
    assert main(args) == 0
    rows = json.loads(capsys.readouterr().out)["scores"]
    assert rows[0]["score"] is None and rows[0]["score_status"] == "-inf" and rows[0]["index"] is not None
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["scores"][0]["cached"] is True
    assert main(["score", "--quiet"]) == 2
    assert "no cells given" in capsys.readouterr().err
    assert main(["score", "not-a-cell", "--quiet", "--data-dir", str(cifar_dir)]) == 2
    assert "not-a-cell" in capsys.readouterr().err


def test_search_help_names_exactly_the_builtin_searchers() -> None:
    from dagfilter.commands.search import BUILTIN_SEARCHERS
    from searchers.registry import get_class

    # Other tests register their own searchers; compare with those the package's modules define.
    shipped = {n for n in searchers.available() if get_class(n).__module__.startswith("searchers.")}
    assert set(BUILTIN_SEARCHERS) == shipped
