"""The quick suite exists: long tests carry the `slow` marker and README states both commands (issue 29, item 5)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_long_tests_are_marked_slow_and_readme_gives_both_runs() -> None:
    marked = {p.name for p in (ROOT / "tests").rglob("test_*.py") if "@pytest.mark.slow" in p.read_text()}
    # the longest measured ones (CPU seconds on the 2-core EPYC): DARTS TE-NAS end-to-end 358, kill -9 search 45
    assert {"test_tenas.py", "test_reliability.py", "test_report.py", "test_proxy_subset.py"} <= marked
    readme = (ROOT / "README.md").read_text()
    assert 'python -m pytest -q -m "not slow"' in readme and re.search(r"&& python -m pytest -q\n", readme)
    assert "python -m pytest -q" in (ROOT / ".ci" / "run").read_text().splitlines()[-1]  # CI runs everything
    assert "-m" not in (ROOT / ".ci" / "run").read_text().splitlines()[-1].split("pytest", 1)[1]
