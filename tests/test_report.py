"""Tests of dagfilter.report: statistics, tables, figures, the HTML report and the CLI.

The report is built once per session from the shipped benchmark tables (NAS-Bench-201 and the
725-cell DARTS table) into a temporary folder; numbers on the page are re-derived here from
the benchmark API and independent numpy code.
"""
from __future__ import annotations

import html.parser
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dagfilter import bench
from dagfilter.errors import CellFormatError, ConfigError, DataError
from dagfilter.filter import DAGFilter
from dagfilter.report import stats as S
from dagfilter.report import tables as T

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- pure statistics
def test_multiple_correlation_matches_direct_lstsq_and_pearson():
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=200), rng.normal(size=200)
    y = 1.5 * x1 - 0.7 * x2 + rng.normal(scale=0.8, size=200)
    X = np.column_stack([np.ones(200), x1, x2])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    fitted = X @ beta
    r_direct = np.corrcoef(y, fitted)[0, 1]  # R = corr(y, y_hat)
    assert S.multiple_correlation(y, x1, x2) == pytest.approx(r_direct, abs=1e-12)
    # one predictor: |Pearson r|
    assert S.multiple_correlation(y, -x1) == pytest.approx(abs(np.corrcoef(y, x1)[0, 1]), abs=1e-12)
    # an exact linear relation gives 1; NaN rows are dropped
    assert S.multiple_correlation(3 + 2 * x1 - x2, x1, x2) == pytest.approx(1.0)
    y_nan = y.copy()
    y_nan[:10] = np.nan
    keep = slice(10, None)
    assert S.multiple_correlation(y_nan, x1, x2) == pytest.approx(S.multiple_correlation(y[keep], x1[keep], x2[keep]))
    assert math.isnan(S.multiple_correlation(np.ones(50), x1[:50]))
    with pytest.raises(DataError, match="predictor x1 has 3 values"):
        S.multiple_correlation([1.0, 2.0], [1.0, 2.0, 3.0])


def test_dm_groups_mean_and_population_variance():
    d = [1.0, 1.0, 1.0, 2.0, 1 / 3]
    m = [2.0, 2.0, 2.0, 1.0, 3.0]
    acc = [90.0, 92.0, 94.0, 80.0, np.nan]
    g = S.dm_groups(d, m, acc)
    assert list(g.n) == [3, 1]  # the NaN-accuracy cell is left out
    row = g[(g.d_bar == 1.0) & (g.m_bar == 2.0)].iloc[0]
    assert row["mean"] == pytest.approx(92.0)
    assert row["var"] == pytest.approx(np.var([90, 92, 94]))
    assert g[g.d_bar == 2.0]["var"].iloc[0] == 0.0


def test_upper_envelope_is_above_every_point():
    rng = np.random.default_rng(1)
    d = rng.uniform(0, 3, 300)
    m = rng.uniform(0, 4, 300) * (3 - d) / 3
    xs, ys = S.upper_envelope(d, m)
    assert np.all(np.diff(xs) >= 0)
    assert xs[0] == pytest.approx(d.min()) and xs[-1] == pytest.approx(d.max())
    assert np.all(np.interp(d, xs, ys) >= m - 1e-9)  # no point above the polyline
    # the point with the largest m is on it
    assert ys.max() == pytest.approx(m.max())


def test_top_k_and_simulated_search_rules():
    acc = np.array([50.0, 90.0, np.nan, 90.0, 70.0])
    assert list(np.flatnonzero(S.top_k_mask(acc, 2))) == [1, 3]
    assert list(np.flatnonzero(S.top_k_mask(acc, 10))) == [0, 1, 3, 4]  # never NaN
    assert S.top_fraction_count(15625, 0.01) == 157
    score = np.array([1.0, 5.0, np.nan, 3.0, -np.inf, 4.0])
    keep = np.array([True, False, True, True, True, True])
    chosen, evaluated = S.simulate_proxy_search(score, keep, budget=10, seeds=[0, 1])
    # the whole scored pool (5 rows) is drawn; row 1 (best score) is rejected by the window -> row 5
    assert list(chosen) == [5, 5] and list(evaluated) == [4, 4]
    with pytest.raises(DataError, match="budget"):
        S.simulate_proxy_search(score, keep, budget=0)


def test_rank_correlations_against_scipy_and_neg_inf():
    from scipy import stats

    rng = np.random.default_rng(2)
    acc = rng.normal(size=100)
    x = acc + rng.normal(size=100)
    x_inf = x.copy()
    x_inf[x.argmin()] = -np.inf  # -inf ranks last, like the minimum it replaced
    t = S.rank_correlations({"x": x, "xinf": x_inf}, acc)
    assert t.loc[0, "spearman"] == pytest.approx(stats.spearmanr(x, acc).statistic)
    assert t.loc[0, "kendall"] == pytest.approx(stats.kendalltau(x, acc).statistic)
    assert t.loc[1, "spearman"] == pytest.approx(t.loc[0, "spearman"])


# --------------------------------------------------------------------------- the built report
@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Build the report for nb201 and darts with two search results per (searcher, filter)."""
    import searchers

    out = tmp_path_factory.mktemp("report")
    res_dir = out / "results"
    res_dir.mkdir()
    flt = DAGFilter.from_space("nb201", 0.5)
    s = searchers.get("random")
    for seed in (0, 1, 2):
        s.search("nb201", budget=50, seed=seed, progress=False).to_json(res_dir / f"random_s{seed}.json")
        s.search("nb201", budget=50, seed=seed, filter=flt, progress=False).to_json(res_dir / f"random_dag_s{seed}.json")
    from dagfilter.report import build_report

    result = build_report(
        out / "rep", spaces=("nb201", "darts"), results=res_dir, sim_seeds=5, progress=False,
        reference_samples=300)
    return result, res_dir


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures, self.tables, self.links, self.img_src = set(), set(), set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.img_src.append(a.get("src", ""))
            self.figures.add(a.get("data-figure"))
        if tag == "div" and a.get("data-table"):
            self.tables.add(a["data-table"])
        if tag == "a":
            self.links.add(a.get("href"))


@pytest.mark.slow
def test_report_files_and_html_reference_every_figure(report):
    result, _ = report
    out = result.out_dir
    page = result.html.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert page.startswith("<!DOCTYPE html>")
    assert set(result.figures) == parser.figures  # every figure is embedded
    for name, paths in result.figures.items():
        for fmt in ("png", "svg"):
            assert paths[fmt].is_file() and paths[fmt].stat().st_size > 1000
            assert f"figures/{name}.{fmt}" in parser.links
        assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert paths["svg"].read_text().lstrip().startswith("<?xml")
    assert all(src.startswith("data:image/png;base64,") for src in parser.img_src)  # self-contained
    assert not any(h.startswith(("http:", "https:", "/")) for h in parser.links if h and not h.startswith("#"))
    for name in result.tables:
        assert name in parser.tables
        assert (out / "tables" / f"{name}.csv").is_file() and (out / "tables" / f"{name}.md").is_file()
    # Figure 5 for each data set, both subsets on NB201
    for ds in ("cifar10", "cifar100", "ImageNet16-120"):
        assert f"nb201_fig5_{ds}_all" in result.figures and f"nb201_fig5_{ds}_3of6param" in result.figures
    assert "darts_fig5_cifar10_all" in result.figures and "darts_fig5_cifar10_4of8param" in result.figures
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["figures"]) == set(result.figures)


@pytest.mark.slow
def test_kept_share_and_R_match_independent_computation(report):
    result, _ = report
    nb = bench.load("nb201")
    table = nb.table()
    d, m = table["d_bar"].to_numpy(), table["m_bar"].to_numpy()
    flt = DAGFilter.from_space("nb201", 0.5)
    keep = np.asarray(flt.accepts_metrics(d, m))
    from dagfilter.encodings.nb201 import index_codes

    conv3 = np.isin(index_codes(), [2, 3]).sum(axis=1) == 3
    window = pd.read_csv(result.out_dir / "tables" / "nb201_window.csv")
    for ds in ("cifar10", "cifar100", "ImageNet16-120"):
        acc = nb.query_many(np.arange(len(nb)), ds, "test-accuracy")
        for subset, mask in (("all cells", np.ones(len(d), bool)), ("3 of 6 parameterized edges", conv3)):
            row = window[(window.subset == subset) & (window.dataset == ds)].iloc[0]
            X = np.column_stack([np.ones(mask.sum()), d[mask], m[mask]])
            y = acc[mask]
            resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
            r = math.sqrt(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))
            assert row["R"] == pytest.approx(r, abs=1e-9)
            assert row["kept_share"] == pytest.approx(keep[mask].mean())
            assert row["kept"] == keep[mask].sum()
            top10 = np.argsort(-y, kind="stable")[:10]
            assert row["top10_kept"] == keep[mask][top10].sum()
            k1 = math.ceil(0.01 * mask.sum())
            assert row["top1pct"] == k1
            assert row["top1pct_kept"] == keep[mask][np.argsort(-y, kind="stable")[:k1]].sum()
    # the headline numbers in the HTML are those numbers
    page = result.html.read_text(encoding="utf-8")
    all_c10 = window[(window.subset == "all cells") & (window.dataset == "cifar10")].iloc[0]
    assert f"R = {all_c10['R']:.3f}" in page
    assert f"{100 * keep.mean():.1f}% of the cells" in page


@pytest.mark.slow
def test_sweep_table_matches_filter_api(report):
    result, _ = report
    sweep = pd.read_csv(result.out_dir / "tables" / "nb201_sweep.csv")
    assert len(sweep) == 5 and np.isnan(sweep.fraction.iloc[0])
    nb = bench.load("nb201")
    acc = nb.query_many(np.arange(len(nb)), "cifar100", "test-accuracy")
    for f in (1.0, 0.75, 0.5, 0.25):
        info = DAGFilter.from_space("nb201", f).summary("nb201")
        row = sweep[sweep.fraction == f].iloc[0]
        assert row["kept"] == info["kept"]
        assert row["kept_share"] == pytest.approx(info["kept_share"])
        d, m = nb.table()["d_bar"].to_numpy(), nb.table()["m_bar"].to_numpy()
        k = DAGFilter.from_space("nb201", f).accepts_metrics(d, m)
        assert row["cifar100:mean_kept"] == pytest.approx(acc[k].mean())
    assert sweep.iloc[0]["kept"] == 15625
    # simulated NAS-WOT (v1 scores from the table) over 5 seeds: evaluated cells shrink with the window
    sim = pd.read_csv(result.out_dir / "tables" / "nb201_sweep_naswot_v1_cifar10_table.csv")
    assert list(sim.runs) == [5] * 5
    assert sim.evaluated_mean.iloc[0] == 100 and sim.evaluated_mean.iloc[-1] < sim.evaluated_mean.iloc[3] < 100


@pytest.mark.slow
def test_search_table_groups_seeds_and_matches_benchmark(report):
    result, res_dir = report
    from searchers.base import SearchResult

    t = pd.read_csv(result.out_dir / "tables" / "nb201_search.csv")
    assert list(t.method) == ["Random", "Random + DAG filter"]
    assert list(t.runs) == [3, 3]
    nb = bench.load("nb201")
    for flt_on in (False, True):
        runs = [SearchResult.from_json(p) for p in sorted(res_dir.glob("random_dag_*.json" if flt_on else "random_s*.json"))]
        acc = [nb.query(r.chosen_index, "cifar10", "test-accuracy").value for r in runs]
        assert t.loc[int(flt_on), "cifar10:mean"] == pytest.approx(np.mean(acc))
        assert t.loc[int(flt_on), "cifar10:std"] == pytest.approx(np.std(acc))
        assert t.loc[int(flt_on), "evaluated:mean"] == pytest.approx(np.mean([r.evaluated for r in runs]))
    base, dag = t.loc[0, "evaluated:mean"], t.loc[1, "evaluated:mean"]
    assert t.loc[1, "cost_change_pct"] == pytest.approx(100 * (dag - base) / base)
    # DARTS has no results: the page says so in words for that space
    page = result.html.read_text(encoding="utf-8")
    assert "hold no search on this space" in page


@pytest.mark.slow
def test_search_table_separates_filter_rules_and_shows_paper_rows(report):
    from dagfilter.report.results import PAPER_TABLE2, filter_label, search_table
    from searchers.base import SearchResult

    result, res_dir = report
    paper = pd.read_csv(result.out_dir / "tables" / "nb201_search_paper.csv")
    assert list(paper.method) == [r[0] for r in PAPER_TABLE2]
    assert paper.loc[paper.method == "TE-NAS + DAG filter", "ImageNet16-120:mean"].item() == 44.38
    assert filter_label({"filter": None, "filter_rule": "skip"}) == "off"
    assert filter_label({"filter": {"fraction": 0.5}}) == "on (fraction 0.5)"
    # two rules of one searcher are two rows of Table 2, each with its own cost change
    base = SearchResult.from_json(sorted(res_dir.glob("random_dag_*.json"))[0])
    rows = []
    for rule, evaluated in (("skip", 40), ("truncate", 60)):
        d = base.to_dict()
        rows.append(SearchResult.from_dict({**d, "evaluated": evaluated, "scoring_seconds": 0.0,
                                            "config": {**d["config"], "filter_rule": rule}}))
    d = SearchResult.from_json(sorted(res_dir.glob("random_s*.json"))[0]).to_dict()
    plain = SearchResult.from_dict({**d, "scoring_seconds": 0.0})  # compare by cells evaluated
    from dagfilter.report.data import load_space_data

    t, _ = search_table([plain] + rows, {"nb201": load_space_data("nb201")})
    assert list(t.method) == ["Random", "Random + DAG filter (skip rule)", "Random + DAG filter (truncate rule)"]
    assert list(t["filter"])[1:] == ["on (fraction 0.5, rule skip)", "on (fraction 0.5, rule truncate)"]
    assert t.cost_change_pct.iloc[1] == pytest.approx(100 * (40 - plain.evaluated) / plain.evaluated)


@pytest.mark.slow
def test_correlation_table_matches_scipy(report):
    from scipy import stats

    result, _ = report
    ct = pd.read_csv(result.out_dir / "tables" / "nb201_correlations.csv")
    assert {"d_bar", "m_bar", "NN-Mass", "params (M)", "FLOPs (M)", "naswot_v1 [cifar10] (table)"} <= set(ct.metric)
    nb = bench.load("nb201")
    tab = nb.table()
    acc = nb.query_many(np.arange(len(nb)), "ImageNet16-120", "test-accuracy")
    row = ct[(ct.dataset == "ImageNet16-120") & (ct.metric == "d_bar")].iloc[0]
    assert row["spearman"] == pytest.approx(stats.spearmanr(tab["d_bar"], acc).statistic)
    row = ct[(ct.dataset == "cifar10") & (ct.metric == "params (M)")].iloc[0]
    acc10 = nb.query_many(np.arange(len(nb)), "cifar10", "test-accuracy")
    assert row["kendall"] == pytest.approx(stats.kendalltau(tab["params_M_cifar10"], acc10).statistic)
    dct = pd.read_csv(result.out_dir / "tables" / "darts_correlations.csv")
    assert set(dct.dataset) == {"cifar10"} and dct[dct.metric == "d_bar"].n.iloc[0] == 725


@pytest.mark.slow
def test_report_darts_pool_window_study_and_search_table(report):
    """The DARTS section's window study: the default window's kept share recomputed from the table."""
    result, _ = report
    ws = pd.read_csv(result.out_dir / "tables" / "darts_pool_windows.csv")
    assert len(ws) == 1 + 3 * 4 * 2 and ws.iloc[0]["family"] == "none"
    rec = DAGFilter.recommended("darts")
    row = ws[(ws.family == "code") & (ws.fraction == rec.fraction) & (ws.part == "normal")].iloc[0]
    t = bench.load("darts725").table()
    keep = rec.accepts_metrics(t["d_bar_normal"].to_numpy(), t["m_bar_normal"].to_numpy())
    assert row["kept"] == pytest.approx(keep.mean()) and row["n_kept"] == keep.sum()
    assert row["naswot_scored"] < 0.6 * ws.iloc[0]["naswot_scored"]
    st = pd.read_csv(result.out_dir / "tables" / "darts_pool_search.csv")
    assert set(st.searcher) == {"NAS-WOT", "random", "prior"} and len(st) == 6
    assert result.summary["spaces"]["darts"]["darts_pool"]["default"]["family"] == "code"


def test_report_without_results_says_so_and_bad_input(tmp_path):
    from dagfilter.report import build_report

    with pytest.raises(ConfigError, match="does not exist"):
        build_report(tmp_path / "r", results=tmp_path / "missing", progress=False)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.json").write_text('{"hello": 1}')
    with pytest.raises(ConfigError, match="x.json"):
        build_report(tmp_path / "r", results=bad, progress=False)
    with pytest.raises(ConfigError, match="unknown report space 'nb999'"):
        build_report(tmp_path / "r", spaces=("nb999",), progress=False)
    with pytest.raises(ConfigError, match="formats"):
        build_report(tmp_path / "r", formats=("svg",), progress=False)


def test_report_cache_proxies_join_correlations_and_sweep(tmp_path):
    from dagfilter.cache import ScoreCache, ScoreKey
    from dagfilter.report.data import load_space_data

    nb = bench.load("nb201")
    acc = nb.query_many(np.arange(len(nb)), "cifar10", "test-accuracy")
    cache = ScoreCache(tmp_path / "cache")
    rows = np.arange(0, len(nb), 50)  # 313 scored cells; the "score" is the accuracy itself
    cache.put_many([(nb.arch(int(i)), float(acc[i]), 0.1, int(i)) for i in rows], ScoreKey("naswot", "cifar10", 128, 0))
    sd = load_space_data("nb201", cache=tmp_path / "cache")
    assert "naswot [cifar10]" in sd.proxies
    scored = ~np.isnan(sd.proxies["naswot [cifar10]"])
    assert np.array_equal(np.flatnonzero(scored), rows)
    ct = T.correlation_table(sd)
    row = ct[(ct.metric == "naswot [cifar10]") & (ct.dataset == "cifar10")].iloc[0]
    assert row["n"] == len(rows) and row["spearman"] == pytest.approx(1.0)
    sim = T.proxy_sweep_table(sd, "naswot [cifar10]", budget=100, seeds=range(3))
    # a perfect proxy without a filter picks the best of the 100 drawn cells
    chosen, _ = S.simulate_proxy_search(sd.proxies["naswot [cifar10]"], np.ones(len(sd), bool), 100, range(3))
    best = [acc[np.random.default_rng(s).permutation(rows)[:100]].max() for s in range(3)]
    assert sim["cifar10:mean"].iloc[0] == pytest.approx(np.mean(best))
    assert list(chosen) == [int(np.random.default_rng(s).permutation(rows)[:100][np.argmax(acc[np.random.default_rng(s).permutation(rows)[:100]])]) for s in range(3)]


# --------------------------------------------------------------------------- drawing and CLI
def test_draw_styles_edges_by_kind(tmp_path):
    from matplotlib.patches import FancyArrowPatch

    from dagfilter.report.draw import draw_arch

    arch = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|"
    fig = draw_arch(arch)
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 6
    solid = [a for a in arrows if a.get_linestyle() in ("-", "solid")]
    assert len(solid) == 2  # the two convolutions
    assert len({a.get_edgecolor() for a in solid}) == 2  # coloured by op
    omitted = draw_arch(arch, zero="omit")
    assert len([p for p in omitted.axes[0].patches if isinstance(p, FancyArrowPatch)]) == 4
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"in", "out", "1", "2", "conv 3×3", "skip", "none"} <= texts
    from dagfilter.genotypes import DARTS_V2

    g = draw_arch(DARTS_V2)
    assert len(g.axes) == 2 and "normal cell" in g.axes[0].get_title() and "reduce cell" in g.axes[1].get_title()
    with pytest.raises(CellFormatError):
        draw_arch("|bad~0|")


@pytest.mark.slow
def test_cli_draw_and_report(tmp_path):
    from dagfilter.cli import main

    svg = tmp_path / "cell.svg"
    assert main(["draw", "6111", "--out", str(svg)]) == 0
    assert svg.read_text().lstrip().startswith("<?xml")
    png = tmp_path / "g.png"
    assert main(["draw", "DARTS_V2", "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["draw", "6111", "--out", str(tmp_path / "x.txt")]) == 2
    out = tmp_path / "rep"
    assert main(["report", "--space", "nb201", "--out", str(out), "--no-progress", "--sim-seeds", "2"]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "No saved search results were given" in page
    assert (out / "figures" / "nb201_fig5_cifar10_all.svg").is_file()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_headless_chromium_screenshot(report, tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import screenshot_report
    finally:
        sys.path.pop(0)
    result, _ = report
    png = screenshot_report.screenshot(result.html, tmp_path / "shot.png", shutil.which("chromium"), 1200, 1600)
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (1200, 1600)
        colours = len(np.unique(np.asarray(im.convert("RGB").resize((120, 160))).reshape(-1, 3), axis=0))
    assert colours > 50  # a rendered page with figures, not a blank screen
