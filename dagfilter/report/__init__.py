"""Benchmark-query reports: the paper's Figure 5, Tables 2 and 3 and rank correlations from one call.

>>> from dagfilter.report import build_report
>>> res = build_report("report", spaces=("nb201",))          # doctest: +SKIP
>>> res.html                                                  # report/index.html, opens from disk

Modules: :mod:`.stats` (pure maths: multiple correlation R, (d_bar, m_bar) groups, envelope,
rank correlations, simulated proxy search), :mod:`.data` (loads a space from the benchmark
API), :mod:`.tables` and :mod:`.results` (DataFrames), :mod:`.figures` and :mod:`.draw`
(matplotlib figures), :mod:`.html` (self-contained page), :mod:`.build` (orchestration).
"""
from __future__ import annotations

from .build import ReportResult, build_report
from .data import SpaceData, load_space_data
from .draw import draw_arch
from .stats import multiple_correlation

__all__ = ["build_report", "ReportResult", "SpaceData", "load_space_data", "draw_arch", "multiple_correlation"]
