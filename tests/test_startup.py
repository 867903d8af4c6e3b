"""Analytic commands start fast: no torch, no scipy.stats on their import path (issue 29, item 6)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np


def _modules_after(code: str) -> dict[str, bool]:
    probe = code + "\nimport json, sys\nprint(json.dumps({m: m in sys.modules for m in ('torch', 'scipy.stats')}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_prior_scores_import_neither_torch_nor_scipy_stats() -> None:
    got = _modules_after("from dagfilter.rankers import get_ranker\n"
                         "s = get_ranker('prior').scores('nb201', range(15625))\nassert s.shape == (15625,)")
    assert got == {"torch": False, "scipy.stats": False}


def test_average_ranks_match_scipy_rankdata() -> None:
    from scipy.stats import rankdata

    from dagfilter.rankers.combine import average_ranks

    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 100, 1000):
        a = rng.integers(0, 7, n).astype(float)
        a[::7] = -np.inf
        assert np.array_equal(average_ranks(a), rankdata(a, method="average"))


def test_rank_list_imports_no_torch_and_lists_every_builtin_proxy() -> None:
    got = _modules_after("from dagfilter.cli import main\nassert main(['rank', '--list']) == 0")
    assert got["torch"] is False
    from dagfilter.proxies import available_proxies, get_proxy
    from dagfilter.rankers.registry import BUILTIN_LIVE

    ours = {p for p in available_proxies() if getattr(get_proxy(p).fn, "__module__", "").startswith("dagfilter.")}
    assert set(BUILTIN_LIVE) == ours  # the static list is what dagfilter's own modules register
