#!/usr/bin/env python
"""Which initialisation for AZ-NAS on NAS-Bench-201? (held-out check behind dagfilter.proxies.passes)

Scores ``--cells`` NAS-Bench-201 cells drawn with ``numpy.random.default_rng(--seed)`` from *outside* the
shipped 1,000-cell benchmark subset (so the choice is never tuned on reported cells) with AZ-NAS's
expressivity (E), progressivity (P) and trainability (T) under PyTorch's default initialisation and
under AZ-NAS code's Kaiming-normal fan-in re-initialisation (and E with BatchNorm in eval mode), on
the first 64 images of the seed-0 CIFAR-10 scoring minibatch, and prints each term's Spearman rho
with CIFAR-10 test accuracy and that of ``logrank(E+P+T+flops)``.

Measured 2026-12-03 (50 cells, seed 12345, one thread): E 0.707 / 0.687, P 0.670 / 0.386,
T 0.259 / 0.250, AZ-NAS 0.910 / 0.792 (default / Kaiming), E with eval-mode BN 0.672; FLOPs 0.781.

    python scripts/bench_az_init.py --data-dir ../shared/data/cifar10 --cells 50
"""
import argparse

import numpy as np
import torch

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--data-dir", default=None)
p.add_argument("--cells", type=int, default=50)
p.add_argument("--seed", type=int, default=12345)
args = p.parse_args()
torch.set_num_threads(1)
from scipy.stats import spearmanr
from dagfilter import bench
from dagfilter.encodings.nb201 import index_strings
from dagfilter.proxies.subset import nb201_subset
from dagfilter.proxies.passes import kaiming_fanin_init, nb201_has_path
from dagfilter.proxies.az_nas import expressivity_progressivity, trainability
from dagfilter.proxies.scoring import build_network
from dagfilter.data import fixed_batch
x, y = fixed_batch("cifar10", args.data_dir, 128, 0)
x = x[:64]
sub = set(nb201_subset().tolist())
rng = np.random.default_rng(args.seed)
cells = [int(i) for i in rng.permutation(15625) if int(i) not in sub][:args.cells]
acc = bench.load("nb201").table().set_index("index").loc[cells, "cifar10_test_200"].to_numpy()
res = {k: [] for k in ("E_kaim", "P_kaim", "T_kaim", "E_def", "P_def", "T_def", "E_eval")}
t0 = time.time()
for i, c in zip(cells, index_strings(cells)):
    for init in ("kaim", "def"):
        torch.manual_seed(0); net = build_network(c).train()
        if not nb201_has_path(net.ops_names):
            for k in res: 
                if k.endswith(init): res[k].append(-np.inf)
            continue
        if init == "kaim": kaiming_fanin_init(net, torch.Generator().manual_seed(1))
        logits, feats = net.forward_features(x)
        e, p = expressivity_progressivity(feats)
        t = trainability(feats, torch.Generator().manual_seed(2))
        res["E_" + init].append(e); res["P_" + init].append(p); res["T_" + init].append(t)
    torch.manual_seed(0); net = build_network(c).eval()
    if nb201_has_path(net.ops_names):
        with torch.no_grad():
            _, feats = net.forward_features(x)
        res["E_eval"].append(expressivity_progressivity(feats)[0])
    else:
        res["E_eval"].append(-np.inf)
print("secs", time.time() - t0)
def rho(v): 
    v = np.nan_to_num(np.asarray(v, float), neginf=-1e9); return spearmanr(v, acc).statistic
from dagfilter.rankers import combine
fl = bench.load("nb201").table().set_index("index").loc[cells, "flops_M_cifar10"].to_numpy()
for k, v in res.items(): print(k, round(rho(v), 3))
for init in ("kaim", "def"):
    s = combine([np.nan_to_num(np.asarray(res[f"{a}_{init}"], float), neginf=-1e9) for a in "EPT"] + [fl], method="logrank")
    print("AZ", init, round(spearmanr(s, acc).statistic, 3))
print("flops", round(spearmanr(fl, acc).statistic, 3))
