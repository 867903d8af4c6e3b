"""NAS-WOT: "Neural Architecture Search without Training" (Mellor et al., ICML 2021), final score.

For a minibatch of ``B`` images, every ReLU of the untrained network turns each image into a
binary code (which units are active, ``x > 0``). Two images with similar codes are hard for the
network to tell apart. The kernel

    K[i, j] = sum over ReLUs of (N_A - d_H(c_i, c_j))
            = sum over ReLUs of (c c^T + (1 - c)(1 - c)^T)[i, j]

(``N_A`` units, ``d_H`` the Hamming distance) is accumulated over all ReLUs and the score is
``log|K|`` (``slogdet``): the paper's ``hook_logdet`` kernel and score, with one difference in *which*
ReLUs are hooked. We hook every ``nn.ReLU`` module once (a pre-hook on its input). The public code
(BayesWatch/nas-without-training) hooks every module whose class name contains ``"ReLU"``; in
NAS-Bench-201 that includes the ``ReLUConvBN`` op containers, whose input is the input of the ReLU
inside them, so each convolution's ReLU is counted twice (and the lone ReLU before the classifier
once). Measured on 12 random NB201 cells (embedded batch 128, seed 0; the public variant rebuilt by
pre-hooking every module whose ``type(m).__name__`` contains ``"ReLU"`` with :class:`_KernelAccumulator`;
no original score is shipped): the public variant is
5.5-6.4 % higher (+88.0 to +88.2, close to ``128 ln 2 = 88.7``: the conv ReLUs dominate ``K``, so
doubling them nearly doubles it), Spearman rho 1.000 between the two. Rankings agree; absolute
scores do not.

Exactness-preserving speed-ups used here (the kernel equals the plain sum exactly, on any CPU:
its entries are integer counts; the *codes* come from a float32 forward pass, so a unit whose input is
within rounding of 0 may flip on another CPU or thread count, and ``log|K|`` then moves in the last
digits - see ``scripts/measure_rescoring_spread.py``):

* the Gram product ``c c^T`` runs in float32 or int8, whichever this CPU does faster (measured
  once per process, :func:`gram_kernel`); both are exact;

* ``c c^T + (1-c)(1-c)^T = 2 c c^T + N_A - s_i - s_j`` with ``s`` the per-image active counts,
  so one matrix product per ReLU instead of two;
* in NAS-Bench-201 several conv edges read the same node tensor, so their ReLUs see identical
  inputs; each distinct input tensor is binarised once and weighted by how many ReLUs read it.
"""
from __future__ import annotations

import functools
from collections import OrderedDict

import torch
from torch import nn

from .registry import register_proxy


def hamming_kernel_from_codes(codes: torch.Tensor) -> torch.Tensor:
    """``c c^T + (1-c)(1-c)^T`` for one ReLU's binary codes.

    Args:
        codes: ``(B, N)`` boolean (or 0/1) tensor, one row per image.

    Returns:
        ``(B, B)`` float64 kernel: entry ``(i, j)`` is the number of units on which images
        ``i`` and ``j`` agree.
    """
    flat = codes.reshape(codes.shape[0], -1)
    n = flat.shape[1]
    gram = _binary_gram(flat)
    s = torch.diagonal(gram).clone()  # active units per image = c_i . c_i
    return 2.0 * gram + float(n) - s[:, None] - s[None, :]


def _binary_gram(flat: torch.Tensor) -> torch.Tensor:
    """``c c^T`` of a 0/1 matrix as float64, exactly.

    Two exact kernels exist: float32 ``c @ c.T`` (exact for counts below 2**24) and torch's
    int8 x int8 -> int32 ``_int_mm``. Which one is faster depends on the CPU: ``_int_mm`` is about
    1.5x faster with AVX-512 VNNI but 40-100x *slower* on AVX2-only CPUs. So the int8 path is taken
    only where :func:`gram_kernel` measured it faster on this machine. Both give the same integers.
    """
    n = flat.shape[1]
    if n < 2 ** 24 and flat.device.type == "cpu" and gram_kernel() == "int8":
        # a contiguous bool tensor reinterprets as 0/1 int8 without a copy
        c8 = flat.view(torch.int8) if flat.dtype == torch.bool and flat.is_contiguous() else flat.to(torch.int8)
        try:
            return torch._int_mm(c8, c8.t()).to(torch.float64)
        except (RuntimeError, NotImplementedError):
            pass
    c = flat.to(torch.float32)
    return (c @ c.T).to(torch.float64)


GRAM_KERNEL_ENV = "DAGFILTER_GRAM_KERNEL"


def _time_kernel(fn, reps: int = 3) -> float:
    import time

    fn()  # warm-up
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure_gram_kernels(batch: int = 128, units: int = 4096, reps: int = 3) -> dict[str, float]:
    """Seconds per ``c c^T`` of a ``batch x units`` 0/1 matrix with each kernel on this machine.

    Returns ``{"float32": s, "int8": s}`` (``int8`` is ``inf`` where the build has no ``_int_mm``
    or it fails). Used once per process by :func:`gram_kernel` and by ``scripts/bench_naswot_kernel.py``.
    """
    gen = torch.Generator().manual_seed(0)
    codes = torch.rand(batch, units, generator=gen) > 0.5
    c32 = codes.to(torch.float32)
    times = {"float32": _time_kernel(lambda: c32 @ c32.T, reps)}
    times["int8"] = float("inf")
    if hasattr(torch, "_int_mm"):
        c8 = codes.view(torch.int8)
        try:
            times["int8"] = _time_kernel(lambda: torch._int_mm(c8, c8.t()), reps)
        except (RuntimeError, NotImplementedError):
            pass
    return times


@functools.lru_cache(maxsize=1)
def gram_kernel() -> str:
    """``"int8"`` or ``"float32"``: the binary-Gram kernel used on this machine.

    ``$DAGFILTER_GRAM_KERNEL`` (``int8`` / ``float32``) forces one; otherwise both are timed once
    per process (a few milliseconds where int8 is fast, ~0.1 s where it is slow) and int8 is taken
    only if it is at least 10 % faster. The choice never changes a score: both are exact.
    """
    import os

    forced = os.environ.get(GRAM_KERNEL_ENV, "").strip().lower()
    if forced in ("int8", "float32"):
        return forced
    if not hasattr(torch, "_int_mm"):
        return "float32"
    times = measure_gram_kernels()
    return "int8" if times["int8"] < 0.9 * times["float32"] else "float32"


def logdet_score(kernel: torch.Tensor) -> float:
    """``log|K|`` via ``slogdet`` (``-inf`` for a singular kernel, as in the reference code)."""
    _, logabsdet = torch.linalg.slogdet(kernel.to(torch.float64))
    return float(logabsdet)


class _KernelAccumulator:
    """Forward pre-hooks on every ``nn.ReLU`` that add each distinct input's kernel to ``K``."""

    def __init__(self, batch: int, cache_size: int = 8) -> None:
        self.kernel = torch.zeros(batch, batch, dtype=torch.float64)
        self.relus = 0
        self.distinct = 0
        # Holding references keeps recent input tensors alive, so identity comparisons are sound.
        self._recent: OrderedDict[int, tuple[torch.Tensor, torch.Tensor]] = OrderedDict()
        self._cache_size = cache_size

    def __call__(self, module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        x = inputs[0]
        self.relus += 1
        hit = self._recent.get(id(x))
        if hit is not None and hit[0] is x:
            self.kernel += hit[1]
            self._recent.move_to_end(id(x))
            return
        k = hamming_kernel_from_codes(x.detach() > 0)
        self.distinct += 1
        self.kernel += k
        self._recent[id(x)] = (x, k)
        while len(self._recent) > self._cache_size:
            self._recent.popitem(last=False)


def naswot_kernel(network: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The accumulated Hamming kernel ``K`` of ``network`` on ``images`` (one forward pass).

    The network is used in whatever mode it is in (NAS-WOT uses ``train()``); no gradients.

    Raises:
        ValueError: the network has no ``nn.ReLU`` module (the score is undefined).
    """
    relus = [m for m in network.modules() if isinstance(m, nn.ReLU)]
    if not relus:
        from ..errors import ConfigError

        raise ConfigError(f"{type(network).__name__} has no nn.ReLU module: NAS-WOT needs ReLU activations")
    acc = _KernelAccumulator(images.shape[0])
    handles = [m.register_forward_pre_hook(acc) for m in relus]
    try:
        with torch.no_grad():
            network(images)
    finally:
        for h in handles:
            h.remove()
    return acc.kernel


@register_proxy("naswot", train_mode=True, needs_grad=False,
                description="NAS-WOT (Mellor et al. 2021): log|K| of the ReLU-code Hamming kernel")
def naswot_score(network: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None) -> float:
    """NAS-WOT score ``log|K|`` of an untrained network on one minibatch (labels are unused)."""
    return logdet_score(naswot_kernel(network, images))
