"""Hostile input, second pass (issue 28, part A): official NATS-Bench pickles that run code,
bit-flipped score-cache rows, tracebacks from pools and loaders, and output files written
through symlinks."""
from __future__ import annotations

import bz2
import pickle
from pathlib import Path

import pytest

from dagfilter.cli import main
from dagfilter.errors import BenchmarkError

nats_bench = pytest.importorskip("nats_bench")
from nats_bench.api_utils import pickle_load  # noqa: E402

from .test_bench_official import INDICES, write_fast_mode_archive  # noqa: E402


# --------------------------------------------------------------------------- 1. code in official files
class _Payload:
    """Unpickling this runs ``os.system``: what a malicious "benchmark file" would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


def _pbz2(path: Path, obj: object) -> Path:
    with bz2.BZ2File(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=4)
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory, shared_dir) -> Path:
    return write_fast_mode_archive(tmp_path_factory.mktemp("nats") / "NATS-tss-v1_0-3ffb9-simple", shared_dir)


@pytest.fixture()
def evil(tmp_path: Path, archive: Path):
    """(marker, single evil file, fast-mode folder with an evil meta file, folder with one evil arch file)."""
    marker = tmp_path / "payload_ran"
    single = _pbz2(tmp_path / "evil.pickle.pbz2", {"meta_archs": _Payload(marker), "arch2infos": {},
                                                    "evaluated_indexes": []})
    meta_dir = tmp_path / "evil-meta"
    meta_dir.mkdir()
    _pbz2(meta_dir / "meta.pickle.pbz2", _Payload(marker))
    arch_dir = tmp_path / "evil-arch"
    arch_dir.mkdir()
    (arch_dir / "meta.pickle.pbz2").write_bytes((archive / "meta.pickle.pbz2").read_bytes())
    _pbz2(arch_dir / "006111.pickle.pbz2", {"200": {"arch_index": _Payload(marker)}})
    # the payloads are live: plain pickle (what nats_bench uses) runs them
    pickle_load(str(meta_dir / "meta.pickle.pbz2"))
    assert marker.exists()
    marker.unlink()
    return marker, single, meta_dir, arch_dir


def test_evil_official_files_are_refused_on_every_path_and_never_run(evil, tmp_path, capsys) -> None:
    from dagfilter import bench

    marker, single, meta_dir, arch_dir = evil
    for path in (single, meta_dir):
        with pytest.raises(BenchmarkError, match=r"asks to load (posix|os)\.system.*cannot run code"):
            bench.load(path)
        with pytest.raises(BenchmarkError, match=r"(posix|os)\.system"):
            bench.from_nats(str(path))
        for argv in (["query", "6111", "--dataset", "cifar10", "--benchmark", str(path)],
                     ["data", "import", "--from-nats", str(path), "--out", str(tmp_path / "t.npz")],
                     ["data", "info", str(path)],
                     ["report", "--space", str(path), "--out", str(tmp_path / "rep")]):
            assert main(argv) == 2, argv
            err = capsys.readouterr().err
            assert "system" in err and "refusing it" in err and "Traceback" not in err, (argv, err)
    # a folder whose meta file is fine but one architecture file is the payload: refused when read
    api = bench.load(arch_dir)
    with pytest.raises(BenchmarkError, match=r"006111\.pickle\.pbz2.*(posix|os)\.system"):
        api.query(6111, "cifar10", "ori-test")
    assert main(["query", "6111", "--dataset", "cifar10", "--benchmark", str(arch_dir)]) == 2
    assert "system" in capsys.readouterr().err
    # an API object the caller built with nats_bench itself: its per-arch files are still read safely
    own = bench.from_nats(nats_bench.create(str(arch_dir), "tss", fast_mode=True, verbose=False))
    with pytest.raises(BenchmarkError, match=r"006111\.pickle\.pbz2.*(posix|os)\.system"):
        own.query(6111, "cifar10", "ori-test")
    assert not marker.exists()


def test_weights_in_an_official_file_are_refused_with_advice(tmp_path: Path, archive: Path) -> None:
    torch = pytest.importorskip("torch")
    d = tmp_path / "full"
    d.mkdir()
    (d / "meta.pickle.pbz2").write_bytes((archive / "meta.pickle.pbz2").read_bytes())
    _pbz2(d / "000000.pickle.pbz2", {"200": {"net_state_dict": {"w": torch.zeros(2)}}})
    from dagfilter import bench

    with pytest.raises(BenchmarkError, match=r"torch\..*'-simple'"):
        bench.load(d).query(0, "cifar10", "ori-test")


@pytest.mark.parametrize("meta", [[1, 2, 3], {"meta_archs": 5}, {"meta_archs": [1, 2]}, "x", None])
def test_bad_meta_file_is_a_benchmark_error(tmp_path: Path, meta) -> None:
    from dagfilter import bench

    d = tmp_path / "bad"
    d.mkdir()
    _pbz2(d / "meta.pickle.pbz2", meta)
    with pytest.raises(BenchmarkError, match=r"meta\.pickle\.pbz2"):
        bench.load(d)
    (d / "meta.pickle.pbz2").write_bytes(b"BZh9 not bz2")
    with pytest.raises(BenchmarkError, match=r"meta\.pickle\.pbz2.*not a readable pickle"):
        bench.load(d)


@pytest.mark.parametrize("data, match", [
    ([1, 2], r"holds a list"),
    ({"meta_archs": ["a"], "arch2infos": {0: [1]}, "evaluated_indexes": []}, r"holds a list for index 0"),
    ({"meta_archs": ["a"], "arch2infos": {0: {"200": {"all_results": 5}}}, "evaluated_indexes": []}, r"malformed"),
    ({"meta_archs": ["a"], "arch2infos": [], "evaluated_indexes": []}, r"'arch2infos' is list"),
    ({"meta_archs": ["a", "a"], "arch2infos": {}, "evaluated_indexes": []}, r"already in the dict"),
])
def test_malformed_single_benchmark_file_is_a_benchmark_error(tmp_path: Path, data, match) -> None:
    from dagfilter import bench

    with pytest.raises(BenchmarkError, match=match):
        bench.load(_pbz2(tmp_path / "bad.pickle.pbz2", data))


def test_benign_official_files_in_the_real_format_are_still_read(tmp_path: Path, archive: Path) -> None:
    """The fast-mode folder and the single-file format, written by nats_bench's own classes and
    pickle_save (plus an OrderedDict and numpy scalars, which real files may hold)."""
    import collections

    import numpy as np

    from dagfilter import bench

    nb201 = bench.load("nb201")
    per_arch = {}
    for idx in INDICES:
        per_hp = pickle_load(str(archive / f"{idx:06d}.pickle.pbz2"))
        for state in per_hp.values():
            for rc in state["all_results"].values():
                rc["train_times"] = collections.OrderedDict((e, 2.0) for e in range(rc["epochs"]))
                rc["flop"] = np.float64(rc["flop"])
        per_arch[idx] = per_hp
    meta = pickle_load(str(archive / "meta.pickle.pbz2"))
    single = _pbz2(tmp_path / "NATS-tss-v1_0-3ffb9-simple.pickle.pbz2",
                   {"meta_archs": meta["meta_archs"], "arch2infos": per_arch, "evaluated_indexes": list(INDICES)})
    for path in (archive, single):
        api = bench.load(path)
        assert api.available_indices() == sorted(INDICES)
        for idx in INDICES:
            assert api.query(idx, "cifar10", "ori-test").value == pytest.approx(
                nb201.query(idx, "cifar10", "ori-test").value, abs=1e-9)
    assert bench.load(single).get_cost_info(0, "cifar10")["flops"] == pytest.approx(40.0)


# --------------------------------------------------------------------------- 2. bit flips in the score cache
def _flip(db: Path, bit: int) -> float:
    """Flip one bit of the stored score of the only row, with sqlite3 directly; returns the new value."""
    import sqlite3
    import struct

    con = sqlite3.connect(db)
    (v,) = con.execute("SELECT score FROM scores").fetchone()
    (u,) = struct.unpack("<Q", struct.pack("<d", v))
    (flipped,) = struct.unpack("<d", struct.pack("<Q", u ^ (1 << bit)))
    con.execute("UPDATE scores SET score=?", (flipped,))
    con.commit()
    con.close()
    return flipped


@pytest.mark.parametrize("bit", [0, 61])  # last mantissa bit (...394) and an exponent bit
def test_a_bit_flipped_cached_score_is_a_reported_miss_not_served(tmp_path: Path, bit: int) -> None:
    import sqlite3

    from dagfilter.cache import CacheIntegrityWarning, ScoreCache

    key = ("naswot", "cifar10", 128, 0)
    cache = ScoreCache(tmp_path)
    cache.put("cell-a", key, 94.30418938347393, 1.5, 6111)
    flipped = _flip(cache.path, bit)
    assert flipped != 94.30418938347393
    con = sqlite3.connect(cache.path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # SQLite sees nothing wrong
    con.close()
    with pytest.warns(CacheIntegrityWarning, match=r"1 row\(s\) failed their checksum.*cell-a"):
        assert cache.get("cell-a", key) is None
    with pytest.warns(CacheIntegrityWarning):
        assert list(cache.items()) == [] and cache.by_nb201_index(key) == {}
    assert cache.checksum_failures >= 2
    cache.put("cell-a", key, 94.30418938347393, 1.5, 6111)  # what the caller does with a miss: recompute
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.get("cell-a", key) == 94.30418938347393
        assert ScoreCache(tmp_path).get_many(["cell-a"], key) == {"cell-a": (94.30418938347393, 1.5)}


def test_cache_rows_from_before_checksums_are_kept_and_then_protected(tmp_path: Path) -> None:
    """A cache written without the checksum column: its rows are still served, get a checksum on
    first open, and a later flip in one of them is caught."""
    import sqlite3

    from dagfilter.cache import CacheIntegrityWarning, ScoreCache

    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE scores (cell TEXT NOT NULL, proxy TEXT NOT NULL, dataset TEXT NOT NULL, "
                "batch INTEGER NOT NULL, seed INTEGER NOT NULL, version TEXT NOT NULL, nb201_index INTEGER, "
                "score REAL, seconds REAL, created REAL, PRIMARY KEY (cell, proxy, dataset, batch, seed, version))")
    con.execute("INSERT INTO scores VALUES ('cell-a','naswot','cifar10',128,0,'v0',6111,94.30418938347393,1.5,1.0)")
    con.commit()
    con.close()
    key = ("naswot", "cifar10", 128, 0)
    cache = ScoreCache(db, version="v0")
    assert cache.get("cell-a", key) == 94.30418938347393
    con = sqlite3.connect(db)
    assert con.execute("SELECT checksum FROM scores").fetchone()[0] is not None
    con.close()
    _flip(db, 0)
    with pytest.warns(CacheIntegrityWarning):
        assert cache.get("cell-a", key) is None


@pytest.mark.parametrize("args, match", [
    (("x", ("naswot", "cifar10", 2, 0), "abc"), r"score.*'x'.*real number.*'abc'"),
    (("x", ("naswot", "cifar10", 2, 0), True), r"real number.*True"),
    (("x", ("naswot", "cifar10", 2, 0), 1.0, "slow"), r"seconds.*'slow'"),
    (("x", ("naswot", "cifar10", 2, 0), 1.0, None, 1.5), r"index.*1\.5"),
    (("x", ("naswot", "cifar10", "two", 0), 1.0), r"batch.*'two'"),
    (("x", ("naswot", "cifar10", 2, 2**70), 1.0), r"seed.*integer"),
    ((None, ("naswot", "cifar10", 2, 0), 1.0), r"cell.*None"),
])
def test_cache_put_of_a_bad_value_is_a_config_error(tmp_path: Path, args, match) -> None:
    from dagfilter.cache import ScoreCache
    from dagfilter.errors import ConfigError

    cache = ScoreCache(tmp_path)
    with pytest.raises(ConfigError, match=match):
        cache.put(*args)
    assert len(cache) == 0


# --------------------------------------------------------------------------- 4. output files
OUTPUT_WRITERS = {
    "search --out": (["search", "--searcher", "random", "--samples", "5", "--quiet", "--out"], ".json"),
    "rank --csv": (["rank", "--score", "params", "--top", "2", "--csv"], ".csv"),
    "filter --out": (["filter", "--space", "nb201", "--fraction", "0.25", "--out"], ".csv"),
    "draw --out": (["draw", "6111", "--out"], ".svg"),
}


@pytest.mark.parametrize("writer", sorted(OUTPUT_WRITERS))
def test_outputs_replace_a_symlink_instead_of_following_it_and_say_so(tmp_path: Path, capsys, writer) -> None:
    argv, suffix = OUTPUT_WRITERS[writer]
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    out = tmp_path / f"out{suffix}"
    out.symlink_to(target)
    assert main(argv + [str(out)]) == 0
    err = capsys.readouterr().err
    assert target.read_text() == "keep me\n"  # the link's target is untouched
    assert not out.is_symlink() and out.stat().st_size > 100
    assert "symbolic link" in err and "precious.txt" in err
    first = out.read_bytes()
    assert main(argv + [str(out)]) == 0
    assert "replaced the existing" in capsys.readouterr().err
    assert out.read_bytes()[:50] == first[:50]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temporary file left
    (tmp_path / f"folder{suffix}").mkdir()
    assert main(argv + [str(tmp_path / f"folder{suffix}")]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_data_import_out_replaces_a_symlink(tmp_path: Path, archive: Path, capsys) -> None:
    target = tmp_path / "precious.npz"
    target.write_bytes(b"keep me")
    out = tmp_path / "t.npz"
    out.symlink_to(target)
    assert main(["data", "import", "--from-nats", str(archive), "--out", str(out)]) == 0
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_bytes() == b"keep me" and not out.is_symlink()
    from dagfilter import bench

    assert bench.load(out).query(6111, "cifar10", "ori-test").index == 6111


def test_write_output_keeps_the_umask_mode_and_names_an_unwritable_target(tmp_path: Path) -> None:
    import os
    import stat

    from dagfilter.errors import ConfigError
    from dagfilter.outfiles import write_output

    notes: list[str] = []
    p = write_output(tmp_path / "sub" / "a.txt", "x", notify=notes.append)
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask and notes == []
    write_output(p, "y", notify=notes.append)
    assert p.read_text() == "y" and len(notes) == 1
    with pytest.raises(ConfigError, match="cannot write"):
        write_output(tmp_path / ("x" * 5000 + ".txt"), "z")


# --------------------------------------------------------------------------- 3. pools and loaders
def test_pool_lines_that_crashed_the_reader_are_pool_format_errors(tmp_path: Path, capsys) -> None:
    from dagfilter.errors import PoolFormatError
    from dagfilter.pools import load_pool

    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "\n")
    with pytest.raises(PoolFormatError, match=r"deep\.jsonl:1: JSON nested more than 32 levels"):
        load_pool(deep)
    assert main(["rank", "--pool", str(deep), "--score", "params"]) == 2
    assert "nested more than 32" in capsys.readouterr().err
    nines = tmp_path / "nines.jsonl"
    nines.write_text('{"arch": 6111, "accuracy": ' + "9" * 400 + "}\n")
    with pytest.raises(PoolFormatError, match=r"nines\.jsonl:1: accuracy 9+\.\.\.9+ is too large"):
        load_pool(nines)
    digits = tmp_path / "digits.jsonl"
    digits.write_text('{"arch": 6111, "accuracy": ' + "9" * 5000 + "}\n")  # over Python's int-parse limit
    with pytest.raises(PoolFormatError, match=r"digits\.jsonl:1: not readable JSON"):
        load_pool(digits)
    flag = tmp_path / "flag.jsonl"
    flag.write_text('{"arch": 6111, "accuracy": true}\n')
    with pytest.raises(PoolFormatError, match=r"accuracy True is not a number"):
        load_pool(flag)
    wide = tmp_path / "wide.csv"
    wide.write_text('arch,accuracy\n6111,93.1\n"' + "x" * 140_000 + '",1\n')
    with pytest.raises(PoolFormatError, match=r"wide\.csv:3: not readable CSV \(field larger than field limit"):
        load_pool(wide)
    # nesting within the limit (and brackets inside strings) is still read
    ok = tmp_path / "ok.jsonl"
    ok.write_text('{"arch": "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|'
                  'nor_conv_1x1~2|", "note": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "accuracy": 93.5}\n')
    assert load_pool(ok).accuracies.tolist() == [93.5]


def test_an_oversized_pool_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    import time

    from dagfilter.errors import PoolFormatError
    from dagfilter.pools import MAX_POOL_BYTES, load_pool

    big = tmp_path / "big.jsonl"
    line = '"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"\n'
    with big.open("w") as fh:
        for _ in range(MAX_POOL_BYTES // len(line) + 2):
            fh.write(line)  # every line the same cell: today's reader parses all of it before its error
    assert big.stat().st_size > MAX_POOL_BYTES
    t = time.perf_counter()
    with pytest.raises(PoolFormatError, match=r"big\.jsonl.*bytes, more than the limit 16,777,216"):
        load_pool(big)
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("spec", [None, 5, 1.5, ["6111"]])
def test_load_pool_of_a_non_path_is_a_config_error(spec) -> None:
    from dagfilter.errors import ConfigError
    from dagfilter.pools import load_pool

    with pytest.raises(ConfigError, match=r"a pool is a name .*, a file path or a Pool, got"):
        load_pool(spec)


def test_unusable_paths_are_clear_errors() -> None:
    from dagfilter import bench
    from dagfilter.errors import ConfigError, PoolFormatError
    from dagfilter.pools import load_pool, read_pool_file

    long = "x" * 5000 + ".jsonl"
    with pytest.raises(ConfigError, match=r"pool path 'x+'\.\.\. \(5,006 chars\) is not usable"):
        load_pool(long)
    with pytest.raises(PoolFormatError, match=r"not usable"):
        read_pool_file(long)
    with pytest.raises(BenchmarkError, match=r"not usable"):
        bench.load(long)
    for bad in (None, 7, b"nb201"):
        with pytest.raises(BenchmarkError, match=r"a benchmark is a registered name .* or a path, got"):
            bench.load(bad)
