"""Parameter and FLOP counting on built PyTorch models.

Two FLOP conventions, both per image:

* ``"macs"`` (default; the one NAS-Bench-201 / NATS-Bench use, ``xautodl.utils.flop_benchmark``):
  multiply-accumulates of every ``Conv2d`` and ``Linear`` call, plus one addition per output
  element of layers that have a bias. Pooling, normalisation, activations and element-wise
  additions are not counted.
* ``"elementwise"``: ``"macs"`` plus, per output element, 1 for every ReLU, 1 for every
  BatchNorm (2 when it is affine), and ``kh * kw + 1`` for every pooling layer (adaptive
  pooling uses its effective kernel). This reproduces the NAS-Bench-301 ``flops`` figures of
  DARTS cells (``NetworkCIFAR(32, 10, 8, g, affine=False)``) up to a constant 8,182 FLOPs
  (0.005 % of the smallest network), the same for every cell.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..errors import ConfigError


def count_parameters(model: nn.Module, exclude_auxiliary: bool = True) -> int:
    """Number of parameters of ``model``.

    Args:
        model: any module.
        exclude_auxiliary: skip parameters whose qualified name contains ``"auxiliary"``
            (the DARTS auxiliary head), as DARTS' ``count_parameters_in_MB`` does.

    Returns:
        The count (not millions).
    """
    return int(sum(p.numel() for name, p in model.named_parameters()
                   if not (exclude_auxiliary and "auxiliary" in name)))


def _conv_macs(module: nn.Conv2d, out: torch.Tensor) -> int:
    kh, kw = module.kernel_size
    per_position = kh * kw * module.in_channels * module.out_channels // module.groups
    positions = out.shape[2] * out.shape[3]
    macs = per_position * positions
    if module.bias is not None:
        macs += module.out_channels * positions
    return macs


def _linear_macs(module: nn.Linear, out: torch.Tensor) -> int:
    rows = out.numel() // module.out_features // out.shape[0]
    macs = module.in_features * module.out_features * rows
    if module.bias is not None:
        macs += module.out_features * rows
    return macs


FLOP_CONVENTIONS = ("macs", "elementwise")


def _pool_ops(module: nn.Module, inp: torch.Tensor, out: torch.Tensor) -> int:
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        kh = -(-inp.shape[-2] // out.shape[-2])
        kw = -(-inp.shape[-1] // out.shape[-1])
    else:
        k = module.kernel_size
        kh, kw = (k, k) if isinstance(k, int) else k
    return (kh * kw + 1) * out[0].numel()


def count_flops(model: nn.Module, input_shape: Sequence[int], convention: str = "macs") -> int:
    """FLOPs of one forward pass, per image, in the given convention (see the module docstring).

    The model runs once in eval mode under ``torch.no_grad()`` on a zero tensor (so DARTS
    auxiliary heads, which only run in training, are not counted) and its train/eval mode is
    restored afterwards. The pass runs with one intra-op thread (restored afterwards): the
    tensors are tiny, and a busy multi-thread pool makes it tens of times slower on loaded CPUs.

    Args:
        model: the network.
        input_shape: ``(C, H, W)`` or ``(B, C, H, W)``; the result is divided by ``B``.
        convention: ``"macs"`` or ``"elementwise"``.

    Raises:
        ConfigError: ``input_shape`` is not 3 or 4 positive integers, or an unknown convention.
    """
    if convention not in FLOP_CONVENTIONS:
        raise ConfigError(f"unknown FLOP convention {convention!r}; known: {', '.join(FLOP_CONVENTIONS)}")
    shape = tuple(input_shape)
    if len(shape) == 3:
        shape = (1,) + shape
    if len(shape) != 4 or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape):
        raise ConfigError(f"input_shape must be (C, H, W) or (B, C, H, W) positive integers, got {input_shape!r}")
    total = [0]

    def conv_hook(module: nn.Module, _inp: tuple, out: torch.Tensor) -> None:
        total[0] += _conv_macs(module, out) * out.shape[0]

    def linear_hook(module: nn.Module, _inp: tuple, out: torch.Tensor) -> None:
        total[0] += _linear_macs(module, out) * out.shape[0]

    def elementwise_hook(module: nn.Module, _inp: tuple, out: torch.Tensor) -> None:
        total[0] += out.numel() * (2 if getattr(module, "affine", False) else 1)

    def pool_hook(module: nn.Module, inp: tuple, out: torch.Tensor) -> None:
        total[0] += _pool_ops(module, inp[0], out) * out.shape[0]

    pools = (nn.AvgPool2d, nn.MaxPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
        elif convention == "elementwise" and isinstance(m, (nn.ReLU, nn.BatchNorm2d)):
            handles.append(m.register_forward_hook(elementwise_hook))
        elif convention == "elementwise" and isinstance(m, pools):
            handles.append(m.register_forward_hook(pool_hook))
    was_training = model.training
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        model.eval()
        with torch.no_grad():
            model(torch.zeros(shape, device=device))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
        torch.set_num_threads(threads)
    return total[0] // shape[0]
