"""Operations of the DARTS and NDS (DARTS, ENAS, PNAS, Amoeba, NASNet) cell spaces.

Every op maps ``C`` channels to ``C`` channels; ``stride`` is 1 in normal cells and 2 on the
edges of a reduction cell that read the cell inputs. Definitions follow DARTS (Liu et al.,
ICLR 2019) and NDS (Radosavovic et al., ICCV 2019):

* pooling: ``avg_pool_3x3`` (``count_include_pad=False``), ``avg_pool_5x5``,
  ``max_pool_3x3/5x5/7x7`` (padding ``k//2``), ``avg_pool_2x2`` / ``max_pool_2x2``
  (padding 0; with stride 1 the input is replicate-padded by one row/column at the bottom
  right so the feature map keeps its size);
* ``skip_connect``: identity, or :class:`FactorizedReduce` with stride 2;
* ``conv_1x1``, ``conv_3x3``: ReLU-Conv-BN;
* ``sep_conv_kxk``: two stacked (ReLU, depthwise kxk, pointwise 1x1, BN) blocks, stride on the first;
* ``dil_conv_kxk``: ReLU, depthwise kxk with dilation 2, pointwise 1x1, BN;
* ``dil_sep_conv_3x3``: ``sep_conv_3x3`` with dilation 2 in both depthwise convs;
* ``conv_3x1_1x3``, ``conv_7x1_1x7``: ReLU, Conv 1xk (stride on width), Conv kx1 (stride on height), BN;
* ``none``: zeros (strided when ``stride == 2``).
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import UnknownOpError
from .ops_nb201 import Zero


class ReLUConvBN(nn.Sequential):
    """ReLU -> Conv2d (no bias) -> BatchNorm2d."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int, padding: int,
                 affine: bool = True) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class DilConv(nn.Sequential):
    """ReLU -> depthwise conv (dilated) -> pointwise conv -> BN."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int, padding: int,
                 dilation: int, affine: bool = True) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, padding=0, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class SepConv(nn.Sequential):
    """Two stacked depthwise-separable blocks; ``dilation`` applies to both depthwise convs."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int, padding: int,
                 affine: bool = True, dilation: int = 1) -> None:
        super().__init__(
            DilConv(c_in, c_in, kernel_size, stride, padding, dilation, affine),
            DilConv(c_in, c_out, kernel_size, 1, padding, dilation, affine),
        )


class FactorizedConv(nn.Sequential):
    """ReLU -> Conv 1xk (stride on width) -> Conv kx1 (stride on height) -> BN."""

    def __init__(self, c: int, k: int, stride: int, affine: bool = True) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c, c, (1, k), stride=(1, stride), padding=(0, k // 2), bias=False),
            nn.Conv2d(c, c, (k, 1), stride=(stride, 1), padding=(k // 2, 0), bias=False),
            nn.BatchNorm2d(c, affine=affine),
        )


class FactorizedReduce(nn.Module):
    """Halve the resolution with two offset 1x1 stride-2 convs concatenated, then BN.

    The second conv reads the input shifted by one pixel; the input is zero-padded at the
    bottom/right first so odd sizes work (NDS); for even sizes this is DARTS' layer exactly.
    """

    def __init__(self, c_in: int, c_out: int, affine: bool = True) -> None:
        super().__init__()
        if c_out % 2:
            raise ValueError(f"FactorizedReduce needs an even number of output channels, got {c_out}")
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        x = self.relu(x)
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


class Pool2x2(nn.Module):
    """2x2 max/avg pooling that keeps the size at stride 1 (replicate pad bottom/right)."""

    def __init__(self, kind: str, stride: int) -> None:
        super().__init__()
        self.stride = int(stride)
        if kind == "max":
            self.pool = nn.MaxPool2d(2, stride=stride, padding=0)
        else:
            self.pool = nn.AvgPool2d(2, stride=stride, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        if self.stride == 1 or x.shape[-1] % 2 or x.shape[-2] % 2:
            x = F.pad(x, (0, 1, 0, 1), mode="replicate")
        return self.pool(x)


OpFactory = Callable[[int, int, bool], nn.Module]

DARTS_OPS: dict[str, OpFactory] = {
    "none": lambda C, stride, affine: Zero(stride),
    "skip_connect": lambda C, stride, affine: nn.Identity() if stride == 1 else FactorizedReduce(C, C, affine),
    "avg_pool_2x2": lambda C, stride, affine: Pool2x2("avg", stride),
    "max_pool_2x2": lambda C, stride, affine: Pool2x2("max", stride),
    "avg_pool_3x3": lambda C, stride, affine: nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False),
    "avg_pool_5x5": lambda C, stride, affine: nn.AvgPool2d(5, stride=stride, padding=2, count_include_pad=False),
    "max_pool_3x3": lambda C, stride, affine: nn.MaxPool2d(3, stride=stride, padding=1),
    "max_pool_5x5": lambda C, stride, affine: nn.MaxPool2d(5, stride=stride, padding=2),
    "max_pool_7x7": lambda C, stride, affine: nn.MaxPool2d(7, stride=stride, padding=3),
    "conv_1x1": lambda C, stride, affine: ReLUConvBN(C, C, 1, stride, 0, affine),
    "conv_3x3": lambda C, stride, affine: ReLUConvBN(C, C, 3, stride, 1, affine),
    "sep_conv_3x3": lambda C, stride, affine: SepConv(C, C, 3, stride, 1, affine),
    "sep_conv_5x5": lambda C, stride, affine: SepConv(C, C, 5, stride, 2, affine),
    "sep_conv_7x7": lambda C, stride, affine: SepConv(C, C, 7, stride, 3, affine),
    "dil_conv_3x3": lambda C, stride, affine: DilConv(C, C, 3, stride, 2, 2, affine),
    "dil_conv_5x5": lambda C, stride, affine: DilConv(C, C, 5, stride, 4, 2, affine),
    "dil_sep_conv_3x3": lambda C, stride, affine: SepConv(C, C, 3, stride, 2, affine, dilation=2),
    "conv_3x1_1x3": lambda C, stride, affine: FactorizedConv(C, 3, stride, affine),
    "conv_7x1_1x7": lambda C, stride, affine: FactorizedConv(C, 7, stride, affine),
}
"""Op registry: name -> ``factory(C, stride, affine)`` returning a ``C -> C`` module."""


def make_darts_op(name: str, C: int, stride: int, affine: bool = True) -> nn.Module:
    """Build op ``name`` from :data:`DARTS_OPS`.

    Raises:
        UnknownOpError: ``name`` is not in the registry.
    """
    try:
        factory = DARTS_OPS[name]
    except (KeyError, TypeError):
        raise UnknownOpError(name, list(DARTS_OPS), where="DARTS/NDS cell") from None
    return factory(C, stride, affine)
