"""TE-NAS proxies (NTK condition number, linear regions), supernets and the tenas searcher."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

import searchers
from dagfilter.errors import ConfigError, SpaceError
from dagfilter.filter import DAGFilter
from dagfilter.proxies.linear_regions import count_linear_regions, count_patterns
from dagfilter.proxies.ntk import condition_number, ntk_condition_number, ntk_gram
from dagfilter.supernet import get_supernet_space
from searchers.tenas import shortlist, tenas_prune_order

from .script_loader import load_script
from .supernet_helpers import kill_when

TINY = dict(C=2, cells=1, batch_size=4, repeats=1, lr_inputs=60)


# ----------------------------------------------------------------------------- linear regions
def test_linear_network_has_one_linear_region():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 3))
    assert count_linear_regions(net, torch.randn(500, 2)) == 1


def test_linear_regions_grow_with_width():
    x = torch.randn(2000, 2, generator=torch.Generator().manual_seed(1))
    counts = []
    for width in (1, 4, 32):
        torch.manual_seed(0)
        counts.append(count_linear_regions(nn.Sequential(nn.Linear(2, width), nn.ReLU(), nn.Linear(width, 1)), x))
    assert counts[0] <= 2  # one ReLU unit splits the plane in at most two regions
    assert counts[0] < counts[1] < counts[2] <= 2000
    # n generic hyperplanes through the plane make at most 1 + n + n(n-1)/2 regions
    assert counts[1] <= 1 + 4 + 6


def test_count_patterns_counts_distinct_rows():
    p = np.array([[1, 0], [1, 0], [0, 1], [3, 3]], dtype=np.uint8)
    assert count_patterns(p) == 3
    assert count_patterns(np.zeros((5, 0), dtype=np.uint8)) == 1


# ----------------------------------------------------------------------------- NTK
def test_ntk_of_linear_model_is_gram_of_inputs():
    x = torch.randn(4, 5, generator=torch.Generator().manual_seed(2))
    net = nn.Linear(5, 3, bias=False)
    # d(sum_k w_k . x_i)/dW = [x_i; x_i; x_i]  ->  Theta = 3 X X^T
    expected = 3.0 * (x.double() @ x.double().T)
    assert torch.allclose(ntk_gram(net, x), expected, rtol=1e-5, atol=1e-6)
    eig = torch.linalg.eigvalsh(expected)
    assert ntk_condition_number(net, x) == pytest.approx(float(eig[-1] / eig[0]), rel=1e-4)


def test_ntk_condition_number_extremes():
    net = nn.Linear(4, 1, bias=False)
    assert ntk_condition_number(net, torch.eye(4)) == pytest.approx(1.0)  # orthonormal inputs
    assert math.isinf(ntk_condition_number(net, torch.ones(3, 4)))  # identical inputs: singular kernel
    assert condition_number(torch.diag(torch.tensor([4.0, 2.0]))) == pytest.approx(2.0)
    with pytest.raises(ConfigError, match="no trainable parameters"):
        ntk_gram(nn.ReLU(), torch.randn(3, 2))
    with pytest.raises(ConfigError, match="at least 2"):
        ntk_gram(net, torch.randn(1, 4))


def test_ntk_leaves_gradients_untouched():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    ntk_gram(net, torch.randn(5, 3))
    assert all(p.grad is None for p in net.parameters())


# ----------------------------------------------------------------------------- supernets
def test_nb201_supernet_single_path_matches_benchmark_network():
    from dagfilter.cell import Cell
    from dagfilter.nets import build_network

    ops = Cell.from_nb201_index(4321).nb201_ops()
    space = get_supernet_space("nb201")
    torch.manual_seed(0)
    sup = space.build(10, 4, 1)
    space.apply(sup, {"cell": tuple((o,) for o in ops)})
    ref = build_network(ops, "nb201", num_classes=10, C=4, N=1)
    # the single path has exactly the benchmark network's parameters that receive gradients
    x = torch.randn(2, 3, 32, 32)
    sup(x).sum().backward()
    used = sum(p.numel() for p in sup.parameters() if p.grad is not None)
    assert used == sum(p.numel() for p in ref.parameters())


def test_darts_supernet_forward_and_derive():
    space = get_supernet_space("darts")
    arch = space.full_arch()
    torch.manual_seed(0)
    net = space.apply(space.build(10, 2, 1), arch)
    assert net(torch.randn(2, 3, 8, 8)).shape == (2, 10)
    # keep the first two incoming edges of every node, with one op each
    from dagfilter.supernet import darts_edges

    pruned = {}
    for part in space.parts:
        edges, seen = [], {}
        for k, (src, dst) in enumerate(darts_edges()):
            seen[dst] = seen.get(dst, 0) + 1
            edges.append(("sep_conv_3x3",) if seen[dst] <= 2 else ())
        pruned[part] = tuple(edges)
    assert space.edge_groups(pruned) == []
    g = space.derive(pruned)
    assert [s for _, s in g.normal] == [0, 1, 0, 1, 0, 1, 0, 1]
    assert space.apply(net, pruned)(torch.randn(2, 3, 8, 8)).shape == (2, 10)
    with pytest.raises(ConfigError):
        space.derive(arch)


def test_expected_metrics_follow_pruning():
    space = get_supernet_space("nb201")
    full = space.full_arch()
    d0, _ = space.expected_metrics(full, "cell")
    no_conv = {"cell": tuple(tuple(o for o in e if "conv" not in o) for e in full["cell"])}
    assert space.expected_metrics(no_conv, "cell")[0] == 0.0  # no parameterized op left: d_bar = 0
    only_conv = {"cell": tuple(("nor_conv_3x3",) for _ in full["cell"])}
    assert space.expected_metrics(only_conv, "cell")[0] > d0
    with pytest.raises(SpaceError):
        get_supernet_space("enas")


# ----------------------------------------------------------------------------- ranking rules
def test_prune_order_prefers_low_kappa_and_many_regions():
    # candidate 0: removing it gives the best-conditioned supernet and keeps the most regions
    order = tenas_prune_order([1.0, 5.0, 3.0], [90, 50, 70])
    assert list(order) == [0, 4, 2]
    assert list(tenas_prune_order([2.0, 2.0], [10, 10])) == [0, 0]  # ties share ranks


def test_shortlist_keeps_inside_and_nearest():
    assert shortlist([0.3, 0.8, 0.4], [True, False, True]) == [0, 2]
    assert shortlist([0.9, 0.7, 0.7], [False, False, False]) == [1, 2]


def test_centroid_reserve_skips_the_typical_candidates():
    from searchers.tenas import centroid_reserve, reserve_count

    # centroid (1, 1): candidates 1 and 2 lie nearest it, 0 and 3 are the extremes
    metrics = [(0.0, 0.0), (1.0, 1.2), (1.1, 1.0), (1.9, 1.8)]
    assert centroid_reserve(metrics, 2) == [2, 1]
    assert centroid_reserve(metrics, 0) == []
    assert [reserve_count(n, 2) for n in (2, 3, 4, 5)] == [0, 1, 2, 2]  # at least two are always measured


# ----------------------------------------------------------------------------- the searcher


def _reserved_by_rule(res, reserve=2):
    """Recompute, from the trajectory alone, the moves the authors' rule reserves each round."""
    from searchers.tenas import centroid_reserve, reserve_count

    space = get_supernet_space("nb201")
    arch = {"cell": tuple(tuple(o for o in e if o != "none") for e in space.full_arch()["cell"])}
    expected = set()
    for rnd in sorted({t["round"] for t in res.trajectory}):
        rows = [t for t in res.trajectory if t["round"] == rnd]
        for group in dict.fromkeys(t["group"] for t in rows):
            k = int(group.split("/e")[1])
            moves = [t for t in rows if t["group"] == group]
            metrics = []
            for t in moves:
                op = t["move"].split("/-")[1]
                new = {"cell": tuple(tuple(o for o in e if o != op) if j == k else e
                                     for j, e in enumerate(arch["cell"]))}
                metrics.append(space.expected_metrics(new, "cell", method="plugin"))
            expected |= {moves[i]["move"] + f"@{rnd}" for i in centroid_reserve(metrics, reserve_count(len(moves), reserve))}
        pruned = {int(t["group"].split("/e")[1]): t["move"].split("/-")[1] for t in rows if t["pruned"]}
        arch = {"cell": tuple(tuple(o for o in e if o != pruned.get(j)) for j, e in enumerate(arch["cell"]))}
    return expected


@pytest.fixture(scope="module")
def runs(cifar_dir, tmp_path_factory):
    """Plain and filtered TE-NAS (authors' rule) on the same seed, tiny supernets, real CIFAR-10 images."""
    state = tmp_path_factory.mktemp("tenas_state")
    s = searchers.get("tenas", data_dir=cifar_dir, state_dir=state, **TINY)
    flt = DAGFilter.from_space("nb201", 0.5)
    return s.search("nb201", seed=3, progress=False), s.search("nb201", seed=3, filter=flt, progress=False), flt, state


@pytest.mark.slow
def test_tenas_centroid_rule_skips_reserved_candidates(runs):
    plain, filtered, flt, _ = runs
    # 'none' is removed before pruning, as in TE-NAS: 6 edges x (4 + 3 + 2) candidates
    assert plain.evaluated == plain.drawn == 54 and plain.skipped == 0
    assert plain.config["stats"]["ntk_evaluations"] == 54 * TINY["repeats"]
    # the authors' rule reserves 2, 1, 0 candidates per edge in the three rounds: 6 x (2 + 2 + 2) measured
    assert filtered.drawn == 54 and filtered.evaluated == 36 and filtered.skipped == 18
    assert filtered.config["stats"]["ntk_evaluations"] == 36 * TINY["repeats"]
    assert filtered.config["stats"]["saved_ntk_evaluations"] == 18 * TINY["repeats"]
    skipped = {t["move"] + f"@{t['round']}" for t in filtered.trajectory if t["status"] == "skipped"}
    assert skipped == _reserved_by_rule(filtered)  # exactly the candidates nearest each edge's centroid
    for t in filtered.trajectory:
        if t["status"] == "skipped":
            assert t["ntk_cond"] is None and t["regions"] is None and not t["pruned"]  # never measured, kept
        else:
            assert t["ntk_cond"] is not None
    for res in (plain, filtered):
        assert res.chosen_index is not None and 0 <= res.chosen_index < 15625
        assert "none" not in res.chosen_cell
        assert sum(t["pruned"] for t in res.trajectory) == 6 * 3  # one op per edge per round, 3 rounds
    # the filter changed the decisions: some round prunes a different op than the plain search
    assert [t["move"] for t in plain.trajectory if t["pruned"]] != [t["move"] for t in filtered.trajectory if t["pruned"]]
    again = type(filtered).from_json(filtered.to_json())
    assert again.chosen_cell == filtered.chosen_cell and again.skipped == filtered.skipped


@pytest.mark.slow
def test_tenas_window_rule(cifar_dir, tmp_path):
    flt = DAGFilter.from_space("nb201", 0.5)
    s = searchers.get("tenas", data_dir=cifar_dir, state_dir=tmp_path, filter_rule="window", **TINY)
    filtered = s.search("nb201", seed=3, filter=flt, progress=False)
    assert filtered.drawn == 54
    assert filtered.evaluated + filtered.skipped == filtered.drawn and filtered.skipped > 0
    assert filtered.config["stats"]["saved_ntk_evaluations"] == filtered.skipped * TINY["repeats"]
    # every pruning either keeps the expected supernet in the window or is the nearest choice
    for t in filtered.trajectory:
        if t["pruned"]:
            group = [u for u in filtered.trajectory if u["round"] == t["round"] and u["group"] == t["group"]]
            assert t["delta"] <= flt.fraction + 1e-9 or t["delta"] <= min(u["delta"] for u in group) + 1e-9
        if t["status"] != "evaluated":
            assert t["ntk_cond"] is None


@pytest.mark.slow
def test_tenas_resumes_and_is_seeded(runs, cifar_dir):
    plain, _, _, state = runs
    s = searchers.get("tenas", data_dir=cifar_dir, state_dir=state, **TINY)
    resumed = s.search("nb201", seed=3, progress=False)
    assert resumed.chosen_cell == plain.chosen_cell
    assert resumed.cached == resumed.evaluated and resumed.computed_seconds == 0.0
    assert resumed.trajectory == plain.trajectory
    # 'none' kept as a candidate: a different search, not the saved one
    with_none = searchers.get("tenas", data_dir=cifar_dir, state_dir=state, drop_none=False, **TINY)
    assert with_none.options()["drop_none"] is False and with_none._initial_arch(get_supernet_space("nb201"))[
        "cell"][0][0] == "none"


@pytest.mark.slow
def test_tenas_resumes_after_forced_stop(runs, cifar_dir, tmp_path):
    """Kill a filtered search mid-way (SIGKILL) in another process and resume it here: the same
    result as the uninterrupted run (measurements are seeded, so this also checks determinism)."""
    _, filtered, _, _ = runs
    code = ("import searchers; from dagfilter.filter import DAGFilter; "
            f"s = searchers.get('tenas', data_dir={str(cifar_dir)!r}, state_dir={str(tmp_path)!r}, **{TINY!r}); "
            "s.search('nb201', seed=3, filter=DAGFilter.from_space('nb201', 0.5), progress=False)")
    state = kill_when(code, tmp_path, "tenas-*.json", lambda st: st["round"] >= 1 and not st["done"])
    assert state["round"] >= 1 and not state["done"]  # really stopped mid-search
    s = searchers.get("tenas", data_dir=cifar_dir, state_dir=tmp_path, **TINY)
    resumed = s.search("nb201", seed=3, filter=DAGFilter.from_space("nb201", 0.5), progress=False)
    assert resumed.trajectory == filtered.trajectory and resumed.chosen_cell == filtered.chosen_cell
    assert 0 < resumed.cached <= resumed.evaluated == filtered.evaluated


def test_tenas_filter_rejecting_everything_is_a_clear_error(cifar_dir, tmp_path):
    from dagfilter.errors import DagFilterError

    nowhere = DAGFilter((50.0, 50.0), (1.0, 1.0), 0.5, space="nb201")
    s = searchers.get("tenas", data_dir=cifar_dir, state_dir=tmp_path, **TINY)
    with pytest.raises(DagFilterError, match="accepts no NAS-Bench-201 cell"):
        s.search("nb201", seed=0, filter=nowhere, progress=False)
    assert not list(tmp_path.iterdir())  # refused before any measurement or state file


def test_tenas_bad_options(cifar_dir):
    with pytest.raises(ConfigError, match="size"):
        searchers.get("tenas", size="huge")
    with pytest.raises(ConfigError, match="repeats"):
        searchers.get("tenas", repeats=0)
    with pytest.raises(ConfigError, match="filter_rule.*'nearest'"):
        searchers.get("tenas", filter_rule="nearest")
    with pytest.raises(ConfigError, match="reserve"):
        searchers.get("tenas", reserve=-1)
    with pytest.raises(SpaceError):
        searchers.get("tenas", data_dir=cifar_dir).search("pnas", progress=False)
    assert "tenas" in searchers.available() and "fpnas" in searchers.available()


def test_bench_script_paired_interval_and_seeds():
    from scipy import stats

    mod = load_script("bench_tenas_fpnas")
    assert mod.parse_seeds(["0-3", "7"]) == [0, 1, 2, 3, 7]
    diffs = [0.5, -0.2, 1.1, 0.3]
    m, lo, hi = mod.paired_interval(diffs)
    ci = stats.ttest_1samp(diffs, 0.0).confidence_interval(0.95)
    assert m == pytest.approx(np.mean(diffs)) and (lo, hi) == pytest.approx((ci.low, ci.high))
    assert math.isnan(mod.paired_interval([0.4])[1])


@pytest.mark.slow
def test_darts_tenas_with_the_dag_filter_end_to_end(cifar_dir, tmp_path):
    """``scripts/bench_tenas_darts.py --size smoke``: TE-NAS + DAG filter on a real DARTS supernet and real
    CIFAR-10 images; the saved result is a valid DARTS genotype, the filter skipped measurements, and a
    second call (and ``--report-only``) reads the finished search instead of searching again."""
    from dagfilter.encodings.darts import cells_from_genotype, to_genotype
    from dagfilter.metrics import depth_width
    from searchers.base import SearchResult

    mod = load_script("bench_tenas_darts")
    argv = ["--data-dir", str(cifar_dir), "--size", "smoke", "--seeds", "0", "--arms", "dag", "--out", str(tmp_path),
            "--quiet"]
    assert mod.main(argv) == 0
    saved = tmp_path / "runs" / "tenas-dag-seed0.json"
    res = SearchResult.from_json(saved)
    st = res.config["stats"]
    assert res.drawn == st["candidates"] and res.evaluated + res.skipped == res.drawn
    assert 0 < res.skipped < res.drawn and st["ntk_evaluations"] == res.evaluated  # repeats = 1 at smoke size
    assert st["saved_ntk_evaluations"] == res.skipped and res.config["filter"] is not None
    g = to_genotype(res.chosen_cell)
    for pairs in (g.normal, g.reduce):
        assert len(pairs) == 8 and all(op != "none" for op, _ in pairs)
        for node in range(4):  # two distinct inputs per intermediate node, each an earlier node
            (_, a), (_, b) = pairs[2 * node], pairs[2 * node + 1]
            assert a != b and max(a, b) < node + 2
    row = (tmp_path / "table.md").read_text().splitlines()[-1]
    normal, reduce = cells_from_genotype(g)
    assert row.startswith("| + DAG | 0 | ") and f"{depth_width(normal)[0]:.2f} / {depth_width(normal)[1]:.2f}" in row
    assert f"{depth_width(reduce)[0]:.2f} / {depth_width(reduce)[1]:.2f}" in row
    stamp = saved.stat().st_mtime_ns
    assert mod.main(argv + ["--report-only"]) == 0 and mod.main(argv) == 0
    assert saved.stat().st_mtime_ns == stamp and (tmp_path / "table.md").read_text().splitlines()[-1] == row
    # the found genotype, DARTS_V2 and the random reference trained (toy size) and tabulated side by side
    train_mod = load_script("train_darts_found")
    targv = ["--data-dir", str(cifar_dir), "--searches", str(tmp_path / "runs"), "--seeds", "0", "--arms", "dag",
             "--noise-seeds", "--out", str(tmp_path / "train"), "--channels", "4", "--layers", "3", "--epochs", "1",
             "--subset", "96", "--test-subset", "200", "--quiet", "--md", str(tmp_path / "train.md")]
    assert train_mod.main(targv) == 0
    table = (tmp_path / "train.md").read_text().splitlines()
    trained = {line.split(" | ")[0].strip("| "): line for line in table if line.startswith("| ") and "---" not in line}
    assert set(trained) == {"genotype", "DARTS_V2", "random-2026", "tenas-dag-seed0"}
    for name in ("DARTS_V2", "random-2026", "tenas-dag-seed0"):
        run = json.loads((tmp_path / "train" / name / "metrics.json").read_text())
        assert len(run) == 1 and 0.0 <= run[0]["test_top1"] <= 100.0
        assert trained[name].endswith(f"| {run[0]['test_top1']:.2f} |")
    rec = json.loads((tmp_path / "train" / "tenas-dag-seed0" / "config.json").read_text())
    assert to_genotype(json.dumps(rec["cell"])) == to_genotype(res.chosen_cell)  # the genotype TE-NAS found
    assert train_mod.main(targv[:-2] + ["--report-only"]) == 0  # reads the finished runs, trains nothing
    with pytest.raises(SystemExit, match="was trained with"):
        train_mod.main([a if a != "200" else "100" for a in targv] + ["--report-only"])
