"""``rank_cells`` / ``dagfilter rank``: whole-space rankings, agreement with the benchmark, errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau, spearmanr

from dagfilter import DAGFilter
from dagfilter.cli import main
from dagfilter.encodings.nb201 import index_strings
from dagfilter.encodings.parse import parse_arch
from dagfilter.errors import CellFormatError, ConfigError
from dagfilter.genotypes import DARTS_V1, DARTS_V2
from dagfilter.nets.darts_counts import darts_param_count
from dagfilter.rankers import get_ranker
from dagfilter.rankers.ranking import rank_cells
from dagfilter.spaces import get_space


@pytest.fixture(scope="module")
def table(nb201_csv: pd.DataFrame) -> pd.DataFrame:
    return nb201_csv


def test_whole_space_ranking_is_sorted_and_agrees_with_scipy(table: pd.DataFrame) -> None:
    res = rank_cells("prior")
    rows = res.rows
    assert len(rows) == 15625 and rows["index"].nunique() == 15625
    assert np.all(np.diff(rows["score"].to_numpy()) <= 0)
    prior = get_ranker("prior").scores("nb201", np.arange(15625))
    assert rows["score"].iloc[0] == prior.max()
    np.testing.assert_array_equal(rows["score"].to_numpy(), prior[rows["index"].to_numpy()])
    # accuracies are the real benchmark figures of each ranked cell (shared CSV, read independently)
    np.testing.assert_allclose(rows["cifar10_test"].to_numpy(),
                               table.loc[rows["index"].to_numpy(), "cifar10_test_200"].to_numpy(), atol=1e-6)
    assert list(rows["cell"].iloc[:5]) == list(table.loc[rows["index"].iloc[:5], "arch_str"])
    truth = table["cifar10_test_200"].to_numpy()
    assert res.quality["cifar10"]["spearman"] == pytest.approx(spearmanr(prior, truth).statistic, abs=1e-12)
    assert res.quality["cifar10"]["kendall"] == pytest.approx(kendalltau(prior, truth).statistic, abs=1e-12)
    assert res.quality["cifar10"]["spearman"] >= 0.80  # the target for the prior
    assert set(res.quality) == {"cifar10", "cifar100", "ImageNet16-120"}
    # ties share the first position of their block; positions are 1-based
    r, s = rows["rank"].to_numpy(), rows["score"].to_numpy()
    assert r[0] == 1 and np.all(np.diff(r) >= 0)
    assert np.all((np.diff(r) == 0) == (np.diff(s) == 0))
    assert res.stats == {"forward_passes": 0} and res.kind == "analytic"
    d = res.to_dict(top=3)
    assert d["n"] == 15625 and len(d["rows"]) == 3 and d["config"]["space"] == "nb201"


def test_filter_and_explicit_cells() -> None:
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    res = rank_cells("params", filter=flt)
    assert len(res.rows) == int(flt.mask(np.arange(15625)).sum())
    assert flt.mask(res.rows["index"].to_numpy()).all()
    # the window_distance ranker measures against the filter it was given
    tight = DAGFilter.from_space("nb201", fraction=0.25)
    wd = rank_cells("window_distance", filter=tight)
    assert (wd.rows["score"] >= -0.25 - 1e-9).all()
    # mixed encodings of given cells
    s = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
    assert index_strings([6111, 0]) == [s, get_space("nb201").arch(0).to_nb201_str()]
    mixed = rank_cells("d_bar", archs=[s, 3, 6111])
    assert sorted(mixed.rows["index"].tolist()) == [3, 6111, 6111]
    with pytest.raises(ConfigError, match="accepts none"):
        rank_cells("d_bar", filter=DAGFilter.from_space("nb201", fraction=0.001))
    with pytest.raises(ConfigError, match="no cells"):
        rank_cells("d_bar", archs=[])
    with pytest.raises(ConfigError, match="cannot be enumerated"):
        rank_cells("params", space="darts")


def test_darts_names_and_table_agreement() -> None:
    assert parse_arch("DARTS_V2") == DARTS_V2 and parse_arch(" DARTS_V1 ") == DARTS_V1
    res = rank_cells("params", space="darts", archs=["DARTS_V1", "DARTS_V2"])
    p1, p2 = darts_param_count(DARTS_V1), darts_param_count(DARTS_V2)
    assert res.rows["index"].tolist() == ([0, 1] if p1 > p2 else [1, 0])
    assert res.quality == {}  # neither genotype is one of the 725 tabled cells
    from dagfilter import bench

    b = bench.load("darts725")
    genos = [b.genotype(i) for i in range(60)]
    acc = b.table()["val_accuracy"].to_numpy()[:60]
    r = rank_cells("params", space="darts", archs=genos)
    assert r.quality["cifar10"]["n"] == 60
    own = get_ranker("params").scores("darts", [parse_arch(g) for g in genos])
    assert r.quality["cifar10"]["spearman"] == pytest.approx(spearmanr(own, acc).statistic, abs=1e-12)


def test_cli_rank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "out" / "ranking.csv"
    assert main(["rank", "--score", "prior:params,d_bar,window_distance", "--top", "4", "--csv", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "agreement with the benchmark" in out and "ImageNet16-120" in out
    df = pd.read_csv(csv)
    assert len(df) == 15625 and list(df.columns[:4]) == ["rank", "index", "cell", "score"]
    assert main(["rank", "--list"]) == 0
    assert "window_distance" in capsys.readouterr().out
    assert main(["rank", "--score", "bogus"]) == 2
    assert "unknown ranker 'bogus'" in capsys.readouterr().err
    assert main(["rank", "99999"]) == 2
    assert "99999" in capsys.readouterr().err
    with pytest.raises(CellFormatError):
        parse_arch("DARTS_V9")


def test_analytic_ranking_never_imports_torch() -> None:
    code = ("import sys; from dagfilter.rankers.ranking import rank_cells; r = rank_cells('prior'); "
            "assert 'torch' not in sys.modules, 'torch was imported'; print(len(r.rows))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "15625"


def test_cli_rank_live_uses_cache(cifar_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["rank", "--score", "naswot+prior", "--batch", "8", "--data-dir", str(cifar_dir),
            "--cache-dir", str(tmp_path), "--json"]
    assert main(base + ["3818", "6111"]) == 0
    captured = capsys.readouterr()
    assert "is live" in captured.err
    import json

    first = json.loads(captured.out)
    assert first["kind"] == "live" and first["stats"]["live_computed"] == 2 and first["n"] == 2
    # a rerun reads the cache; --cache-only refuses a cell it has never scored
    assert main(base + ["--cache-only", "3818", "6111"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["stats"]["live_computed"] == 0 and again["rows"] == first["rows"]
    assert main(base + ["--cache-only", "3818", "12"]) == 2
    assert "not in the score cache" in capsys.readouterr().err
