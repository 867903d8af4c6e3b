"""Official-file adapters, tested with the real nats_bench / nas_201_api code reading tiny archives
in their real on-disk formats (written here; the figures are taken from the real NB201 table)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

nats_bench = pytest.importorskip("nats_bench")
from nats_bench.api_utils import ArchResults, ResultsCount, pickle_save  # noqa: E402

from dagfilter import bench  # noqa: E402
from dagfilter.bench.official import import_nats_table  # noqa: E402
from dagfilter.errors import BenchmarkError  # noqa: E402

INDICES = (0, 6111, 9930)
SEEDS = (777, 888)
EPOCHS = {"12": 12, "200": 200}
# (dataset, eval split names written, CSV column holding the 200-epoch mean of the first split)
DATASETS = {
    "cifar10-valid": (("x-valid", "ori-test"), {"x-valid": "cifar10valid_valid_200", "ori-test": "cifar10valid_test_200"}),
    "cifar10": (("ori-test",), {"ori-test": "cifar10_test_200"}),
    "cifar100": (("x-valid", "x-test", "ori-test"), {"x-test": "cifar100_test_200"}),
    "ImageNet16-120": (("x-valid", "x-test", "ori-test"), {"x-test": "imagenet16_test_200"}),
}


def _csv_rows(shared: Path) -> dict[int, dict[str, str]]:
    with open(shared / "data/nb201/nb201_table.csv") as fh:
        return {int(r["index"]): r for r in csv.DictReader(fh)}


def _result(arch: str, ds: str, seed: int, epochs: int, accs: dict[str, float], num_classes: int) -> ResultsCount:
    train = {e: 50.0 + e * 0.1 for e in range(epochs)}
    rc = ResultsCount(ds, None, train, {e: 1.0 for e in range(epochs)}, 0.5, 40.0,
                      {"arch_str": arch, "channel": 16, "num_cells": 5, "class_num": num_classes},
                      seed, epochs, [0.01])
    rc.update_train_info(train, None, {e: 1.0 for e in range(epochs)}, {e: 2.0 for e in range(epochs)})
    ev_acc, ev_loss, ev_time = {}, {}, {}
    for split, final in accs.items():
        for e in range(epochs):
            ev_acc[f"{split}@{e}"] = final if e == epochs - 1 else final / 2
            ev_loss[f"{split}@{e}"] = 1.0
            ev_time[f"{split}@{e}"] = 0.5
    rc.update_eval(ev_acc, ev_loss, ev_time)
    return rc


def _final_accs(row: dict[str, str], ds: str, hp: str, seed_shift: float) -> dict[str, float]:
    splits, cols = DATASETS[ds]
    out = {}
    for split in splits:
        base = float(row[cols[split]]) if split in cols and hp == "200" else 40.0 + len(split)
        out[split] = base + seed_shift  # seeds at +-0.5 so the mean is the table's figure
    return out


def write_fast_mode_archive(root: Path, shared: Path) -> Path:
    """A NATS-Bench topology fast-mode folder: meta.pickle.pbz2 + <index>.pickle.pbz2 for INDICES."""
    rows = _csv_rows(shared)
    root.mkdir(parents=True, exist_ok=True)
    meta_archs = [rows[i]["arch_str"] for i in range(len(rows))]
    pickle_save({"meta_archs": meta_archs, "arch2infos": {}, "evaluated_indexes": []}, str(root / "meta.pickle"))
    classes = {"cifar10-valid": 10, "cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}
    for idx in INDICES:
        per_hp = {}
        for hp, epochs in EPOCHS.items():
            ar = ArchResults(idx, meta_archs[idx])
            for ds in DATASETS:
                for seed, shift in zip(SEEDS, (-0.5, 0.5)):
                    ar.update(ds, seed, _result(meta_archs[idx], ds, seed, epochs,
                                                _final_accs(rows[idx], ds, hp, shift), classes[ds]))
            per_hp[hp] = ar.state_dict()
        pickle_save(per_hp, str(root / f"{idx:06d}.pickle"))
    return root


@pytest.fixture(scope="module")
def archive(tmp_path_factory, shared_dir) -> Path:
    return write_fast_mode_archive(tmp_path_factory.mktemp("nats") / "NATS-tss-v1_0-3ffb9-simple", shared_dir)


@pytest.fixture(scope="module")
def nb201():
    return bench.load("nb201")


def test_fast_mode_adapter_matches_the_compact_table(archive, nb201):
    official = bench.from_nats(archive)
    arch = nb201.arch(6111)
    for ds, metric in [("cifar10", "test-accuracy"), ("cifar100", "x-test"), ("ImageNet16-120", "test-accuracy"),
                       ("cifar10-valid", "x-valid"), ("cifar10-valid", "ori-test")]:
        got = official.query(arch, ds, metric, hp=200)
        want = nb201.query(6111, ds, metric, hp=200)
        assert got.value == pytest.approx(want.value, abs=1e-9)
        assert (got.hp, got.metric, got.index) == (200, want.metric, 6111)


def test_adapter_accepts_an_api_object_and_every_encoding(archive):
    api = nats_bench.create(str(archive), "tss", fast_mode=True, verbose=False)
    official = bench.from_nats(api)
    s = api.meta_archs[9930]
    from dagfilter.cell import Cell

    naslib = Cell.from_nb201_str(s).to_naslib()
    assert official.query_index_by_arch(s) == official.query_index_by_arch(naslib) == 9930
    assert official.query(9930, "cifar100", "x-test").value == official.query(naslib, "cifar100", "x-test").value
    assert official.available_indices() == sorted(INDICES)
    best, acc = official.find_best("cifar100", "x-test", hp=200)
    assert best == 9930  # the CIFAR-100 optimum among the three archived cells
    cost = official.get_cost_info(0, "cifar10")
    assert cost["flops"] == pytest.approx(40.0) and cost["latency"] == pytest.approx(0.01)
    sim = official.simulate_train_eval(0, "cifar100", hp=12)
    assert sim.accuracy in (40.0 + len("x-valid") - 0.5, 40.0 + len("x-valid") + 0.5)
    assert sim.time_cost is not None and sim.time_cost > 0


def test_missing_hp_is_an_error_not_a_fallback(archive):
    official = bench.from_nats(archive)
    with pytest.raises(BenchmarkError, match="hp=90"):
        official.query(0, "cifar10", "test-accuracy", hp=90)


def test_import_rebuilds_the_compact_table(archive, nb201, tmp_path):
    out = import_nats_table(archive, tmp_path / "imported.npz", progress=False)
    imported = bench.load(out)
    for idx in INDICES:
        for ds, metric in [("cifar10", "ori-test"), ("cifar100", "x-test"), ("cifar10-valid", "x-valid")]:
            assert imported.query(idx, ds, metric, hp=200).value == pytest.approx(nb201.query(idx, ds, metric).value)
    # a cell the archive lacks has no figure: an error, not a silent value
    with pytest.raises(BenchmarkError):
        imported.query(5, "cifar10", "ori-test")
    # 12-epoch figures are separate and explicit
    r = imported.query(0, "cifar100", "x-valid", hp=12)
    assert r.hp == 12 and r.value == pytest.approx(40.0 + len("x-valid"))
    assert imported.get_cost_info(0, "cifar10")["latency"] == pytest.approx(0.01)


def test_import_cli(archive, tmp_path):
    from dagfilter.cli import main

    out = tmp_path / "cli.npz"
    assert main(["data", "import", "--from-nats", str(archive), "--out", str(out)]) == 0
    assert bench.load(out).query(6111, "cifar10", "ori-test").index == 6111


def test_legacy_nas_201_api(shared_dir, nb201):
    nas_201_api = pytest.importorskip("nas_201_api")
    from nas_201_api.api_utils import ArchResults as LegacyArchResults
    from nas_201_api.api_utils import ResultsCount as LegacyResultsCount

    rows = _csv_rows(shared_dir)
    meta_archs = [rows[i]["arch_str"] for i in range(len(rows))]
    arch2infos = {}
    for idx in INDICES:
        per = {}
        for key, hp in (("less", "12"), ("full", "200")):
            ar = LegacyArchResults(idx, meta_archs[idx])
            for ds in DATASETS:
                for seed, shift in zip(SEEDS, (-0.5, 0.5)):
                    new = _result(meta_archs[idx], ds, seed, EPOCHS[hp], _final_accs(rows[idx], ds, hp, shift), 10)
                    old = LegacyResultsCount.create_from_state_dict(new.state_dict())
                    ar.update(ds, seed, old)
            per[key] = ar.state_dict()
        arch2infos[idx] = per
    api = nas_201_api.NASBench201API({"meta_archs": meta_archs, "arch2infos": arch2infos,
                                      "evaluated_indexes": list(INDICES)}, verbose=False)
    legacy = bench.from_nats(api)
    assert legacy.query(6111, "cifar10", "ori-test").value == pytest.approx(nb201.query(6111, "cifar10", "ori-test").value)
    assert legacy.find_best("cifar10", "test") == (6111, pytest.approx(94.3733))
