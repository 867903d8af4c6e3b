"""Live rankers and the ``ranked`` searcher: isomorphic cells are never scored twice in one search."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import searchers
from dagfilter import DAGFilter
from dagfilter.bench import nb201_iso_classes
from dagfilter.cache import ScoreCache
from dagfilter.errors import DataError
from dagfilter.rankers import RankerContext, get_ranker
from searchers import SearchResult
from searchers.ranked import forward_passes

BATCH = 8




def _two_classes(members: int = 3) -> tuple[list[int], np.ndarray]:
    """Interleaved members of two isomorphism classes that contain convolutions."""
    cls = nb201_iso_classes()
    counts = np.bincount(cls)
    rng = np.random.default_rng(3)
    chosen: list[list[int]] = []
    for c in rng.permutation(np.flatnonzero((counts >= members) & (counts <= 50))):
        idx = np.flatnonzero(cls == c)[:members]
        chosen.append(idx.tolist())
        if len(chosen) == 2:
            break
    a, b = chosen
    return [x for pair in zip(a, b) for x in pair], cls


def test_isomorphic_cells_scored_once(cifar_dir: Path, tmp_path: Path) -> None:
    cells, cls = _two_classes()
    cache = ScoreCache(tmp_path)
    r = get_ranker("naswot", data_dir=cifar_dir, batch_size=BATCH, cache=cache)
    out = r.evaluate("nb201", np.asarray(cells))
    assert out.forward_passes == 2 and out.computed.sum() == 2 and out.reused.sum() == 4
    assert len(cache) == 2  # only the two representatives were ever computed
    for k in set(cls[cells].tolist()):
        members = [p for p, i in enumerate(cells) if cls[i] == k]
        assert len(set(out.scores[members].tolist())) == 1
    # same class, different cells, iso="cache": served from the class's cached member
    rest = [int(i) for i in np.flatnonzero(cls == cls[cells[0]]) if i not in cells][:2]
    if rest:
        again = get_ranker("naswot", data_dir=cifar_dir, batch_size=BATCH, cache=cache, iso="cache")
        o2 = again.evaluate("nb201", np.asarray(rest))
        assert o2.forward_passes == 0 and o2.reused.all() and len(cache) == 2
        assert np.all(o2.scores == out.scores[0])
    # iso="off": every distinct cell pays (4 new computations, 2 cache hits)
    off = get_ranker("naswot", data_dir=cifar_dir, batch_size=BATCH, cache=cache, iso="off")
    o3 = off.evaluate("nb201", np.asarray(cells))
    assert o3.forward_passes == 6 and o3.computed.sum() == 4 and o3.cached.sum() == 2 and len(cache) == 6


def test_cache_only_refuses_to_compute(tmp_path: Path) -> None:
    r = get_ranker("naswot", context=RankerContext(cache=ScoreCache(tmp_path), cache_only=True))
    with pytest.raises(DataError, match="not in the score cache"):
        r.evaluate("nb201", np.array([5, 6]))


def test_ranked_search_records_spec_and_never_pays_twice(cifar_dir: Path, tmp_path: Path) -> None:
    cache = ScoreCache(tmp_path)
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    s = searchers.get("ranked", score="naswot+prior", data_dir=cifar_dir, batch_size=BATCH, cache=cache,
                      table=False)
    res = s.search("nb201", budget=24, seed=5, filter=flt, progress=False)
    stats = res.config["score_stats"]
    assert res.config["score"] == "rank(naswot+prior)" and res.config["score_kind"] == "live"
    accepted = [t["index"] for t in res.trajectory if t["status"] == "evaluated"]
    classes = nb201_iso_classes()[accepted]
    assert stats["live_candidates"] == len(accepted) == res.evaluated
    assert stats["forward_passes"] == len(set(classes.tolist())) == len(cache)
    assert stats["iso_reused"] == len(accepted) - len(set(classes.tolist()))
    assert forward_passes(res) == stats["forward_passes"]
    # the chosen cell maximises the rank combination among the accepted candidates
    evaluated = [t for t in res.trajectory if t["status"] == "evaluated"]
    assert res.chosen_index == max(evaluated, key=lambda t: t["score"])["index"]
    # round trip keeps the record
    back = SearchResult.from_json(res.to_json())
    assert back.config["score_stats"] == stats
    # a second identical search pays nothing new (all cached)
    res2 = s.search("nb201", budget=24, seed=5, filter=flt, progress=False)
    assert res2.config["score_stats"]["live_computed"] == 0 and res2.chosen_index == res.chosen_index


def test_ranked_search_analytic_only_and_unfiltered(tmp_path: Path) -> None:
    s = searchers.get("ranked", score="prior", table=False)
    res = s.search("nb201", budget=50, seed=1, progress=False)
    assert res.config["score_stats"]["forward_passes"] == 0 and res.evaluated == 50
    assert res.config["score"] == "prior" and res.config["score_kind"] == "analytic"
    p = get_ranker("prior").scores("nb201", np.asarray([t["index"] for t in res.trajectory]))
    assert res.chosen_index == res.trajectory[int(np.argmax(p))]["index"]
    # the same seed draws the same candidates as every other searcher
    rnd = searchers.get("random", table=False).search("nb201", budget=50, seed=1, progress=False)
    assert [t["index"] for t in rnd.trajectory] == [t["index"] for t in res.trajectory]


def test_simulated_searches_are_the_live_searches(cifar_dir: Path, tmp_path: Path, bench_rankers) -> None:
    """scripts/bench_rankers.py over a pool covering the whole space picks, seed for seed, the
    cell the live ``ranked`` searcher picks (same stream, filter, ranks and tie-breaking)."""
    import argparse

    from dagfilter import bench

    br = bench_rankers
    table = bench.load("nb201").table()
    flt = DAGFilter.from_space("nb201", fraction=0.5)
    cache = ScoreCache(tmp_path)
    seeds, samples = 3, 12
    # fill the cache with exactly the cells the filtered live searches will score
    live_spec = "naswot+prior"
    live = searchers.get("ranked", score=live_spec, data_dir=cifar_dir, batch_size=BATCH, cache=cache, table=False)
    live_chosen = [live.search("nb201", budget=samples, seed=s, filter=flt, progress=False).chosen_index
                   for s in range(seeds)]
    ctx = RankerContext(data_dir=cifar_dir, batch_size=BATCH, cache=cache, cache_only=True, iso="search")
    args = argparse.Namespace(fraction=0.5, seed0=0, seeds=seeds, samples=samples, draw="stream")
    plan = (("live + filter", live_spec, True), ("prior", "prior", False), ("params + filter", "params", True),
            ("live", live_spec, False))
    pool = np.asarray(sorted(r.index for r in cache.items("naswot")), dtype=np.int64)
    rows = {r["search"]: r for r in br.search(args, ctx, table, pool, plan)}
    assert rows["live + filter"]["chosen"] == live_chosen
    # the unfiltered live search meets uncached cells: no numbers rather than a biased subset of seeds
    assert rows["live"]["runs"] == 0 and rows["live"]["missing_from_seed"] == 0
    for name, spec, filtered in plan[1:3]:
        s = searchers.get("ranked", score=spec, table=False)
        expect = [s.search("nb201", budget=samples, seed=k, filter=flt if filtered else None,
                           progress=False).chosen_index for k in range(seeds)]
        assert rows[name]["chosen"] == expect, name
        acc = table["cifar10_test_200"].to_numpy()[expect]
        assert rows[name]["C10_mean"] == pytest.approx(acc.mean())
