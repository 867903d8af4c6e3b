"""The DARTS ``Genotype`` namedtuple and well-known genotypes.

The field layout is the one DARTS, PC-DARTS, TE-NAS and NDS code use, so a user's
``Genotype`` objects (from any of those code bases) are accepted as they are: any object
with the four attributes ``normal``, ``normal_concat``, ``reduce``, ``reduce_concat`` works.
"""
from __future__ import annotations

from collections import namedtuple

Genotype = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")
Genotype.__doc__ = (
    "DARTS-style genotype: ``normal``/``reduce`` are lists of ``(op, input_node)`` pairs, two per "
    "intermediate node; nodes 0 and 1 are the outputs of the two previous cells and "
    "intermediate nodes are numbered from 2. ``*_concat`` lists the nodes concatenated into the "
    "cell output."
)

# DARTS (second order) genotype as published by Liu et al., ICLR 2019 (figures from the paper).
DARTS_V2 = Genotype(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    reduce_concat=[2, 3, 4, 5],
)

DARTS_V1 = Genotype(
    normal=[("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 0), ("sep_conv_3x3", 1),
            ("skip_connect", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 0),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("avg_pool_3x3", 0)],
    reduce_concat=[2, 3, 4, 5],
)

DARTS = DARTS_V2

NAMED_GENOTYPES: dict[str, Genotype] = {"DARTS_V1": DARTS_V1, "DARTS_V2": DARTS_V2, "DARTS": DARTS}
"""Genotypes every command and :func:`dagfilter.encodings.parse.parse_arch` accept by name."""

