"""The DARTS window study on the measured 725-cell pool: numbers recomputed from the table."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import searchers
from dagfilter import DAGFilter, Genotype
from dagfilter.pools import load_pool
from dagfilter.report import darts_study as ds


@pytest.fixture(scope="module")
def darts_csv(shared_dir: Path) -> pd.DataFrame:
    p = shared_dir / "data" / "darts" / "darts_space_725.csv"
    if not p.is_file():
        pytest.skip(f"{p} does not exist")
    return pd.read_csv(p)


@pytest.fixture(scope="module")
def table_inputs() -> dict:
    from dagfilter import bench

    t = bench.load("darts725").table()
    return {"metrics": {c: t[c].to_numpy() for c in ("d_bar_normal", "m_bar_normal", "d_bar_reduce", "m_bar_reduce")},
            "accuracy": t["val_accuracy"].to_numpy()}


def test_one_window_recomputed_from_the_table(darts_csv: pd.DataFrame, table_inputs: dict) -> None:
    """The paper's window (fraction 0.5, normal cell): kept shares and the random / prior search columns."""
    flt = DAGFilter.paper("darts", 0.5)
    (d0, d1), (m0, m1) = flt.window
    assert (round(d0, 6), round(d1, 6), round(m0, 6), round(m1, 6)) == (0.8, 2.2, 5.7, 15.3)
    # independent path: each CSV genotype judged by the filter itself, top-10 % by pandas
    inside = np.array([flt.accepts(json.loads(g)) for g in darts_csv["genotype_json"]])
    top = darts_csv["val_accuracy"].rank(ascending=False, method="first").to_numpy() <= 72
    pool = load_pool("darts725")
    prior = ds.rank_combination({"params": np.asarray(_params(pool)), "d_bar": table_inputs["metrics"]["d_bar_normal"]},
                                (("params", 1.0), ("d_bar", 1.0)))
    seeds = range(12)
    study = ds.window_study(table_inputs["metrics"], table_inputs["accuracy"],
                            {"random": table_inputs["accuracy"], "prior": prior}, budget=100, seeds=seeds,
                            filters=[("paper", 0.5, "normal", flt)])
    row = study.iloc[1]
    assert row["n_kept"] == inside.sum() and row["kept"] == pytest.approx(inside.mean())
    assert row["top_kept"] == pytest.approx(inside[top].mean())
    assert row["top_kept"] > row["kept"]  # this window enriches the pool's best cells
    # the search columns are what the searchers return with pool=darts725, seed by seed
    rnd, rk = searchers.get("random"), searchers.get("ranked", score="prior")
    got_r = [rnd.search("darts", 100, s, filter=flt, pool=pool, progress=False) for s in seeds]
    got_p = [rk.search("darts", 100, s, filter=flt, pool=pool, progress=False) for s in seeds]
    assert row["random_acc"] == pytest.approx(np.mean([r.pool["accuracy"] for r in got_r]), abs=1e-9)
    assert row["prior_acc"] == pytest.approx(np.mean([r.pool["accuracy"] for r in got_p]), abs=1e-9)
    assert row["random_scored"] == pytest.approx(np.mean([r.evaluated for r in got_r]))
    unf = study.iloc[0]
    assert unf["family"] == "none" and unf["random_scored"] == 100
    assert unf["random_acc"] == pytest.approx(np.mean([
        rnd.search("darts", 100, s, pool=pool, progress=False).pool["accuracy"] for s in seeds]), abs=1e-9)


def _params(pool) -> np.ndarray:
    from dagfilter.rankers import get_ranker

    return get_ranker("params").scores("darts", list(pool.archs))


def test_code_window_is_the_authors_range_and_metrics_match_their_definition(table_inputs: dict) -> None:
    f = ds.code_filter(0.5)
    (d0, d1), (m0, m1) = f.window
    assert (d0, d1, m0, m1) == pytest.approx((0.5, 1.6, 4.0, 12.0))
    # DARTS_V2's normal cell: d_bar 1.0, m_bar 7.0 - inside the authors' range, outside the space-derived 0.5 window
    from dagfilter import DARTS_V2

    assert f.accepts(DARTS_V2) and not DAGFilter.from_space("darts", 0.5).accepts(DARTS_V2)


def test_recommended_darts_window_is_what_the_rule_picks(table_inputs: dict) -> None:
    t = ds.window_table(table_inputs["metrics"], table_inputs["accuracy"])
    row = t.loc[ds.choose_default(t)]
    rec = DAGFilter.recommended("darts")
    assert (row["family"], row["fraction"], row["part"]) == ("code", rec.fraction, rec.part)
    assert rec.center == DAGFilter.code("darts").center and rec.radius == DAGFilter.code("darts").radius
    assert row["top_kept"] > row["kept"]  # target: the default keeps more of the top-10 % than of the pool
    assert DAGFilter.recommended("nb201") == DAGFilter.from_space("nb201", 0.5)


def test_default_rule_and_tie_breaks() -> None:
    t = pd.DataFrame([
        {"family": "space", "fraction": 0.5, "part": "normal", "kept": 0.10, "top_kept": 0.90},  # too few kept
        {"family": "paper", "fraction": 0.5, "part": "both", "kept": 0.40, "top_kept": 0.60},
        {"family": "code", "fraction": 0.25, "part": "normal", "kept": 0.40, "top_kept": 0.60},
        {"family": "code", "fraction": 0.5, "part": "normal", "kept": 0.35, "top_kept": 0.60},
        {"family": "paper", "fraction": 1.0, "part": "normal", "kept": 0.99, "top_kept": 1.00},  # too many kept
    ])
    assert ds.choose_default(t) == 3  # highest top share; tie -> fewer kept
    t.loc[3, "kept"] = 0.40
    assert ds.choose_default(t) == 2  # tie on kept too -> normal before both, then code 0.25 before 0.5
    from dagfilter.errors import ConfigError

    with pytest.raises(ConfigError, match="no window keeps between 20% and 60%"):
        ds.choose_default(t.iloc[[0, 4]])


def test_cv_recipes_choose_on_one_half_and_report_on_the_other(table_inputs: dict) -> None:
    from scipy.stats import spearmanr

    acc = table_inputs["accuracy"]
    feats = {"d_bar": table_inputs["metrics"]["d_bar_normal"], "m_bar": table_inputs["metrics"]["m_bar_normal"],
             "d_red": table_inputs["metrics"]["d_bar_reduce"]}
    out = ds.cv_recipes(feats, acc, seed=0, max_terms=2)
    assert [r["fold"] for r in out] == ["A->B", "B->A"] and out[0]["candidates"] == 6 + 12
    assert out[0]["n_train"] + out[0]["n_test"] == 725
    perm = np.random.default_rng([0, 0xC5]).permutation(725)
    a, b = np.sort(perm[:362]), np.sort(perm[362:])
    cands = ds.candidate_recipes(list(feats), 2)
    train = [ds.recipe_spearman(feats, acc, a, r) for r in cands]
    assert out[0]["train_spearman"] == pytest.approx(max(train))
    chosen = cands[int(np.argmax(train))]
    assert out[0]["chosen"] == ds.recipe_spec(chosen)
    # the chosen recipe is a ranker spec whose scores rank like the recipe
    from dagfilter.rankers.spec import parse_spec

    spec = parse_spec(ds.recipe_spec((("m_bar", -1.0), ("d_bar", 1.0))))
    assert [(t.name, t.weight) for t in spec.terms] == [("m_bar", -1.0), ("d_bar", 1.0)]
    assert out[0]["test_spearman"] == pytest.approx(ds.recipe_spearman(feats, acc, b, chosen))
    # a single-feature recipe's Spearman is the plain rank correlation (sign included)
    assert ds.recipe_spearman(feats, acc, b, (("m_bar", -1.0),)) == pytest.approx(
        -spearmanr(feats["m_bar"][b], acc[b]).statistic)
