"""The convergence and NN-Mass theory as tools.

* Eq. 12 NNGP bound reports of cells and the paper's DAG#1-#3 (:mod:`.dags`, :mod:`.bound`);
* fully-connected DAG-shaped networks and the Sec. 5.1 convergence experiment
  (:mod:`.dagnet`, :mod:`.convergence`; script ``scripts/dag_convergence.py``);
* the NN-Mass network family (:mod:`.nnmass`), NN-Mass-guided design (:mod:`.design`) and the
  layerwise-Jacobian (LDI) check (:mod:`.ldi`).

Torch-dependent modules are imported lazily by their users; importing this package only loads
the pure-maths parts.
"""
from __future__ import annotations

from .bound import BoundReport, bound_curve, bound_report, compare_bounds
from .dags import PAPER_DAG_EDGES, paper_dag, paper_dags, resolve_cell

__all__ = ["BoundReport", "bound_report", "compare_bounds", "bound_curve", "PAPER_DAG_EDGES",
           "paper_dag", "paper_dags", "resolve_cell"]
