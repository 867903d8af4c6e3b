"""Training-free proxies: score an untrained network on one minibatch.

A proxy is a function ``(network, images, labels) -> float`` (higher = predicted better)
registered under a name, with metadata saying how the network must be prepared::

    from dagfilter.proxies import get_proxy, available_proxies, score_cells
    proxy = get_proxy("naswot")
    proxy.fn(network, images, labels)

    # whole pipeline for NAS-Bench-201 cells (builds seeded networks, real images):
    from dagfilter.proxies import CellScorer
    scorer = CellScorer("naswot", dataset="cifar10", data_dir="/data/cifar10", batch_size=128, seed=0)
    scorer.score("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")

Register another proxy with :func:`register_proxy`.
"""
from __future__ import annotations

from .naswot import hamming_kernel_from_codes, logdet_score, naswot_kernel, naswot_score
from .registry import Proxy, available_proxies, get_proxy, register_proxy
from .scoring import CellScorer, ScoreKey, cell_key, score_cells

__all__ = [
    "Proxy", "register_proxy", "get_proxy", "available_proxies",
    "naswot_score", "naswot_kernel", "hamming_kernel_from_codes", "logdet_score",
    "CellScorer", "ScoreKey", "cell_key", "score_cells",
]
