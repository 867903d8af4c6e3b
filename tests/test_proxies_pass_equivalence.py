"""The faster shared pass (issue 27) computes what the old one did: the same random probes, and
channels-last kernels within float rounding of NCHW."""
from __future__ import annotations

import math

import pytest
import torch

from dagfilter.nets.nb201 import NB201Network
from dagfilter.proxies.passes import MULTI_PROXIES, compute_proxies
from dagfilter.proxies.zc_bench import RESCORE_RTOL


def test_rand_below_half_draws_the_bits_of_bernoulli_half():
    """AZ-NAS's Rademacher probes: ``rand < 0.5`` gives exactly ``bernoulli(0.5)``'s values and leaves the
    generator where bernoulli leaves it, for every shape a pass meets (sizes below and above a SIMD width)."""
    shapes = [(64, 16, 32, 32), (64, 64, 8, 8), (4, 4, 32, 32), (3, 5, 7, 7), (2, 3, 1, 1), (1, 1, 1, 5)]
    for seed in range(3):
        g1, g2 = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
        for s in shapes * 2:
            a = torch.bernoulli(torch.full(s, 0.5), generator=g1)
            b = (torch.rand(s, generator=g2) < 0.5).float()
            assert torch.equal(a, b), (seed, s)


@pytest.mark.slow
def test_channels_last_matches_nchw_within_the_kernel_tolerance(cifar_dir):
    from dagfilter.data import fixed_batch

    x, y = fixed_batch("cifar10", cifar_dir, 16, 0)
    ops = ("nor_conv_3x3", "avg_pool_3x3", "nor_conv_1x1", "skip_connect", "nor_conv_3x3", "avg_pool_3x3")
    got = {}
    for cl in (False, True):
        torch.manual_seed(0)
        net = NB201Network(ops, C=4, N=1)
        before = {k: v.detach().clone() for k, v in net.named_parameters()}
        got[cl] = compute_proxies(net, x, y, MULTI_PROXIES, channels_last=cl)
        after = dict(net.named_parameters())   # weights untouched, and back in their own memory format
        assert all(torch.equal(before[k], after[k]) for k in before)
        assert all(p.is_contiguous() for p in net.parameters())
    for p in MULTI_PROXIES:
        assert math.isfinite(got[False][p])
        assert got[True][p] == pytest.approx(got[False][p], rel=RESCORE_RTOL[p]), p
