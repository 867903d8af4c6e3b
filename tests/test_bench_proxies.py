"""scripts/bench_proxies.py on a small score file built here (scores = accuracy + seeded noise)."""
from __future__ import annotations

import json

import numpy as np
from scipy.stats import spearmanr

from .script_loader import load_script


def _load():
    return load_script("bench_proxies")


def test_bench_proxies_tables(tmp_path):
    from dagfilter import bench
    from dagfilter.cache import ScoreCache
    from dagfilter.encodings.nb201 import index_strings
    from dagfilter.proxies.subset import nb201_subset, write_subset_scores

    bp = _load()
    idx = nb201_subset()[:60].tolist()
    acc = bench.load("nb201").table().set_index("index").loc[idx, "cifar10_test_200"].to_numpy()
    cache = ScoreCache(tmp_path / "c")
    rng = np.random.default_rng(0)
    made = {}
    for k, p in enumerate(bp.LIVE):
        s = acc + rng.normal(0, 1 + k, size=acc.size)
        made[p] = s
        cache.put_many([(c, float(v), 0.0, i) for c, v, i in zip(index_strings(idx), s, idx)], (p, "cifar10", 128, 0))
    write_subset_scores(cache, tmp_path / "s.npz", list(bp.LIVE), extra_meta={"timing": {"cells": ["x"], "mean": {
        "meco": 0.5, "naswot": 1.0}}})
    out = tmp_path / "r.json"
    assert bp.main(["--scores", str(tmp_path / "s.npz"), "--seeds", "20", "--samples", "10", "--out", str(out),
                    "--md", str(tmp_path / "r.md")]) == 0
    r = json.loads(out.read_text())
    rows = {x["proxy"]: x for x in r["proxies"]}
    for p in ("meco", "zen"):
        assert rows[p]["n"] == 60
        assert abs(rows[p]["C10_rho"] - spearmanr(made[p], acc).statistic) < 1e-12
    assert rows["meco"]["cpu_s"] == 0.5 and rows["naswot"]["n"] == 1000
    e = r["ensembles"]
    assert e["half_A"] == 30 and e["half_B"] == 30
    chosen = next(x for x in e["rows"] if x["ensemble"] == e["chosen"])
    assert chosen["passes"][0] <= 1 and chosen["passes"][1] <= 1
    assert chosen["A"]["C10_rho"] == max(x["A"]["C10_rho"] for x in e["rows"] if max(x["passes"]) <= 1)
    s = {x["search"]: x for x in r["searches"]["rows"]}
    assert s["naswot"]["runs"] == 20 and s["naswot + filter"]["scored_mean"] < s["naswot"]["scored_mean"] == 10
    assert s["prior"]["fwd_mean"] == 0 and s["AZ-NAS logrank(az)"]["bwd_mean"] == 10
    assert "Chosen on half A" in (tmp_path / "r.md").read_text()
    # the shipped DARTS-725 scores cover every row, and the NB201-chosen recipe is scored there too
    d = r["darts"]
    assert d["rows_scored"] == d["rows_total"] == 725
    recipe = next(x for x in d["recipes"] if x["chosen"])
    assert recipe["recipe"] == e["chosen"] and recipe["all"]["n"] == 725 and -1 <= recipe["all"]["rho"] <= 1


def test_bench_proxies_darts_table(tmp_path):
    """Table 4 on a DARTS-725 score file built here: 40 rows scored (accuracy + noise), the rest NaN."""
    from dagfilter import DAGFilter
    from dagfilter.pools import load_pool
    from dagfilter.proxies.subset import write_score_matrix

    bp = _load()
    pool = load_pool("darts725")
    acc = np.asarray(pool.accuracies)
    rows = np.random.default_rng(1).permutation(725)[:40]
    m = np.full((len(bp.LIVE), 725), np.nan)
    rng = np.random.default_rng(2)
    for k in range(len(bp.LIVE)):
        m[k, rows] = acc[rows] + rng.normal(0, 0.2 * (k + 1), size=rows.size)
    write_score_matrix(m, np.arange(725), {"proxies": list(bp.LIVE), "batch": 128}, tmp_path / "d.npz")
    d = bp.darts_section(str(tmp_path / "d.npz"), "logrank(az+meco+swap+prior)")
    assert d["rows_scored"] == 40 and d["rows_total"] == 725
    keep = np.asarray(DAGFilter.recommended("darts").mask(list(pool.archs)), dtype=bool)
    assert d["rows_accepted"] == int(keep[rows].sum())
    got = {x["proxy"]: x for x in d["proxies"]}
    srt = np.sort(rows)
    assert abs(got["meco"]["all"]["rho"] - spearmanr(m[bp.LIVE.index("meco"), srt], acc[srt]).statistic) < 1e-12
    assert got["az_expressivity"]["all"]["rho"] > got["zen"]["all"]["rho"]     # less noise ranks better
    assert any(x["chosen"] for x in d["recipes"]) and "nn_mass" in got
    md = bp.markdown({"subset": {"cells": 0, "seed": 16, "setup": {}}, "proxies": [], "ensembles": {
        "half_A": 0, "half_B": 0, "half_B_accepted": 0, "chosen": "x", "rows": []}, "searches": {
        "rows": [], "pool": 0, "samples": 1, "fraction": 0.5, "seeds": 1}, "darts": d})
    assert "DARTS space: the 40 of 725" in md
