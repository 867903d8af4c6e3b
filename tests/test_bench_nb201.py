"""NAS-Bench-201 queries against known facts and the real source table."""
from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from dagfilter import bench
from dagfilter.bench.isomorphism import nb201_iso_class, nb201_iso_classes, num_iso_classes, representatives
from dagfilter.bench.store import read_table, write_table
from dagfilter.cell import Cell
from dagfilter.encodings import nb201 as enc
from dagfilter.errors import BenchmarkError, CellFormatError, DagFilterError

BEST_C10 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


@pytest.fixture(scope="module")
def api():
    return bench.load("nb201")


@pytest.fixture(scope="module")
def rows(shared_dir: Path) -> dict[str, dict[str, str]]:
    with open(shared_dir / "data/nb201/nb201_table.csv") as fh:
        return {r["arch_str"]: r for r in csv.DictReader(fh)}


def test_best_test_accuracies_are_the_published_optima(api):
    # NAS-Bench-201 paper, "optimal" row: 94.37 / 73.51 / 47.31
    assert round(api.find_best("cifar10", "ori-test")[1], 2) == 94.37
    assert round(api.find_best("cifar100", "x-test")[1], 2) == 73.51
    assert round(api.find_best("ImageNet16-120", "test")[1], 2) == 47.31


def test_known_cell_index_and_accuracies(api, rows):
    src = rows[BEST_C10]
    idx = api.query_index_by_arch(BEST_C10)
    assert idx == int(src["index"])
    r = api.query(BEST_C10, "cifar10", "test-accuracy", hp=200)
    assert (r.value, r.index, r.dataset, r.metric, r.hp, r.trials) == (
        float(src["cifar10_test_200"]), idx, "cifar10", "ori-test", 200, "mean")
    assert round(r.value, 2) == 94.37
    assert api.query(idx, "cifar100", "x-test").value == float(src["cifar100_test_200"])
    assert api.query(idx, "ImageNet16-120", "test-accuracy").value == float(src["imagenet16_test_200"])
    assert api.query(idx, "cifar10-valid", "x-valid").value == float(src["cifar10valid_valid_200"])
    twelve = api.query(idx, "cifar100", "x-valid", hp="12")
    assert twelve.hp == 12 and twelve.value == float(src["cifar100_valid_12"])


def test_every_encoding_gives_the_same_row(api):
    rng = np.random.default_rng(0)
    for idx in rng.integers(0, enc.NUM_ARCHS, size=40).tolist():
        cell = Cell.from_nb201_index(idx)
        s = cell.to_nb201_str()
        forms = [idx, np.int64(idx), s, cell, cell.to_naslib(), list(cell.to_naslib()), str(cell.to_naslib()),
                 list(cell.nb201_ops()), tuple(cell.nb201_ops()), cell.to_networkx()]
        got = {api.query(f, "cifar100", "x-test").index for f in forms if not isinstance(f, nx.MultiDiGraph)}
        got.add(api.query_index_by_arch(forms[-1]))
        assert got == {idx}
        assert api.query(s, "cifar10", "ori-test") == api.query(cell.to_naslib(), "cifar10", "ori-test")


def test_batch_query_matches_single_queries(api, rows):
    idx = np.arange(0, enc.NUM_ARCHS, 97)
    vals = api.query_many(idx, "ImageNet16-120", "x-test")
    by_index = {int(r["index"]): float(r["imagenet16_test_200"]) for r in rows.values()}
    assert vals.tolist() == [by_index[i] for i in idx.tolist()]
    strings = [api.arch(int(i)) for i in idx[:10]]
    assert api.query_many(strings, "ImageNet16-120", "x-test").tolist() == vals[:10].tolist()


def test_missing_figures_are_errors_naming_what_exists(api):
    with pytest.raises(BenchmarkError, match="hp=90.*available"):
        api.query(0, "cifar10", "ori-test", hp=90)
    with pytest.raises(BenchmarkError, match="single"):
        api.query(0, "cifar100", "x-valid", hp=200, seeds="mean")
    assert api.query(0, "cifar100", "x-valid", hp=200).trials == "single"
    with pytest.raises(BenchmarkError, match="cifar10-valid"):
        api.query(0, "cifar10", "valid-accuracy")
    with pytest.raises(BenchmarkError, match="did you mean 'ImageNet16-120'"):
        api.query(0, "imagenet16-120", "x-test")
    with pytest.raises(BenchmarkError, match="accuracies only"):
        api.query(0, "cifar100", "test-loss")
    with pytest.raises(DagFilterError):
        api.query(15625, "cifar10", "ori-test")
    with pytest.raises(CellFormatError):
        api.query("|nor_conv_3x3~0|+|bogus", "cifar10", "ori-test")
    assert api.query_index_by_arch({"normal": [["sep_conv_3x3", 0], ["sep_conv_3x3", 1]], "normal_concat": [2],
                                    "reduce": [["max_pool_3x3", 0], ["max_pool_3x3", 1]], "reduce_concat": [2]}) == -1


def test_find_best_under_limits_agrees_with_pandas(api):
    df = api.table()
    assert len(df) == enc.NUM_ARCHS and {"arch_str", "d_bar", "m_bar", "iso_class"} <= set(df.columns)
    ok = df[(df["params_M_cifar100"] <= 0.5) & (df["flops_M_cifar100"] <= 60)]
    want = ok["cifar100_test_200"].idxmax()
    idx, acc = api.find_best("cifar100", "x-test", flop_max=60, param_max=0.5)
    assert idx == want and acc == df.loc[want, "cifar100_test_200"]
    cost = api.get_cost_info(idx, "cifar100")
    assert cost["params"] <= 0.5 and cost["flops"] <= 60 and cost["latency"] is None


def test_computed_params_agree_with_the_published_table(api):
    df = api.table()
    agree = np.isclose(df["params_M_cifar10"], df["params_M_reported"], atol=1e-6)
    assert agree.mean() > 0.98  # the rest carry NATS-Bench's legacy (pre-v1.6) parameter figure
    assert (df["flops_M_ImageNet16-120"] < df["flops_M_cifar10"]).all()  # 16x16 inputs


def test_simulate_train_eval_reads_validation_figures(api, rows):
    sim = api.simulate_train_eval(BEST_C10, "cifar10")
    assert sim.accuracy == float(rows[BEST_C10]["cifar10valid_valid_200"])
    assert api.simulate_train_eval(BEST_C10, "cifar100", hp=12).accuracy == float(rows[BEST_C10]["cifar100_valid_12"])
    info = api.get_more_info(BEST_C10, "cifar100")
    assert info["hp"] == 200 and info["test-accuracy"] == float(rows[BEST_C10]["cifar100_test_200"])


@pytest.mark.slow
def test_isomorphism_classes_match_the_benchmark_convention():
    nats = pytest.importorskip("nats_bench.genotype_utils")
    assert num_iso_classes() == 6466
    assert num_iso_classes("algebraic") < 6466
    classes = nb201_iso_classes()
    official: dict[str, int] = {}
    theirs = np.array([official.setdefault(nats.topology_str2structure(enc.to_str(enc.from_index(i)))
                                           .to_unique_str(consider_zero=True), len(official))
                       for i in range(enc.NUM_ARCHS)])
    # same partition: a bijection between our ids and the nats_bench unique strings
    pairs = set(zip(classes.tolist(), theirs.tolist()))
    assert len(pairs) == 6466 == len(set(theirs.tolist()))
    assert (classes[representatives()] == np.arange(6466)).all()


def test_isomorphism_respects_dead_edges_and_none(api):
    # node 1 feeds nothing that reaches the output when both edges out of it are none
    a = "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
    b = "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
    c = "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
    assert nb201_iso_class(a) == nb201_iso_class(b) != nb201_iso_class(c)
    assert api.iso_class(a) == nb201_iso_class(a)
    # cells of one class have the same effective depth and width
    df = api.table()
    spread = df.groupby("iso_class")[["d_bar", "m_bar"]].agg(lambda s: s.max() - s.min())
    assert float(spread.to_numpy().max()) < 1e-9


def test_table_file_is_checked(tmp_path):
    meta, cols = read_table("nb201.npz", "nb201", shipped=True)
    good = tmp_path / "t.npz"
    write_table(good, cols, meta)
    assert bench.load(good).query(6111, "cifar10", "ori-test").index == 6111
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 2: len(raw) // 2 + 64] = bytes(64)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(raw))
    with pytest.raises(BenchmarkError, match="corrupted|checksum"):
        bench.load(bad)
    (tmp_path / "trunc.npz").write_bytes(bytes(raw[:1000]))
    with pytest.raises(BenchmarkError, match="corrupted"):
        bench.load(tmp_path / "trunc.npz")
    # an edited column with the old checksum
    import io
    import json
    import zipfile

    edited = dict(cols)
    edited["cifar10_test_200"] = cols["cifar10_test_200"] + 1.0
    buf = io.BytesIO()
    meta_full = json.loads(np.load(good)["__meta__"].tobytes())
    np.savez(buf, __meta__=np.frombuffer(json.dumps(meta_full).encode(), np.uint8), **edited)
    (tmp_path / "edited.npz").write_bytes(buf.getvalue())
    with pytest.raises(BenchmarkError, match="checksum"):
        bench.load(tmp_path / "edited.npz")
    newer = dict(meta_full, format_version=99)
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(json.dumps(newer).encode(), np.uint8), **cols)
    (tmp_path / "v99.npz").write_bytes(buf.getvalue())
    with pytest.raises(BenchmarkError, match="format version 99"):
        bench.load(tmp_path / "v99.npz")
    assert zipfile.is_zipfile(good)
    with pytest.raises(BenchmarkError, match="not 'darts725'"):
        read_table(good, "darts725")


def test_registry_and_unknown_names():
    names = bench.available()
    assert {"nb201", "darts725"} <= set(names)
    with pytest.raises(BenchmarkError, match="unknown benchmark"):
        bench.load("nb999")
    with pytest.raises(BenchmarkError, match="already registered"):
        bench.register_benchmark("nb201", lambda: None)


@pytest.mark.slow
def test_build_script_reproduces_the_shipped_table(shared_dir, tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, str(root / "scripts/build_benchmarks_data.py"), "--shared", str(shared_dir),
                    "--out", str(tmp_path), "--only", "nb201"], check=True, capture_output=True)
    new_meta, _ = read_table(tmp_path / "nb201.npz", "nb201")
    old_meta, _ = read_table("nb201.npz", "nb201", shipped=True)
    assert new_meta["sha256"] == old_meta["sha256"]


def test_simulate_train_eval_without_times_never_returns_none_and_fails_clearly_on_use():
    """The shipped table has no times: the accuracy reads, a time-budgeted loop gets a clear error (issue 26)."""
    from dagfilter import bench
    from dagfilter.errors import BenchmarkError

    nb = bench.load("nb201")
    acc, latency, time_cost, total = nb.simulate_train_eval(6111, "cifar100", hp=200)
    assert acc == pytest.approx(nb.query(6111, "cifar100", "x-valid", hp=200).value)
    assert None not in (latency, time_cost, total)
    total_cost, budget = 0.0, 20000.0
    with pytest.raises(BenchmarkError, match="training time of cell 6111 .*bench.create"):
        total_cost += time_cost
    with pytest.raises(BenchmarkError, match="total simulated training time"):
        if total < budget:
            pass
    with pytest.raises(BenchmarkError):
        float(latency)
    assert "missing" in f"{time_cost}"
