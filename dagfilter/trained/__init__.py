"""Rank candidates AFTER a brief training: neural capacitance (``beta_eff``) and module criticality.

Question answered: *of the few finalists a search kept, which will end up most accurate once
trained, judged from a short training run of each?* Every method here trains (a few epochs of
SGD per candidate). To rank untrained cells - from the DAG alone or with one forward pass at
initialisation - use :mod:`dagfilter.rankers` instead.

(Formerly ``dagfilter.rank``; that name still imports, with a DeprecationWarning, for one release.)

* :func:`neural_capacitance` - insert a frozen random MLP probe on top of a network's bottom
  layers, train briefly, record ``beta_eff`` (from the line graph of the probe's weights, with
  link weights = mixed second derivatives of the loss) and the validation accuracy, and predict
  the final accuracy by Bayesian ridge extrapolation to ``beta_eff -> 0``;
  low-level: :func:`attach_probe`, :func:`beta_eff`, :func:`probe_degrees`,
  :func:`extrapolate_accuracy`, :class:`CapacitanceRecorder` (a trainer callback).
* :func:`module_criticality` - per-module criticality (how far towards initialisation a module
  can move inside a noisy valley while the training loss stays within a tolerance) and the
  network criticality (their sum); :func:`rewind_to_init` - the cheap rewind test.
* :func:`funnel` - train the top-k cells of a search briefly, rank them, report the predicted
  order next to the benchmark's with Kendall's tau (``dagfilter funnel``).

Papers: "Neural capacitance: a new perspective of neural network selection via edge dynamics";
Chatterji, Neyshabur & Sedghi, "The intriguing role of module criticality in the generalization
of deep networks" (ICLR 2020).
"""
from __future__ import annotations

from .beta import beta_eff, beta_from_degrees, probe_degrees
from .capacitance import (CapacitanceRecorder, CapacitanceResult, Observation, accuracy, neural_capacitance,
                          take_batches)
from .criticality import (CriticalityResult, ModuleCriticality, RewindResult, criticality_modules,
                          evaluate_loss, module_criticality, rewind_to_init)
from .funnel import RANKS, FunnelResult, FunnelRow, benchmark_accuracy, funnel, top_cells, train_and_rank
from .probe import DEFAULT_HIDDEN, CapacitanceProbe, attach_probe, find_probe
from .regression import CapacitanceFit, RidgeFit, bayesian_ridge, extrapolate_accuracy
from .stats import kendall_tau

__all__ = [
    "neural_capacitance", "CapacitanceResult", "CapacitanceRecorder", "Observation", "accuracy", "take_batches",
    "beta_eff", "beta_from_degrees", "probe_degrees",
    "CapacitanceProbe", "attach_probe", "find_probe", "DEFAULT_HIDDEN",
    "bayesian_ridge", "RidgeFit", "extrapolate_accuracy", "CapacitanceFit",
    "module_criticality", "rewind_to_init", "criticality_modules", "evaluate_loss",
    "CriticalityResult", "ModuleCriticality", "RewindResult",
    "funnel", "train_and_rank", "top_cells", "benchmark_accuracy", "FunnelResult", "FunnelRow", "RANKS",
    "kendall_tau",
]
