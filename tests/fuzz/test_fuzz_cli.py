"""Fuzz every CLI command in-process with hostile arguments (tests/fuzz/hostile.py).

Every call must end with exit code 0, or exit code 2 and exactly one message line on stderr
(progress-bar redraws aside), within a time limit - never a traceback. Derandomized in CI by the
``deterministic`` hypothesis profile; ``HYPOTHESIS_PROFILE=explore`` draws fresh inputs, and
``scripts/fuzz_report.py`` runs the same generators for tens of thousands of calls.
"""
from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagfilter.cli import main

from . import hostile
from .conftest import fresh_dir, time_limit

# Cheap commands get more examples; the ones that build networks or benchmarks fewer.
EXAMPLES = {"metrics": 40, "filter": 25, "query": 25, "best": 15, "draw": 15, "spaces": 8, "theory": 30,
            "rank": 20, "score": 10, "search": 10, "design": 20, "data": 15, "report": 8, "train": 8, "funnel": 8,
            "zc": 25}


def message_lines(stderr: str) -> list[str]:
    """Non-empty stderr lines without tqdm redraws (the same rule as scripts/fuzz_report.py)."""
    return [ln for ln in stderr.replace("\r", "\n").splitlines() if ln.strip() and "%|" not in ln]


def run_cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), time_limit(60):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
            rc = exc.code if isinstance(exc.code, int) else 0
    return rc, err.getvalue()


def test_examples_cover_every_command() -> None:
    from dagfilter.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(hostile.COMMANDS) == set(sub.choices) == set(EXAMPLES)


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_cli_survives_hostile_arguments(command: str, scratch: Path) -> None:
    @settings(max_examples=EXAMPLES[command], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.data())
    def check(data) -> None:
        root = fresh_dir(scratch)
        try:
            argv = hostile.cli_args(command, hostile.HypothesisDraw(data), hostile.Workspace(root))
            rc, err = run_cli(argv)
            lines = message_lines(err)
            assert rc in (0, 2), (argv, rc, err[-2000:])
            if rc == 2:
                assert len(lines) == 1 and "error" in lines[0], (argv, err[-2000:])
        finally:
            shutil.rmtree(root, ignore_errors=True)

    check()
