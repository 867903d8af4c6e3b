"""The zero-cost benchmark (issue 27): shipped scores load with their checksums, answer any encoding,
refuse tampered shards, name the coverage for unscored cells, and agree with a live rescoring."""
from __future__ import annotations

import hashlib
import json
import math
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from dagfilter.cli import main as cli
from dagfilter.errors import BenchmarkError, ConfigError, IndexOutOfRangeError
from dagfilter.proxies import zc_bench
from dagfilter.proxies.zc_bench import NUM_CELLS, UnscoredCellError

SHIPPED = Path(str(resources.files("benchmarks_data")))
TWELVE = {"az_expressivity", "az_progressivity", "az_trainability", "meco", "swap", "jacov", "snip", "grad_norm",
          "fisher", "zico", "synflow", "zen"}


@pytest.fixture(scope="module")
def zc():
    return zc_bench.load()


def test_shipped_scores_load_with_setup_and_coverage(zc):
    assert set(zc.proxies) == TWELVE
    cov = zc.coverage()
    assert all(1000 <= n <= NUM_CELLS for n in cov.values()), cov
    assert zc.setup["dataset"] == "cifar10" and zc.setup["batch"] == 128 and zc.setup["seed"] == 0
    assert zc.setup["network"] == {"C": 16, "N": 5}
    manifest = SHIPPED / "proxies_nb201_full" / "manifest.json"
    if manifest.is_file():  # every listed shard's bytes hash to the manifest's SHA-256 (checked independently)
        m = json.loads(manifest.read_text())
        for rec in list(m["shards"].values()) + list(m.get("packs", {}).values()):
            raw = (manifest.parent / rec["file"]).read_bytes()
            assert hashlib.sha256(raw).hexdigest() == rec["sha256"]
        assert sorted(zc.shards) == sorted(m["shards"])
        full = zc_bench.load(verify_shards=True)   # the shards themselves give the same scores
        for p in zc.proxies:
            np.testing.assert_array_equal(full.scores[p], zc.scores[p])


def test_query_in_every_encoding_and_clear_errors(zc):
    from dagfilter.encodings.nb201 import index_strings

    i = int(np.flatnonzero(~np.isnan(zc.scores["meco"]))[0])
    arch = index_strings([i])[0]
    v = zc.query(i, "meco")
    assert v == zc.query(arch, "meco") == zc.scores["meco"][i]
    assert zc.query(arch)["meco"] == v and set(zc.query(i)) <= TWELVE
    with pytest.raises(ConfigError, match="no precomputed scores for proxy 'nope'"):
        zc.query(i, "nope")
    unscored = np.flatnonzero(np.isnan(zc.scores["zico"]))
    if unscored.size:
        with pytest.raises(UnscoredCellError, match=r"not scored for zico yet: zico covers [\d,]+ of 15,625"):
            zc.query(int(unscored[0]), "zico")
    with pytest.raises(IndexOutOfRangeError, match="15624"):
        zc.query(15625)


def test_cli_matches_the_api(zc, capsys):
    i = int(np.flatnonzero(~np.isnan(zc.scores["swap"]))[0])
    assert cli(["zc", str(i), "--proxy", "swap", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["index"] == i and out["scores"]["swap"] == zc.query(i, "swap")
    assert out["coverage"] == zc.coverage()
    unscored = np.flatnonzero(np.isnan(zc.scores["zen"]))
    if unscored.size:
        assert cli(["zc", str(int(unscored[0])), "--proxy", "zen"]) == 2
        assert "covers" in capsys.readouterr().err


def _fake_root(tmp_path: Path) -> Path:
    """A benchmarks_data-like folder: the shipped subset file and three shards of 5 cells (0-14) written
    here; the first two packed together (pack size 2), the third loose."""
    root = tmp_path / "bd"
    folder = root / "proxies_nb201_full"
    folder.mkdir(parents=True)
    shutil.copy(SHIPPED / "proxies_nb201_subset1000.npz", root)
    shards = {}
    for k in range(3):
        scores = np.arange(10, dtype=np.float64).reshape(2, 5) + 0.5 + 100 * k
        cells = [5 * k, 5 * k + 5]
        f = folder / f"p1_shard_{k:03d}.npz"
        np.savez(f, scores=scores, indices=np.arange(*cells), source=np.zeros(5, dtype=np.int8),
                 cpu_seconds=np.ones(5), meta=np.asarray(json.dumps({"proxies": ["meco", "swap"], "cells": cells})))
        shards[f"p1_{k:03d}"] = {"file": f.name, "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
                                 "cells": cells, "proxies": ["meco", "swap"]}
    (folder / "manifest.json").write_text(json.dumps({"setup": {"dataset": "cifar10", "batch": 128, "seed": 0},
                                                      "shards": shards}))
    assert [p.name for p in zc_bench.pack_shards(folder, size=2)] == ["pack_000.npz"]
    assert zc_bench.pack_shards(folder, size=2) == []          # one loose shard left: no new pack
    return root


def test_packs_and_loose_shards_merge_and_tampering_is_refused(tmp_path):
    root = _fake_root(tmp_path)
    zc = zc_bench.load(root)
    assert zc.query(3, "swap") == 8.5 and zc.query(0, "meco") == 0.5 and zc.query(12, "swap") == 207.5
    assert zc.shards == ("p1_000", "p1_001", "p1_002")
    from dagfilter.proxies.subset import load_subset_scores

    in_subset = set(load_subset_scores().indices.tolist())
    assert zc.coverage()["meco"] == 1000 + sum(1 for i in range(15) if i not in in_subset)
    assert zc.coverage()["zico"] == 1000                       # proxies the shards lack keep the subset's
    assert zc.source["meco"][0] == 2
    full = zc_bench.load(root, verify_shards=True)
    for p in ("meco", "swap"):
        np.testing.assert_array_equal(full.scores[p], zc.scores[p])
    folder = root / "proxies_nb201_full"
    for name, verify in (("pack_000.npz", False), ("p1_shard_002.npz", False), ("p1_shard_000.npz", True)):
        f = folder / name
        good = f.read_bytes()
        raw = bytearray(good)
        raw[len(raw) // 2] ^= 0x01
        f.write_bytes(bytes(raw))
        with pytest.raises(BenchmarkError, match=f"{name}.*fails its SHA-256 check"):
            zc_bench.load(root, verify_shards=verify)
        f.unlink()
        with pytest.raises(BenchmarkError, match="is missing"):
            zc_bench.load(root, verify_shards=verify)
        f.write_bytes(good)
    zc_bench.load(root)


def test_manifest_that_lies_is_refused(tmp_path):
    root = _fake_root(tmp_path)
    mpath = root / "proxies_nb201_full" / "manifest.json"
    m = json.loads(mpath.read_text())
    m["shards"]["p1_002"]["cells"] = [5, 10]
    mpath.write_text(json.dumps(m))
    with pytest.raises(BenchmarkError, match="does not hold the cells"):
        zc_bench.load(root)
    m["shards"]["p1_002"]["cells"] = [10, 15]
    m["packs"]["pack_000"]["shards"] = ["p1_000", "p1_002"]   # a pack entry naming shards it does not hold
    mpath.write_text(json.dumps(m))
    with pytest.raises(BenchmarkError, match="pack pack_000 does not hold the shards"):
        zc_bench.load(root)


@pytest.mark.slow
def test_a_few_cells_match_a_live_rescoring_within_the_measured_tolerance(zc, cifar_dir):
    """Three scored cells (whole-space shards first, else subset cells) rescored live on this CPU: every
    proxy within :data:`zc_bench.RESCORE_RTOL` (measured across CPU kernels by scripts/bench_proxy_pass.py)."""
    import torch

    from dagfilter.data import fixed_batch
    from dagfilter.encodings.nb201 import index_strings
    from dagfilter.proxies.passes import MULTI_PROXIES, compute_proxies
    from dagfilter.proxies.scoring import build_network

    src = zc.source["az_expressivity"]
    finite = np.isfinite(zc.scores["az_trainability"])
    pick = np.flatnonzero((src == 2) & finite)[:3]
    if pick.size < 3:
        pick = np.flatnonzero((src == 1) & finite)[:3]
    images, labels = fixed_batch("cifar10", cifar_dir, 128, 0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for i, cell in zip(pick.tolist(), index_strings(pick.tolist())):
            torch.manual_seed(0)
            live = compute_proxies(build_network(cell).train(), images, labels, MULTI_PROXIES)
            for p in MULTI_PROXIES:
                want = zc.scores[p][i]
                if math.isnan(want):
                    continue
                assert live[p] == pytest.approx(want, rel=zc_bench.RESCORE_RTOL[p]), (i, p)
    finally:
        torch.set_num_threads(threads)
