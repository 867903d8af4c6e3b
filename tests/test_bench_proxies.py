"""scripts/bench_proxies.py on a small score file built here (scores = accuracy + seeded noise)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location("bench_proxies", ROOT / "scripts" / "bench_proxies.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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
