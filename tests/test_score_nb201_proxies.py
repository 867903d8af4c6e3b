"""scripts/score_nb201_proxies.py: shards with checksums in a manifest, resume from finished shards, refuse
a tampered one, and the packs the query API reads (issue 27)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from .script_loader import load_script


@pytest.mark.slow
def test_two_tiny_shards_resume_and_tamper(tmp_path, cifar_dir):
    mod = load_script("score_nb201_proxies")
    from dagfilter.proxies import zc_bench

    root = tmp_path / "bd"
    out = root / "proxies_nb201_full"
    shutil.copy(Path(str(resources.files("benchmarks_data"))) / "proxies_nb201_subset1000.npz", root.mkdir() or root)
    base = ["--data-dir", str(cifar_dir), "--out-dir", str(out), "--work-dir", str(tmp_path / "work"),
            "--shard-size", "2", "--phases", "1", "--order-seed", "5"]
    assert mod.main(base + ["--max-shards", "2"]) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert len(m["shards"]) == 2 and m["setup"]["memory_format"] == "channels_last"
    assert m.get("packs", {}) == {}                     # 2 shards: nothing to pack yet (25 per pack)
    first = sorted(m["shards"])
    zc = zc_bench.load(root)
    for name, rec in m["shards"].items():
        a, b = rec["cells"]
        assert b - a == 2 and rec["proxies"] == list(mod.PHASES[1])
        for i in range(a, b):
            got = zc.query(i)
            assert set(got) >= set(mod.PHASES[1]) and all(isinstance(v, float) for v in got.values())
    # resume: the two finished shards are kept, one more is scored - not the next in order, which a live
    # process (a sleeping child standing in for a second scorer) has claimed
    stamp = {k: (out / r["file"]).stat().st_mtime_ns for k, r in m["shards"].items()}
    order = [f"p1_{k:03d}" for k in mod.shard_order(len(mod.shard_ranges(2)), 5)]
    nxt = [k for k in order if k not in m["shards"]][:2]
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (tmp_path / "work" / f"claim_{nxt[0]}").write_text(str(other.pid))
        assert mod.main(base + ["--max-shards", "1"]) == 0
    finally:
        other.kill()
    m2 = json.loads((out / "manifest.json").read_text())
    assert len(m2["shards"]) == 3 and nxt[1] in m2["shards"] and nxt[0] not in m2["shards"]
    assert all((out / m2["shards"][k]["file"]).stat().st_mtime_ns == t for k, t in stamp.items())
    assert zc_bench.load(root, verify_shards=True).shards == tuple(sorted(m2["shards"]))
    # a tampered shard stops the job before it scores anything
    f = out / m2["shards"][first[0]]["file"]
    raw = bytearray(f.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    f.write_bytes(bytes(raw))
    with pytest.raises(SystemExit, match="fails its SHA-256 check"):
        mod.main(base + ["--max-shards", "1"])
    # and a run with another setup is refused
    with pytest.raises(SystemExit, match="another setup"):
        mod.main(base[:-4] + ["--shard-size", "3", "--phases", "1"])
