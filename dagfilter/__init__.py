"""dagfilter: effective depth/width filtering for neural architecture search.

Quick start::

    import dagfilter as dg
    cell = dg.Cell.from_nb201_str("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    dg.depth_width(cell)                 # (d_bar, m_bar)
    flt = dg.DAGFilter.from_space("nb201")
    flt.accepts(cell)
"""
from __future__ import annotations

__version__ = "0.1.0"

from .cell import Cell, Edge
from .encodings.parse import parse_arch
from .errors import (BenchmarkError, CellFormatError, ConfigError, DagFilterError, DataError, GraphError,
                     IndexOutOfRangeError, PoolFormatError, SpaceError, UnknownOpError)
from .filter import DAGFilter
from .genotypes import DARTS_V1, DARTS_V2, Genotype
from .metrics import (PathStats, batch_depth_width, cell_nn_mass, depth_width, effective_depth, effective_width,
                      expected_depth_width, nb201_depth_width, nn_density, nn_mass, nngp_bound, path_stats)
from .ops import OpRegistry, op_kind, register_op
from .spaces import available_spaces, get_space, register_space

__all__ = [
    "__version__", "Cell", "Edge", "parse_arch", "DAGFilter", "Genotype", "DARTS_V1", "DARTS_V2",
    "PathStats", "path_stats", "depth_width", "effective_depth", "effective_width", "batch_depth_width",
    "nb201_depth_width", "expected_depth_width", "nngp_bound", "nn_mass", "nn_density", "cell_nn_mass",
    "OpRegistry", "op_kind", "register_op", "get_space", "available_spaces", "register_space",
    "DagFilterError", "CellFormatError", "UnknownOpError", "GraphError", "IndexOutOfRangeError", "SpaceError",
    "DataError", "BenchmarkError", "ConfigError", "PoolFormatError",
]
