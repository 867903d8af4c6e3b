"""PyTorch networks built from cells: NAS-Bench-201 and DARTS/NDS evaluation networks.

Entry points:

* :func:`build_network` - one factory for every supported space (:func:`network_defaults`: its
  size keywords and their defaults);
* :class:`NB201Network`, :class:`NetworkCIFAR`, :class:`NetworkImageNet` - the networks;
* :func:`count_parameters`, :func:`count_flops` - counts on built models;
* :func:`nb201_param_count`, :func:`nb201_flops`, :func:`nb201_costs`,
  :func:`nb201_dataset_costs` - closed-form NAS-Bench-201 counts (no build; whole space in
  milliseconds);
* :func:`darts_param_count` - closed-form DARTS/NDS network parameter count;
* :data:`NB301_SETTINGS` - the DARTS settings that reproduce NAS-Bench-301's parameter counts.

Names are loaded on first use (PEP 562), so the closed-form counters in
:mod:`dagfilter.nets.nb201_counts` work without importing PyTorch.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_WHERE: dict[str, str] = {
    "build_network": "factory", "network_defaults": "factory", "SPACES": "factory", "DARTS_DEFAULTS": "factory", "NB301_SETTINGS": "factory",
    "NB201Network": "nb201", "NetworkCIFAR": "darts", "NetworkImageNet": "darts", "parse_genotype": "darts",
    "count_parameters": "counting", "count_flops": "counting", "FLOP_CONVENTIONS": "counting",
    "nb201_param_count": "nb201_counts", "nb201_flops": "nb201_counts", "nb201_costs": "nb201_counts",
    "nb201_dataset_costs": "nb201_counts", "nb201_op_codes": "nb201_counts", "NB201_DATASETS": "nb201_counts",
    "darts_param_count": "darts_counts", "darts_op_params": "darts_counts",
    "NB201_OPS": "ops_nb201", "NB201_OP_NAMES": "nb201_spec", "make_nb201_op": "ops_nb201",
    "DARTS_OPS": "ops_darts", "make_darts_op": "ops_darts",
}

__all__ = list(_WHERE)

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
