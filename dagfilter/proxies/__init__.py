"""Training-free proxies: score an untrained network on one minibatch.

A proxy is a function ``(network, images, labels) -> float`` (higher = predicted better)
registered under a name, with metadata saying how the network must be prepared::

    from dagfilter.proxies import get_proxy, available_proxies
    proxy = get_proxy("naswot")
    proxy.fn(network, images, labels)

Every scoring call takes one :class:`ScoringSetup` - proxy, dataset, data directory, batch,
seed, space, network - which is also the score-cache key (``setup.key``) and the JSON record
of a result (``setup.to_dict()``); how the work is spread and shown is a separate
:class:`Execution` (workers, backend, scheduler, chunk size, progress)::

    from dagfilter.cache import ScoreCache
    from dagfilter.proxies import CellScorer, Execution, ScoringSetup, score_cells
    setup = ScoringSetup("naswot", dataset="cifar10", data_dir="/data/cifar10", batch_size=128, seed=0)
    CellScorer(setup).score("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    score_cells(range(100), setup, cache=ScoreCache("runs/cache"), execution=Execution(n_jobs=2))

Adding a proxy (its own module + its name in the registry's list, nothing else):

1. Write ``dagfilter/proxies/<name>.py`` with the maths as pure functions and either
   * one function ``(network, images, labels) -> float`` decorated with
     ``@register_proxy("<name>", train_mode=..., needs_grad=..., description="...")``
     (``needs_grad=False`` runs it under ``torch.no_grad``; ``train_mode`` sets BatchNorm's mode), or
   * for a proxy that can share the forward/backward of the others, one function ``(capture) -> float``
     decorated with ``@shared_proxy("<name>", needs=(...))`` (:mod:`dagfilter.proxies.capture` lists the
     items a pass captures: feature maps, per-module maps, ReLU codes, loss gradients, ...). It never
     imports :mod:`dagfilter.proxies.passes`: the pass is the only orchestrator, it reads the
     declaration and runs what the requested proxies need, once.
   Cite the paper in the module docstring.
2. Add ``"<name>"`` to ``BUILTIN_MODULES`` in :mod:`dagfilter.proxies.registry`.

That is all: ``ScoringSetup("<name>")``, :class:`CellScorer`, :func:`score_cells` (cache,
parallel and Dask paths), ``dagfilter score --proxy <name>``, the live ranker ``<name>`` (and
specs such as ``<name>+prior``, ``dagfilter rank --score <name>``, ``dagfilter search --score
<name>``) all find it through the registry. Tests go in ``tests/test_proxies_<name>.py`` (real
images from ``../shared/data``, a tiny network via ``ScoringSetup(network={"C": 8, "N": 1})``).
Proxies that share one forward/backward pass may be asked for together: ``ScoringSetup.proxy``
accepts a tuple of names (each still cached under its own key, ``setup.for_proxy(name).key``);
the single-proxy entry points refuse such a tuple; the multi-score path is
:func:`dagfilter.proxies.shared_scoring.score_cells_shared` (one network and one shared pass per cell,
:mod:`dagfilter.proxies.passes`), which combined ranker specs use automatically.

See also :mod:`dagfilter.proxies.shipped` (precomputed NAS-WOT scores of all of NAS-Bench-201) and
:mod:`dagfilter.proxies.zc_bench` (the twelve shared-pass proxies over the whole space, as far as scored).
Names load on first use (PEP 562): :class:`ScoringSetup` and :class:`Execution` import without
PyTorch, so analytic rankers and the CLI can hold them at no cost.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_WHERE: dict[str, str] = {
    "ScoringSetup": "config", "Execution": "config", "BACKENDS": "config", "ScoreKey": "config",
    "Proxy": "registry", "register_proxy": "registry", "get_proxy": "registry", "available_proxies": "registry",
    "naswot_score": "naswot", "naswot_kernel": "naswot", "hamming_kernel_from_codes": "naswot",
    "logdet_score": "naswot",
    "CellScorer": "scoring", "cell_key": "scoring", "score_cells": "scoring",
}

__all__ = list(_WHERE)

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
