"""Fuzz issue 28's input families (``FAMILIES`` in tests/fuzz/hostile.py): deep nesting, huge
integers, non-finite numbers, oversized fields, self-referencing files, unbounded sizes, symlinked
outputs, malicious official benchmark files and bit-flipped cache rows.

Every call must end in success or a clean error (exit code 2 and one line on stderr for the CLI, a
:class:`~dagfilter.errors.DagFilterError` for the API) within a time limit, and pass its family's
own check (no symlink target overwritten, no pickle payload run, no changed cached score served,
no error line echoing megabytes of input).
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
from .test_fuzz_cli import message_lines, run_cli

EXAMPLES = 12


@pytest.mark.parametrize("family", sorted(hostile.FAMILIES))
def test_family_calls_end_cleanly(family: str, scratch: Path) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.data())
    def check(data) -> None:
        root = fresh_dir(scratch)
        try:
            call = hostile.FAMILIES[family](hostile.HypothesisDraw(data), hostile.Workspace(root))
            err = ""
            if call.argv is not None:
                rc, err = run_cli(call.argv)
                lines = message_lines(err)
                assert rc in (0, 2), (call.argv[:6], rc, err[-2000:])
                if rc == 2:
                    assert len(lines) == 1 and "error" in lines[0], (call.argv[:6], err[-2000:])
            else:
                with time_limit(60):
                    try:
                        call.fn()
                    except DagFilterError:
                        pass
            problem = call.check(err) if call.check is not None else None
            assert problem is None, (problem, call.argv[:6] if call.argv else call.summary)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    check()
