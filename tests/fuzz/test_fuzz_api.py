"""Fuzz the public constructors and functions with hostile Python values (tests/fuzz/hostile.py).

Every call must return or raise a :class:`dagfilter.errors.DagFilterError` within a time limit.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagfilter.errors import DagFilterError

from . import hostile
from .conftest import fresh_dir, time_limit

TARGETS = sorted(hostile.api_targets())
SLOW = {"bench.load+query": 10, "get_ranker": 10, "searchers.get": 10, "ScoreCache": 10, "data.readers": 10,
        "DAGFilter.from_space": 10}


@pytest.mark.parametrize("target", TARGETS)
def test_api_survives_hostile_values(target: str, scratch: Path) -> None:
    fn = hostile.api_targets()[target]

    @settings(max_examples=SLOW.get(target, 30), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.data())
    def check(data) -> None:
        root = fresh_dir(scratch)
        try:
            with time_limit(60):
                try:
                    fn(hostile.HypothesisDraw(data), hostile.Workspace(root))
                except DagFilterError:
                    pass
        finally:
            shutil.rmtree(root, ignore_errors=True)

    check()
