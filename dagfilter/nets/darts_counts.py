"""Closed-form parameter count of DARTS / NDS evaluation networks (no build).

Counts the same parameters as ``count_parameters(NetworkCIFAR(...))`` (auxiliary head
excluded), in microseconds instead of tens of milliseconds per network.
"""
from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .darts import CellSpec, parse_genotype

_KERNEL = {"sep_conv_3x3": 3, "sep_conv_5x5": 5, "sep_conv_7x7": 7, "dil_conv_3x3": 3, "dil_conv_5x5": 5,
           "dil_sep_conv_3x3": 3}
_PARAM_FREE = {"none", "avg_pool_2x2", "max_pool_2x2", "avg_pool_3x3", "avg_pool_5x5", "max_pool_3x3",
               "max_pool_5x5", "max_pool_7x7"}


def darts_op_params(op: str, C: int, stride: int, affine: bool = True) -> int:
    """Parameters of one cell op at ``C`` channels (see :data:`dagfilter.nets.ops_darts.DARTS_OPS`)."""
    bn = 2 * C if affine else 0
    if op in _PARAM_FREE:
        return 0
    if op == "skip_connect":
        return 0 if stride == 1 else C * C + bn  # FactorizedReduce: two C -> C/2 1x1 convs + BN
    if op == "conv_1x1":
        return C * C + bn
    if op == "conv_3x3":
        return 9 * C * C + bn
    if op == "conv_3x1_1x3":
        return 6 * C * C + bn
    if op == "conv_7x1_1x7":
        return 14 * C * C + bn
    k = _KERNEL[op]
    block = k * k * C + C * C + bn  # depthwise + pointwise + BN
    return block if op.startswith("dil_conv") else 2 * block


def _cell_params(spec: CellSpec, c_pp: int, c_p: int, C: int, reduction: bool, affine: bool) -> int:
    edges, _ = spec
    total = (c_pp * C + 2 * C) + (c_p * C + 2 * C)  # preprocess0 (ReLUConvBN or FactorizedReduce), preprocess1
    for op, src in edges:
        total += darts_op_params(op, C, 2 if reduction and src < 2 else 1, affine)
    return total


def darts_param_count(genotype: Any, C: int = 36, layers: int = 20, num_classes: int = 10,
                      affine: bool = True, stem_multiplier: int = 3, imagenet: bool = False) -> int:
    """Parameters of ``NetworkCIFAR`` (or ``NetworkImageNet`` with ``imagenet=True``), auxiliary head excluded.

    Args:
        genotype: a ``Genotype``, an object with the 4 genotype attributes, or an NDS dict.
        C, layers, num_classes, affine, stem_multiplier: as for the networks
            (``stem_multiplier`` is ignored for ImageNet).
        imagenet: count the ImageNet network (two stride-2 stems) instead of the CIFAR one.

    Raises:
        CellFormatError, UnknownOpError: a malformed genotype; ConfigError: bad sizes.
    """
    for name, value in (("C", C), ("num_classes", num_classes), ("layers", layers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    normal, reduce = parse_genotype(genotype)
    if imagenet:
        half = C // 2
        total = (27 * half + 2 * half) + (9 * half * C + 2 * C) + (9 * C * C + 2 * C)
        c_pp = c_p = C
    else:
        cs = stem_multiplier * C
        total = 27 * cs + 2 * cs
        c_pp = c_p = cs
    c_curr = C
    for i in range(layers):
        reduction = i in (layers // 3, 2 * layers // 3)
        if reduction:
            c_curr *= 2
        spec = reduce if reduction else normal
        total += _cell_params(spec, c_pp, c_p, c_curr, reduction, affine)
        c_pp, c_p = c_p, len(spec[1]) * c_curr
    return total + c_p * num_classes + num_classes
