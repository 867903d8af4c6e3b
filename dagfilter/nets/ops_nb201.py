"""NAS-Bench-201 cell operations as PyTorch modules.

The five operations are the ones NAS-Bench-201 (Dong & Yang, ICLR 2020) defines for the cell
edges of its topology search space:

* ``none``          - the zero operation (output is all zeros, shape of the input);
* ``skip_connect``  - identity;
* ``nor_conv_1x1``  - ReLU -> Conv 1x1 (no bias) -> BatchNorm (affine);
* ``nor_conv_3x3``  - ReLU -> Conv 3x3, padding 1 (no bias) -> BatchNorm (affine);
* ``avg_pool_3x3``  - 3x3 average pooling, stride 1, padding 1, ``count_include_pad=False``.

Cell edges never change channel count or resolution (stride 1, ``C_in == C_out``), so every
operation here is built from a single channel count ``C``.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ..errors import UnknownOpError


class ReLUConvBN(nn.Sequential):
    """ReLU -> Conv2d (no bias) -> BatchNorm2d, the NAS-Bench-201 ``nor_conv`` block.

    Args:
        c_in: input channels.
        c_out: output channels.
        kernel_size: square kernel size.
        stride: convolution stride.
        padding: convolution padding.
    """

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int, padding: int) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=True, track_running_stats=True),
        )


class Zero(nn.Module):
    """The ``none`` operation: zeros shaped like the (optionally strided) input."""

    def __init__(self, stride: int = 1) -> None:
        super().__init__()
        self.stride = int(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        if self.stride == 1:
            return x.mul(0.0)
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


NB201_OPS: dict[str, Callable[[int], nn.Module]] = {
    "none": lambda c: Zero(1),
    "skip_connect": lambda c: nn.Identity(),
    "nor_conv_1x1": lambda c: ReLUConvBN(c, c, 1, 1, 0),
    "nor_conv_3x3": lambda c: ReLUConvBN(c, c, 3, 1, 1),
    "avg_pool_3x3": lambda c: nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
}
"""Operation registry: NAS-Bench-201 op name -> factory taking the channel count."""


def make_nb201_op(name: str, channels: int) -> nn.Module:
    """Build the NAS-Bench-201 operation ``name`` for ``channels`` channels.

    Raises:
        UnknownOpError: ``name`` is not one of :data:`NB201_OP_NAMES`.
    """
    try:
        factory = NB201_OPS[name]
    except (KeyError, TypeError):
        raise UnknownOpError(name, list(NB201_OPS), where="NAS-Bench-201 cell") from None
    return factory(channels)
