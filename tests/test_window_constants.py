"""The NB201 window's exact constants, as documented beside the paper's rounded ones (issue 29, item 7)."""
from __future__ import annotations

import pytest

import dagfilter as dg


def test_nb201_window_is_exactly_the_documented_constants() -> None:
    f = dg.DAGFilter.from_space("nb201", fraction=0.5)
    assert f.center == pytest.approx((1.625, 13 / 6), abs=1e-12)
    assert tuple(r * f.fraction for r in f.radius) == pytest.approx((0.6875, 11 / 12), abs=1e-12)
    p = dg.DAGFilter.paper("nb201", fraction=0.5)  # the paper's rounded window
    assert p.center == (1.6, 2.2) and tuple(round(r * p.fraction, 6) for r in p.radius) == (0.7, 0.9)
