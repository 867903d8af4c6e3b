"""The NAS-Bench-201 macro network ("TinyNetwork") built around one cell.

Skeleton, as in NAS-Bench-201 (Dong & Yang, ICLR 2020):

* stem: Conv 3x3 (3 -> C, no bias) + BatchNorm;
* three stages of ``N`` cells with ``C``, ``2C``, ``4C`` channels;
* between stages a residual reduction block: ResNet basic block with stride 2
  (ReLU-Conv3x3(stride 2)-BN, ReLU-Conv3x3-BN) plus a shortcut AvgPool 2x2 (stride 2) -> Conv 1x1;
* BatchNorm + ReLU, global average pooling, linear classifier.

The cell has 4 nodes; node 0 is the cell input, node 3 its output, and every node sums its
incoming edges ``0->1, 0->2, 1->2, 0->3, 1->3, 2->3`` (the arch-string order).
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from .nb201_spec import NB201_EDGES, check_macro, check_nb201_ops
from .ops_nb201 import ReLUConvBN, make_nb201_op


class NB201Cell(nn.Module):
    """One NAS-Bench-201 cell at ``channels`` channels (stride 1, channel-preserving)."""

    def __init__(self, ops: Sequence[str], channels: int) -> None:
        super().__init__()
        self.ops_names = check_nb201_ops(ops)
        self.edges = nn.ModuleList(make_nb201_op(op, channels) for op in self.ops_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        nodes = [x]
        for dst in (1, 2, 3):
            total = None
            for k, (src, d) in enumerate(NB201_EDGES):
                if d == dst:
                    y = self.edges[k](nodes[src])
                    total = y if total is None else total + y
            nodes.append(total)
        return nodes[3]


class ResidualReduction(nn.Module):
    """ResNet basic block with stride 2 and an AvgPool + Conv1x1 shortcut (NAS-Bench-201)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(c_in, c_out, kernel_size=1, stride=1, padding=0, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        return self.downsample(x) + self.conv_b(self.conv_a(x))


def nb201_macro_layers(C: int, N: int, make_cell: Callable[[int], nn.Module]
                       ) -> tuple[nn.Sequential, list[nn.Module], int]:
    """The NAS-Bench-201 skeleton: ``(stem, layers, final_width)``.

    ``layers`` holds three stages of ``N`` cells (``make_cell(width)`` for widths C, 2C, 4C) with a
    :class:`ResidualReduction` between consecutive stages. Shared by the network and the supernet.
    """
    stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
    layers: list[nn.Module] = []
    c_prev = C
    for stage, width in enumerate((C, 2 * C, 4 * C)):
        if stage > 0:
            layers.append(ResidualReduction(c_prev, width))
        layers.extend(make_cell(width) for _ in range(N))
        c_prev = width
    return stem, layers, c_prev


class NB201Network(nn.Module):
    """The NAS-Bench-201 network for one cell.

    Args:
        ops: the 6 op names in arch-string order (edges 0->1, 0->2, 1->2, 0->3, 1->3, 2->3).
        num_classes: classifier outputs (10 CIFAR-10, 100 CIFAR-100, 120 ImageNet16-120).
        C: channels of the first stage (16 in the benchmark).
        N: cells per stage (5 in the benchmark).

    Raises:
        CellFormatError: not exactly 6 op names.
        UnknownOpError: an op that is not a NAS-Bench-201 operation.
        ConfigError: a non-positive ``num_classes``, ``C`` or ``N``.

    ``forward(x)`` takes ``(B, 3, H, W)`` images (32x32 for CIFAR, 16x16 for ImageNet16-120)
    and returns ``(B, num_classes)`` logits.
    """

    def __init__(self, ops: Sequence[str], num_classes: int = 10, C: int = 16, N: int = 5) -> None:
        super().__init__()
        self.ops_names = check_nb201_ops(ops)
        check_macro(num_classes, C, N)
        self.num_classes, self.C, self.N = num_classes, C, N
        self.stem, layers, c_prev = nb201_macro_layers(C, N, lambda width: NB201Cell(self.ops_names, width))
        self.cells = nn.Sequential(*layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        return self.head(self.lastact(self.cells(self.stem(x))))

    def head(self, pre_pool: torch.Tensor) -> torch.Tensor:
        """Logits from the last feature map (global average pooling + classifier)."""
        return self.classifier(self.global_pooling(pre_pool).flatten(1))

    def pre_pool(self, x: torch.Tensor) -> torch.Tensor:
        """The feature map before global pooling (after the last BatchNorm + ReLU)."""
        return self.lastact(self.cells(self.stem(x)))

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """``(logits, features)``: the same logits as ``forward(x)`` and the feature map after the
        stem and after every layer (the ``3N`` cells and the two reduction blocks), in order,
        still attached to the autograd graph (for AZ-NAS-style per-block measures)."""
        feats = [self.stem(x)]
        for layer in self.cells:
            feats.append(layer(feats[-1]))
        return self.head(self.lastact(feats[-1])), feats
