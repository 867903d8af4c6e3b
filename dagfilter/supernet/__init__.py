"""Weight-sharing supernets for NAS-Bench-201 and DARTS cells (used by TE-NAS and FP-NAS).

* :class:`NB201Supernet`, :class:`DartsSupernet` - networks whose edges are :class:`MixedOp`\\ s;
  ``set_arch`` selects the alive ops per edge (all: the full supernet; one: a single path);
* :func:`get_supernet_space` - the space adapters (build, expected (d_bar, m_bar) of a pruning
  state, final architecture).
"""
from __future__ import annotations

from .darts import DartsSupernet, darts_edges, full_darts_arch
from .mixed import MixedOp
from .nb201 import NB201Supernet, full_nb201_arch
from .spaces import (ArchState, DartsSupernetSpace, NB201SupernetSpace, SupernetSpace, freeze_arch,
                     get_supernet_space)

__all__ = ["MixedOp", "NB201Supernet", "DartsSupernet", "full_nb201_arch", "full_darts_arch", "darts_edges",
           "ArchState", "SupernetSpace", "NB201SupernetSpace", "DartsSupernetSpace", "freeze_arch",
           "get_supernet_space"]
