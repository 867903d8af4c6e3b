"""Plain-text CLI tables keep their columns apart (issue 29, item 6)."""
from __future__ import annotations

import re

from dagfilter.cli import main


def test_theory_compare_columns_are_separated(capsys) -> None:
    assert main(["theory", "compare", "--rho", "0.5", "0.9"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head, rows = lines[0], lines[1:4]
    assert head.split() == ["rank", "cell", "P", "paths", "by", "depth", "rho=0.5", "rho=0.9"]
    for row in rows:
        # the depth histogram ends with "}" and is followed by spaces before the first bound
        assert re.search(r"\}\s{2,}\d+\.\d{4}\s{2,}\d+\.\d{4}$", row), row
