"""The DARTS ``params`` counter's convention, as documented beside DARTS's / NASLib's (issue 29, item 7)."""
from __future__ import annotations

from dagfilter import DARTS_V2
from dagfilter.nets.darts import NetworkCIFAR
from dagfilter.nets.darts_counts import darts_param_count
from dagfilter.rankers import get_ranker


def test_darts_params_exclude_the_auxiliary_head_like_count_parameters_in_mb() -> None:
    net = NetworkCIFAR(36, 10, 20, DARTS_V2, auxiliary=True)
    no_aux = sum(p.numel() for name, p in net.named_parameters() if "auxiliary" not in name)
    assert darts_param_count(DARTS_V2) == no_aux < sum(p.numel() for p in net.parameters())
    assert no_aux == 3_349_342  # DARTS (Liu et al. 2019) reports DARTS_V2 as "3.3M" (count_parameters_in_MB 3.349342)
    assert float(get_ranker("params").scores("darts", [DARTS_V2])[0]) == no_aux
