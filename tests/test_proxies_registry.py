"""The TE-NAS measures are also plain registered proxies (usable by `dagfilter score --proxy ...`)."""
from __future__ import annotations

import math

from dagfilter.proxies import CellScorer, ScoringSetup, available_proxies, get_proxy
from dagfilter.proxies.linear_regions import CROPS_PER_IMAGE

RICH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
DEAD = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"   # constant network: one linear region


def test_tenas_measures_are_registered_with_the_right_preparation():
    assert {"naswot", "ntk", "linear_regions"} <= set(available_proxies())
    assert get_proxy("ntk").needs_grad and not get_proxy("linear_regions").needs_grad


def test_linear_regions_and_ntk_scores_on_real_images(cifar_dir):
    regions = CellScorer(ScoringSetup("linear_regions", "cifar10", cifar_dir, batch_size=24, seed=0))
    rich, dead = regions.score(RICH), regions.score(DEAD)
    assert dead == 1.0                     # a constant network has a single activation region
    assert 1.0 < rich <= 24.0 * CROPS_PER_IMAGE  # at most one region per input (3x3 crops of the images)
    ntk = CellScorer(ScoringSetup("ntk", "cifar10", cifar_dir, batch_size=8, seed=0)).score(RICH)
    assert math.isfinite(ntk) and ntk <= -1.0   # minus a condition number, which is >= 1
