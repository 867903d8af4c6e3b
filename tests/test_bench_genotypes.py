"""DARTS-space (725 cells) and NDS-file benchmarks."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from dagfilter import bench
from dagfilter.encodings.darts import cell_from_genotype
from dagfilter.errors import BenchmarkError, CellFormatError, DataError
from dagfilter.genotypes import DARTS_V2, Genotype
from dagfilter.metrics import depth_width


@pytest.fixture(scope="module")
def darts():
    return bench.load("darts725")


@pytest.fixture(scope="module")
def source(shared_dir: Path) -> list[dict[str, str]]:
    with open(shared_dir / "data/darts/darts_space_725.csv") as fh:
        return list(csv.DictReader(fh))


def _swap_pairs(g: dict) -> Genotype:
    """The same genotype as a namedtuple of tuples, with each node's two inputs swapped."""
    def sw(pairs):
        out = []
        for k in range(0, len(pairs), 2):
            out += [tuple(pairs[k + 1]), tuple(pairs[k])]
        return out
    return Genotype(sw(g["normal"]), range(2, 2 + len(g["normal"]) // 2), sw(g["reduce"]),
                    range(2, 2 + len(g["reduce"]) // 2))


def test_darts725_queries_match_the_source(darts, source):
    assert len(darts) == 725
    for row_id in (0, 1, 300, 724):
        src = source[row_id]
        g = json.loads(src["genotype_json"])
        for form in (g, src["genotype_json"], _swap_pairs(g), repr(_swap_pairs(g))):
            r = darts.query(form, "cifar10", "valid-accuracy")
            assert r.index == row_id and r.value == float(src["val_accuracy"])
            assert (r.hp, r.metric) == (100, "valid")
        cost = darts.get_cost_info(g, "cifar10")
        assert cost["params"] == float(src["params_M"]) and cost["flops"] == float(src["flops_M"])


def test_darts725_depth_width_columns(darts, source):
    df = darts.table()
    for row_id in (3, 500):
        g = json.loads(source[row_id]["genotype_json"])
        for part in ("normal", "reduce"):
            d, m = depth_width(cell_from_genotype(g, part))
            assert df.loc[row_id, f"d_bar_{part}"] == pytest.approx(d)
            assert df.loc[row_id, f"m_bar_{part}"] == pytest.approx(m)


def test_darts725_best_and_errors(darts, source):
    idx, acc = darts.find_best("cifar10", "valid")
    assert acc == max(float(r["val_accuracy"]) for r in source) and idx == darts.query_index_by_arch(darts.genotype(idx))
    small_idx, small_acc = darts.find_best("cifar10", "valid", param_max=0.8)
    assert float(source[small_idx]["params_M"]) <= 0.8 and small_acc <= acc
    assert small_acc == max(float(r["val_accuracy"]) for r in source if float(r["params_M"]) <= 0.8)
    with pytest.raises(BenchmarkError, match="no architecture meets"):
        darts.find_best("cifar10", "valid", param_max=0.5)
    assert darts.query_index_by_arch(DARTS_V2) in range(-1, 725)
    assert darts.simulate_train_eval(idx, "cifar10").accuracy == acc
    with pytest.raises(BenchmarkError, match="hp=200"):
        darts.query(0, "cifar10", "valid", hp=200)
    with pytest.raises(BenchmarkError, match="unknown data set"):
        darts.query(0, "cifar100", "valid")
    with pytest.raises(CellFormatError):
        darts.query({"normal": [["sep_conv_3x3", 0]]}, "cifar10", "valid")


def _record(g: dict, width: int, depth: int, errs: list[float], params: float = 2.5e6) -> dict:
    return {"net": {"genotype": g, "width": width, "depth": depth, "aux": False, "drop_prob": 0.0},
            "optim": {"max_ep": len(errs)}, "params": params, "flops": 4.0e8, "test_ep_top1": errs,
            "train_ep_top1": [50.0] * len(errs), "min_test_top1": min(errs)}


def test_nds_reader_on_files_in_the_published_format(tmp_path, source):
    genos = [json.loads(source[i]["genotype_json"]) for i in range(4)]
    enas = {"normal": [["sep_conv_5x5", 1], ["identity", 0], ["avg_pool_3x3", 0], ["sep_conv_3x3", 1],
                       ["sep_conv_3x3", 0], ["avg_pool_3x3", 1], ["sep_conv_3x3", 1], ["identity", 2],
                       ["sep_conv_5x5", 0], ["sep_conv_3x3", 3]],
            "normal_concat": [4, 5, 6], "reduce": [["sep_conv_5x5", 0], ["avg_pool_3x3", 1]] * 5,
            "reduce_concat": [2, 3, 4, 5, 6]}
    folder = tmp_path / "nds"
    folder.mkdir()
    (folder / "DARTS.json").write_text(json.dumps([
        _record(genos[0], 16, 20, [60.0, 20.0, 8.5]),
        _record(genos[1], 32, 12, [55.0, 7.25]),
        _record(genos[1], 16, 8, [55.0, 9.0]),
    ]))
    (folder / "ENAS_in.json").write_text(json.dumps({"top": [_record(enas, 24, 14, [70.0, 35.5])],
                                                     "mid": [_record(genos[2], 24, 14, [72.0, 40.0])]}))
    nds = bench.load(folder, progress=False)
    assert len(nds) == 5 and nds.spaces() == ["DARTS", "ENAS"]
    with pytest.raises(BenchmarkError, match="hp=2.*hp=3"):  # two schedules: hp must be given
        nds.query(_swap_pairs(genos[0]), "cifar10", "test-accuracy")
    r = nds.query(_swap_pairs(genos[0]), "cifar10", "test-accuracy", hp=3)
    assert (r.value, r.hp, r.index) == (100.0 - 8.5, 3, 0)
    with pytest.raises(BenchmarkError, match="width"):
        nds.query(genos[1], "cifar10", "test", hp=2)
    row = nds.query_index_by_arch(genos[1], width=32, depth=12)
    assert nds.query(row, "cifar10", "test", hp=2).value == 100.0 - 7.25
    assert nds.query(enas, "imagenet", "test").value == 100.0 - 35.5
    assert nds.get_cost_info(0, "cifar10") == {"params": 2.5, "flops": 400.0, "latency": None}
    assert list(nds.space_rows("ENAS")) == [3, 4]
    with pytest.raises(BenchmarkError):  # only test figures: no simulated training on test data
        nds.simulate_train_eval(0, "cifar10")
    df = nds.table()
    assert np.isfinite(df["d_bar_normal"]).all()
    # the union cache reopens through the common loader
    cache = tmp_path / "nds.npz"
    bench.load(folder / "DARTS.json", cache=cache, progress=False)
    again = bench.load(cache)
    assert len(again) == 3 and again.query(0, "cifar10", "test", hp=3).value == 100.0 - 8.5


def test_nds_reader_rejects_malformed_files(tmp_path):
    (tmp_path / "DARTS.json").write_text(json.dumps([{"net": {"width": 16}}]))
    with pytest.raises(DataError, match="record 0"):
        bench.load(tmp_path / "DARTS.json", progress=False)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match="not readable JSON"):
        bench.load(tmp_path / "bad.json", progress=False)
