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


def test_draw_legend_fits_inside_the_figure() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dagfilter import DARTS_V2
    from dagfilter.report.draw import draw_arch

    for arch in (6111, "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|", DARTS_V2):
        fig = draw_arch(arch)
        FigureCanvasAgg(fig).draw()
        box = fig.legends[0].get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, (arch, box, fig.bbox)  # was clipped: "parameter-fr..."
