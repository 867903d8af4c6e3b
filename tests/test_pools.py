"""Candidate pools: searches that draw only from a measured pool (darts725 or a user's file)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import searchers
from dagfilter import DAGFilter, bench
from dagfilter.cli import main
from dagfilter.errors import ConfigError, PoolFormatError
from dagfilter.pools import from_cells, load_pool, read_pool_file


@pytest.fixture(scope="module")
def darts_csv(shared_dir: Path) -> pd.DataFrame:
    """The shared 725-cell CSV, read independently of dagfilter's shipped table."""
    p = shared_dir / "data" / "darts" / "darts_space_725.csv"
    if not p.is_file():
        pytest.skip(f"{p} does not exist")
    return pd.read_csv(p)


def _true_accuracy(darts_csv: pd.DataFrame, genotype_json: str) -> float:
    """Accuracy of a genotype looked up in the shared CSV (order of a node's two inputs ignored)."""
    def canon(g: dict) -> tuple:
        return tuple((part, tuple(tuple(sorted(map(tuple, g[part][k:k + 2]), key=lambda e: (e[1], e[0])))
                                  for k in range(0, len(g[part]), 2))) for part in ("normal", "reduce"))
    want = canon(json.loads(genotype_json))
    hits = [a for g, a in zip(darts_csv["genotype_json"], darts_csv["val_accuracy"]) if canon(json.loads(g)) == want]
    assert len(hits) == 1
    return float(hits[0])


@pytest.mark.parametrize("name,options", [("random", {}), ("ranked", {"score": "params"})])
def test_pool_search_returns_a_pool_cell_and_its_true_accuracy(darts_csv: pd.DataFrame, name: str,
                                                               options: dict) -> None:
    s = searchers.get(name, **options)
    flt = DAGFilter.paper("darts", 0.5)
    res = s.search("darts", budget=60, seed=3, filter=flt, pool="darts725", progress=False)
    acc = _true_accuracy(darts_csv, res.chosen_cell)
    assert res.pool["accuracy"] == pytest.approx(acc, abs=1e-9)
    assert res.accuracies["pool_accuracy"] == pytest.approx(acc, abs=1e-9)
    truth = darts_csv["val_accuracy"].to_numpy()
    assert res.pool["best"] == pytest.approx(truth.max())
    assert res.pool["rank"] == int((truth > acc + 1e-9).sum()) + 1
    assert res.pool["size"] == 725 and res.config["pool"]["name"] == "darts725"
    # every candidate came from the pool, rejected ones were skipped
    pool = load_pool("darts725")
    rows = [t["pool_row"] for t in res.trajectory]
    assert len(set(rows)) == 60 and all(pool.keys[r] == t["cell"] for r, t in zip(rows, res.trajectory))
    inside = pool.mask(flt)
    assert [t["status"] == "evaluated" for t in res.trajectory] == [bool(inside[r]) for r in rows]
    if name == "random":  # random search with a pool keeps the best measured accuracy among the scored cells
        assert acc == pytest.approx(max(truth[pool.rows_of([pool.archs[r] for r in rows if inside[r]])]))
    # JSON round trip keeps the pool outcome
    back = searchers.SearchResult.from_json(res.to_json())
    assert back.pool == res.pool


def test_user_pool_files_with_and_without_accuracies(tmp_path: Path, darts_csv: pd.DataFrame) -> None:
    rows = darts_csv.iloc[[5, 17, 42, 99]]
    jl = tmp_path / "mine.jsonl"
    jl.write_text("# four cells of the DARTS space\n" + "\n".join(
        json.dumps({"genotype": json.loads(g), "accuracy": a}) for g, a in zip(rows["genotype_json"], rows["val_accuracy"]))
        + "\n\n")
    pool = load_pool(jl, "darts")
    assert len(pool) == 4 and pool.space == "darts"
    np.testing.assert_allclose(pool.accuracies, rows["val_accuracy"].to_numpy())
    res = searchers.get("random").search("darts", budget=4, seed=0, pool=jl, progress=False)
    assert res.pool["accuracy"] == pytest.approx(rows["val_accuracy"].max()) and res.pool["rank"] == 1
    # CSV without accuracies: a search still runs; the outcome has no accuracy
    csv = tmp_path / "mine.csv"
    pd.DataFrame({"genotype": rows["genotype_json"]}).to_csv(csv, index=False)
    bare = read_pool_file(csv)
    assert bare.accuracies is None and bare.keys == pool.keys
    res = searchers.get("ranked", score="params").search("darts", budget=3, seed=1, pool=bare, progress=False)
    assert res.pool["accuracy"] is None and res.pool["row"] in range(4) and res.chosen_cell in bare.keys
    # NAS-Bench-201 cells in a file make an nb201 pool
    nb = tmp_path / "nb.jsonl"
    nb.write_text('"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"\n'
                  '{"arch": 0, "acc": 10.0}\n')
    with pytest.raises(PoolFormatError, match=r"nb.jsonl:2: has an accuracy while line 1 has none"):
        read_pool_file(nb)


@pytest.mark.parametrize("text,match", [
    ('{"arch": 6111, "accuracy": 93.1}\n{"arch": 12, "accuracy": 80}\n{"arch": 7 "accuracy": 1}\n',
     r"bad.jsonl:3: not valid JSON"),
    ('{"arch": 6111, "accuracy": 93.1}\n\n{"arch": "|bogus~0|", "accuracy": 2}\n', r"bad.jsonl:3:"),
    ('{"arch": 6111, "accuracy": 93.1}\n{"arch": 6111, "accuracy": 93.1}\n', r"bad.jsonl:2: repeats the cell of line 1"),
    ('{"arch": 6111, "accuracy": "high"}\n', r"bad.jsonl:1: accuracy 'high' is not a number"),
    ('{"arch": 6111}\n{"arch": 12, "accuracy": 3}\n', r"bad.jsonl:2: has an accuracy while line 1 has none"),
    ('{"name": 1}\n', r"bad.jsonl:1: an object needs a genotype"),
])
def test_malformed_pool_lines_are_named(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text(text)
    with pytest.raises(PoolFormatError, match=match):
        read_pool_file(p)


def test_malformed_csv_pool_line_is_named(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("arch,accuracy\n6111,93.1\n12,80.5\n\n99,nan\n")
    with pytest.raises(PoolFormatError, match=r"bad.csv:5: accuracy 'nan' is not a finite number"):
        read_pool_file(p)
    p.write_text("cell_name,accuracy\n6111,93.1\n")
    with pytest.raises(PoolFormatError, match=r"bad.csv:1: the CSV header needs a cell column"):
        read_pool_file(p)
    p.write_text("arch,accuracy\n6111,93.1,extra\n")
    with pytest.raises(PoolFormatError, match=r"bad.csv:2: 3 fields, the header has 2"):
        read_pool_file(p)


def test_pool_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_pool(tmp_path / "absent.jsonl")
    with pytest.raises(ConfigError, match="holds cells of space 'darts', not 'nb201'"):
        load_pool("darts725", "nb201")
    with pytest.raises(ConfigError, match="holds 725 cells; cannot draw 800"):
        searchers.get("random").search("darts", budget=800, seed=0, pool="darts725", progress=False)
    with pytest.raises(PoolFormatError, match="cell 1 repeats cell 0"):
        from_cells([6111, 6111], "nb201")


def test_cli_pool_search_and_rank(capsys, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["search", "--space", "darts", "--pool", "darts725", "--searcher", "random", "--samples", "50",
                 "--filter", "0.5", "--runs", "3", "--quiet", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "pool accuracy" in text and "pool darts725" in text
    runs = json.loads(out.read_text())["runs"]
    assert len(runs) == 3 and all(r["pool"]["accuracy"] is not None for r in runs)
    assert main(["search", "--space", "darts", "--pool", "darts725", "--searcher", "random", "--samples", "50",
                 "--filter", "default", "--quiet", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["config"]["filter"]["center"] == [1.05, 8.0] and res["config"]["filter"]["fraction"] == 0.25
    assert main(["search", "--space", "darts", "--filter", "default", "--window", "paper"]) != 0
    assert "--filter default is one fixed window" in capsys.readouterr().err
    # TE-NAS prunes a supernet: a pool is refused with a clear message
    assert main(["search", "--space", "darts", "--pool", "darts725", "--searcher", "tenas"]) != 0
    assert "does not draw candidates" in capsys.readouterr().err
    assert main(["rank", "--space", "darts", "--pool", "darts725", "--score", "params", "--top", "2"]) == 0
    text = capsys.readouterr().out
    assert "pool_acc" in text and "pool " in text


def test_pool_rank_cells_quality_matches_table() -> None:
    from scipy.stats import spearmanr

    from dagfilter.rankers.ranking import rank_cells

    res = rank_cells("params", "darts", pool="darts725")
    t = bench.load("darts725").table()
    from dagfilter.rankers import get_ranker

    pool = load_pool("darts725")
    params = get_ranker("params").scores("darts", list(pool.archs))
    assert res.quality["pool"]["spearman"] == pytest.approx(spearmanr(params, t["val_accuracy"]).statistic)
