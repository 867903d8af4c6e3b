"""The report keeps scoring setups apart, shows n and refuses correlations over too few cells (issue 29, item 6)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from dagfilter import bench
from dagfilter.cache import ScoreCache, ScoreKey
from dagfilter.report import figures as F
from dagfilter.report import tables as T
from dagfilter.report.data import load_space_data
from dagfilter.report.stats import MIN_CORRELATION_N, rank_correlations


def test_rank_correlations_refuse_fewer_than_the_minimum_but_report_n() -> None:
    acc = np.arange(50.0)
    t = rank_correlations({"few": np.where(acc < 5, acc, np.nan), "many": acc}, acc)
    few, many = t.iloc[0], t.iloc[1]
    assert few["n"] == 5 and math.isnan(few["spearman"]) and math.isnan(few["kendall"])
    assert many["n"] == 50 >= MIN_CORRELATION_N and many["spearman"] == pytest.approx(1.0)


def test_report_series_are_one_setup_each_of_this_version(tmp_path) -> None:
    nb = bench.load("nb201")
    acc = nb.query_many(np.arange(len(nb)), "cifar10", "test-accuracy")
    cache = ScoreCache(tmp_path / "c")
    few = np.arange(5)
    cache.put_many([(nb.arch(int(i)), float(acc[i]), 0.1, int(i)) for i in few], ScoreKey("naswot", "cifar10", 128, 0))
    many = np.arange(100, 4100, 100)  # 40 cells of another setup, scored "backwards"
    cache.put_many([(nb.arch(int(i)), -float(acc[i]), 0.1, int(i)) for i in many], ScoreKey("naswot", "cifar10", 64, 1))
    old = ScoreCache(tmp_path / "c", version="0.0.1")
    old.put_many([(nb.arch(int(i)), 1.0, 0.1, int(i)) for i in range(200, 260)], ScoreKey("naswot", "cifar10", 128, 0))
    sd = load_space_data("nb201", cache=tmp_path / "c")
    assert {p for p in sd.proxies if "(table)" not in p} == {"naswot [cifar10]", "naswot [cifar10, batch 64, seed 1]"}
    assert np.array_equal(np.flatnonzero(~np.isnan(sd.proxies["naswot [cifar10]"])), few)  # no other setup/version
    assert "n = 5 cells" in sd.proxy_desc["naswot [cifar10]"] and "other dagfilter versions" in sd.proxy_desc["naswot [cifar10]"]
    ct = T.correlation_table(sd)
    c10 = ct[ct.dataset == "cifar10"].set_index("metric")
    assert c10.loc["naswot [cifar10]", "n"] == 5 and math.isnan(c10.loc["naswot [cifar10]", "spearman"])
    assert c10.loc["naswot [cifar10, batch 64, seed 1]", "n"] == 40
    assert c10.loc["naswot [cifar10, batch 64, seed 1]", "spearman"] < -0.9
    fig = F.correlation_figure(ct, "t")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"n 5 < {MIN_CORRELATION_N}" in texts and any(t.endswith("n 40") for t in texts)


@pytest.mark.slow
def test_report_progress_bar_ends_at_its_total(tmp_path, capsys) -> None:
    import re

    from dagfilter.report import build_report

    build_report(tmp_path / "r", spaces=("nb201", "nb201"), sim_seeds=1, formats=["png"], progress=True)
    pairs = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) \[", capsys.readouterr().err)]
    assert pairs and all(done <= total for done, total in pairs), pairs[-3:]  # was 7/6 ("10/10 then 11step")
    assert pairs[-1][0] == pairs[-1][1]
