"""The zero-cost proxies (AZ-NAS terms, ZiCo, MeCo, SWAP, snip, grad_norm, fisher, jacov, synflow, zen)
on real CIFAR-10 images: finite, seeded, signed as documented, shared == single, and each checked
against an independent computation written here."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from dagfilter.nets.nb201 import NB201Network
from dagfilter.proxies import available_proxies, get_proxy
from dagfilter.proxies.passes import MULTI_PROXIES, compute_proxies, nb201_has_path

CONV = ("nor_conv_3x3", "nor_conv_1x1", "nor_conv_3x3", "skip_connect", "nor_conv_3x3", "avg_pool_3x3")
NONE = ("none",) * 6


@pytest.fixture(scope="module")
def batch(cifar_dir):
    from dagfilter.data import fixed_batch

    return fixed_batch("cifar10", cifar_dir, 8, 0)


def small(ops, seed=0, path_check=True):
    torch.manual_seed(seed)
    net = NB201Network(ops, C=4, N=1)
    if not path_check:
        net.ops_names = None   # bypass the no-path sentinel: compute honestly
    return net


def test_all_registered_with_metadata():
    assert set(MULTI_PROXIES) <= set(available_proxies())
    for name in MULTI_PROXIES:
        p = get_proxy(name)
        assert p.needs_grad and p.train_mode and p.description


def test_finite_deterministic_and_shared_equals_single(batch):
    x, y = batch
    a = compute_proxies(small(CONV), x, y, MULTI_PROXIES)
    b = compute_proxies(small(CONV), x, y, MULTI_PROXIES)
    assert a == b and all(math.isfinite(v) for v in a.values()), a
    other = compute_proxies(small(CONV, seed=1), x, y, MULTI_PROXIES)
    assert other["az_expressivity"] != a["az_expressivity"]      # the seed matters
    for name in MULTI_PROXIES:
        alone = get_proxy(name).fn(small(CONV), x, y)
        assert alone == pytest.approx(a[name], rel=1e-9, abs=1e-12), name


def test_sign_convention_and_sentinel(batch):
    x, y = batch
    assert not nb201_has_path(NONE) and nb201_has_path(CONV)
    assert nb201_has_path(("none", "none", "none", "skip_connect", "none", "none"))
    assert not nb201_has_path(("nor_conv_3x3", "none", "none", "none", "none", "nor_conv_3x3"))
    sentinel = compute_proxies(small(NONE), x, y, MULTI_PROXIES)
    assert all(v == -math.inf for v in sentinel.values())
    conv = compute_proxies(small(CONV), x, y, MULTI_PROXIES)
    honest = compute_proxies(small(NONE, path_check=False), x, y, MULTI_PROXIES)
    for name in MULTI_PROXIES:        # a network that ignores its input must never score higher
        assert conv[name] > honest[name], (name, conv[name], honest[name])


class TwoLayer(nn.Module):
    """conv 3x3 (3->4) -> ReLU -> global average pool -> linear (4->10)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(4, 10, bias=False)

    def forward(self, x):
        return self.fc(self.relu(self.conv(x)).mean(dim=(2, 3)))


def test_gradient_proxies_by_hand_on_a_two_layer_net(batch):
    x, y = batch
    torch.manual_seed(0)
    net = TwoLayer()
    got = compute_proxies(net, x, y, ["snip", "grad_norm", "fisher", "jacov", "zico", "meco", "swap"])
    # recompute everything from the same weights, by hand
    w1, w2 = net.conv.weight.detach().clone().requires_grad_(), net.fc.weight.detach().clone().requires_grad_()
    grads, fisher = [], 0.0
    for k in (0, 1):
        xb = x[4 * k:4 * k + 4].clone().requires_grad_(k == 0)
        a1 = nn.functional.conv2d(xb, w1, padding=1)
        a2 = nn.functional.relu(a1).mean(dim=(2, 3)) @ w2.T
        loss = nn.functional.cross_entropy(a2, y[4 * k:4 * k + 4])
        g1, g2, ga1, ga2 = torch.autograd.grad(loss, [w1, w2, a1, a2], retain_graph=True)
        grads.append((g1.double().numpy(), g2.double().numpy()))
        if k == 0:
            ww = (w1.detach().double().numpy(), w2.detach().double().numpy())
            snip = sum(np.abs(w * g).sum() for w, g in zip(ww, grads[0]))
            gnorm = sum(np.sqrt((g ** 2).sum()) for g in grads[0])
            for a, g in ((a1, ga1), (a2, ga2)):
                p = (a.detach() * g).double().numpy()
                p = p.sum(axis=(2, 3)) if p.ndim == 4 else p
                fisher += (0.5 * (p ** 2).mean(axis=0)).sum()
            jac = torch.autograd.grad(a2.sum(), xb)[0].reshape(4, -1).double().numpy()
            v = np.linalg.eigvalsh(np.corrcoef(jac))
            jacov = -np.sum(np.log(v + 1e-5) + 1 / (v + 1e-5))
            f0 = a1[0].detach().reshape(4, -1).double().numpy()
            meco = sum(np.linalg.eigvalsh(np.nan_to_num(np.corrcoef(m))).min()
                       for m in (f0, np.maximum(f0, 0)))
            codes = (a1.detach() > 0).reshape(4, -1).numpy().T
            swap = len({tuple(c) for c in codes})
    zico = 0.0
    for layer in (0, 1):
        g = np.stack([gr[layer].reshape(-1) for gr in grads])
        sd, mu = g.std(axis=0), np.abs(g).mean(axis=0)
        zico += math.log((mu[sd > 0] / sd[sd > 0]).sum())
    want = dict(snip=snip, grad_norm=gnorm, fisher=fisher, jacov=jacov, zico=zico, meco=meco, swap=swap)
    for name, value in want.items():
        assert got[name] == pytest.approx(value, rel=1e-5), name


def test_synflow_is_twice_the_path_sum_on_a_two_layer_linear_net():
    from dagfilter.proxies.synflow import synflow_of

    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(12, 5, bias=False), nn.ReLU(), nn.Linear(5, 3, bias=False))
    w1, w2 = (np.abs(m.weight.detach().double().numpy()) for m in (net[1], net[3]))
    r = (w2 @ w1 @ np.ones(12)).sum()     # R = 1^T |W2| |W1| 1 ; each layer's sum of w dR/dw equals R
    assert synflow_of(net, (3, 2, 2)) == pytest.approx(2 * r, rel=1e-12)


def test_az_terms_and_meco_math_against_numpy():
    from dagfilter.proxies.az_nas import block_trainability, expressivity_progressivity, spectral_entropy
    from dagfilter.proxies.meco import min_corr_eigenvalue

    g = torch.Generator().manual_seed(0)
    feats = [torch.randn(2, 3, 4, 4, generator=g) * (i + 1) for i in range(3)]
    def ent(f):
        a = f.permute(0, 2, 3, 1).reshape(-1, f.shape[1]).double().numpy()
        s = np.linalg.eigvalsh(np.cov(a.T, bias=True))
        p = s / s.sum()
        return float(-(p * np.log(p + 1e-8)).sum())
    hs = [ent(f) for f in feats]
    assert spectral_entropy(feats[0]) == pytest.approx(hs[0], rel=1e-10)
    e, p = expressivity_progressivity(feats)
    assert e == pytest.approx(sum(hs)) and p == pytest.approx(min(hs[1] - hs[0], hs[2] - hs[1]))
    assert expressivity_progressivity([torch.zeros(2, 3, 4, 4)] * 2) == (-math.inf, -math.inf)
    gin, gout = torch.randn(2, 3, 4, 4, generator=g), torch.randn(2, 5, 2, 2, generator=g)
    un = nn.functional.pixel_unshuffle(gin, 2).permute(0, 2, 3, 1).reshape(-1, 12).double().numpy()
    m = un.T @ gout.permute(0, 2, 3, 1).reshape(-1, 5).double().numpy() / 8
    s = np.linalg.svd(m, compute_uv=False).max()
    assert block_trainability(gin, gout) == pytest.approx(2 - s - 1 / (s + 1e-6), rel=1e-10)
    assert block_trainability(gout, gout) == -math.inf     # identity block
    fmap = torch.randn(5, 3, 3, generator=g)
    assert min_corr_eigenvalue(fmap) == pytest.approx(
        np.linalg.eigvalsh(np.corrcoef(fmap.reshape(5, -1).double().numpy())).min(), abs=1e-12)


def test_zen_by_hand_on_a_conv_bn_net():
    from dagfilter.proxies.zen import zen_of

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn = nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4)

        def pre_pool(self, x):
            return torch.relu(self.bn(self.conv(x)))

    net = Tiny()
    got = zen_of(net, (4, 3, 6, 6), torch.Generator().manual_seed(5))
    g = torch.Generator().manual_seed(5)       # same draws, same order: conv weight, x, eps
    w = torch.randn(net.conv.weight.shape, generator=g).double()
    x = torch.randn(4, 3, 6, 6, generator=g).double()
    x2 = x + 0.01 * torch.randn(4, 3, 6, 6, generator=g).double()
    def f(inp):
        c = nn.functional.conv2d(inp, w, padding=1)
        mu, var = c.mean(dim=(0, 2, 3), keepdim=True), c.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
        return torch.relu((c - mu) / torch.sqrt(var + 1e-5)), c.var(dim=(0, 2, 3), unbiased=True)
    (f1, v1), (f2, v2) = f(x), f(x2)
    running = 0.9 * (0.9 * 1.0 + 0.1 * v1) + 0.1 * v2       # BatchNorm's running variance after two forwards
    want = math.log(float((f1 - f2).abs().sum(dim=(1, 2, 3)).mean())) + 0.5 * math.log(float(running.mean()))
    assert got == pytest.approx(want, rel=1e-4)


def test_cell_scorer_runs_a_new_proxy_on_the_benchmark_network(cifar_dir):
    from dagfilter.proxies import CellScorer, ScoringSetup

    s = CellScorer(ScoringSetup("az_trainability", "cifar10", cifar_dir, batch_size=8, seed=0))
    cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
    v = s.score(cell)
    assert math.isfinite(v) and v <= 0 and v == s.score(cell)
    assert s.score("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|") == -math.inf


def test_every_shared_proxy_runs_on_a_darts_network(batch):
    """The DARTS CIFAR network (a tuple-returning forward, cells with two inputs): all twelve proxies
    finite and seeded, shared == single for the terms that read its features."""
    from dagfilter.pools import load_pool
    from dagfilter.proxies.scoring import build_network

    x, y = batch
    genotype = load_pool("darts725").keys[0]

    def net(seed=0):
        torch.manual_seed(seed)
        return build_network(genotype, "darts", C=4, layers=3).train()

    a = compute_proxies(net(), x, y, MULTI_PROXIES)
    assert a == compute_proxies(net(), x, y, MULTI_PROXIES)
    assert all(math.isfinite(v) for v in a.values()), a
    assert a != compute_proxies(net(1), x, y, MULTI_PROXIES)
    for name in ("az_trainability", "zen", "synflow", "zico"):
        assert get_proxy(name).fn(net(), x, y) == pytest.approx(a[name], rel=1e-9, abs=1e-12), name
