"""TE-NAS (Chen, Gong & Wang, ICLR 2021): training-free pruning of a supernet, with the DAG
filter inside it ("TE-NAS + DAG", paper §5.3, Tables 1-2).

Algorithm. The supernet starts with every candidate op on every edge. In each round, for each
edge that still holds two or more ops and for each of its ops, the supernet *with that op
removed* is measured: the condition number ``kappa`` of its empirical NTK (trainability,
:mod:`dagfilter.proxies.ntk`) and its number of linear regions ``R`` (expressivity,
:mod:`dagfilter.proxies.linear_regions`), each averaged over ``repeats`` independent weight
initialisations and minibatches. Over all measured candidates of the round, candidates are
ranked twice: by ``kappa`` ascending (removing the op leaves a better-conditioned supernet: the
op is not needed for trainability) and by ``R`` descending (removing it costs few regions). The
candidate with the smallest rank sum on each edge is pruned (ties: lower ``kappa``, then higher
``R``, then op order). Rounds repeat until one op per edge remains. On DARTS a second stage does
the same with incoming edges per node (remove whole edges) until every node keeps two, giving a
DARTS genotype. Only ranks matter, so the unpruned supernet of each round needs no measurement.

Candidate ops. As in TE-NAS's code (and the DAG-filter authors' copy of it), the ``none`` op
is removed from every edge before the first round (``drop_none=True``): on NAS-Bench-201 each
edge starts with 4 ops, so one search measures 6 x (4 + 3 + 2) = 54 candidates. (The DARTS
candidate list has no ``none``.) ``drop_none=False`` keeps it (6 x 14 = 84 candidates).

Filter rule ``"centroid"`` (default; "TE-NAS + DAG" as in the authors' code,
VITA-Group/architecture_convergence ``TENAS/prune_tenas.py``, function ``prune_func_rank``).
In every round, on every edge with ``n >= 2`` alive ops, each candidate pruning (remove one op)
is mapped to the expected ``(d_bar, m_bar)`` of the resulting cell (ops uniform over the alive
ops of each edge; the ratio of expected path counts, :func:`expected_depth_width` with
``method="plugin"``, which is the authors' formula). The ``r = min(reserve, n - 2)``
candidates nearest the *centroid of that edge's candidates* (squared Euclidean distance in
``(d_bar, m_bar)``, unscaled; ``reserve = 2``) are *reserved*: they are neither measured nor
pruned this round (the op stays). Only the other candidates (always >= 2) get the NTK and
linear-region measurements, and are ranked over all edges together as above; the best of them
on each edge is pruned. On NAS-Bench-201 this measures 2 + 2 + 2 = 6 candidates per edge
instead of 4 + 3 + 2 = 9: 36 instead of 54 (-33 %; the paper reports -30.9 % search time).
In the DARTS edge stage the reserve is 1 per node (the authors' ``prune_func_rank_group``).

Where our earlier rule (``filter_rule="window"``, kept as a named option) differs from the
authors':

* what is judged: the same expected ``(d_bar, m_bar)`` of the supernet after the pruning,
  but ours used the exact expectation E[d_bar] (``method="auto"``) instead of the ratio of
  expected path counts, and on DARTS both cells (``filter.part``), theirs only the pruned cell;
* the reference: ours is the filter's window (centre and radius of the space, ``fraction``),
  the authors' ignores the window and uses the per-edge centroid of the candidates -
  ``fraction`` plays no role in their TE-NAS rule, only the reserve count does;
* what happens to the judged candidates: ours *measures* the candidates that keep the supernet
  inside the window (plus the nearest) and never prunes the others; theirs *skips* the
  candidates near the centroid - typical prunings, kept this round without measurement - and
  measures only the atypical ones;
* a single shortlisted candidate: ours pruned it without measuring anything
  (``pruned_by_filter``); theirs always measures at least two candidates per edge;
* the op set: ours kept ``none`` as a candidate; TE-NAS removes it before pruning.

With ``filter_rule="window"`` the per-edge shortlist is: the candidates whose result stays
inside the window, plus the candidate(s) nearest the window's centre in radius units
(``max(|d - d*| / r_d, |m - m*| / r_m)``); a shortlist of one is pruned at once, a longer one is
measured and ranked, candidates off it are neither measured nor pruned.

Every skipped candidate is ``repeats`` NTK and ``repeats`` linear-region evaluations saved;
the result counts them (``result.skipped``, ``result.config["stats"]``). A filter whose window
holds no NAS-Bench-201 cell is refused with a :class:`~dagfilter.errors.ConfigError`.

Sizes. ``size="cpu"`` (default) is a reduced configuration that finishes in minutes on a CPU;
``size="paper"`` uses TE-NAS's sizes (our reading of its code: NAS-Bench-201 supernet with 16
channels and 5 cells per stage, NTK batch 64, 3 repeats, linear regions of a 1-channel, 1-cell
"thin" supernet on 1,000 real 3x3 image crops). Each size is overridable option by option.

Resuming. After every measured candidate and every round the state (round, alive ops, measured
values, trajectory, counters) is written to ``<state_dir>/tenas-<hash>.json``; the same call
(same options, space, seed, filter) resumes from it. Measurements are deterministic given the
seeds, so a resumed search ends exactly where an uninterrupted one does.
"""
from __future__ import annotations

import json
import math
import os
import time
from typing import Any, Sequence

import numpy as np
import torch

from dagfilter.errors import ConfigError
from dagfilter.filter import DAGFilter
from dagfilter.supernet.runtime import (atomic_write_text, check_positive, config_digest, crops, mix_seed,
                                        resolve_state_dir, window_distance)
from dagfilter.supernet.spaces import ArchState, SupernetSpace, freeze_arch, get_supernet_space

from .base import BUDGET_MODES, Evaluation, Searcher, SearchResult
from .benchmark import NB201Table, try_load_table
from .registry import register

#: Per-space reduced ("cpu") and paper ("paper") sizes. Keys: C, cells (per stage for NB201,
#: total for DARTS), batch (NTK minibatch), repeats, lr_inputs, lr_size, lr_channels, lr_cells.
SIZES: dict[str, dict[str, dict[str, int]]] = {
    "cpu": {
        "nb201": dict(C=4, cells=1, batch=8, repeats=3, lr_inputs=300, lr_size=3, lr_channels=1, lr_cells=1),
        "darts": dict(C=4, cells=5, batch=8, repeats=3, lr_inputs=300, lr_size=3, lr_channels=2, lr_cells=5),
    },
    "paper": {
        "nb201": dict(C=16, cells=5, batch=64, repeats=3, lr_inputs=1000, lr_size=3, lr_channels=1, lr_cells=1),
        "darts": dict(C=16, cells=8, batch=64, repeats=3, lr_inputs=1000, lr_size=3, lr_channels=2, lr_cells=5),
    },
}


# --------------------------------------------------------------------------- pure maths
def _ranks(values: Sequence[float], descending: bool) -> np.ndarray:
    """Competition ranks (0 = first; equal values share the smallest rank)."""
    v = np.asarray(values, dtype=np.float64)
    key = -v if descending else v
    key = np.where(np.isnan(key), np.inf, key)
    return np.array([int(np.sum(key < k)) for k in key], dtype=np.int64)


def tenas_prune_order(kappas: Sequence[float], regions: Sequence[float]) -> np.ndarray:
    """TE-NAS rank sum of candidate prunings: rank of ``kappa`` ascending plus rank of ``R``
    descending (each candidate measured on the supernet *without* that op). The smallest sum
    is the most prunable candidate."""
    if len(kappas) != len(regions):
        raise ConfigError(f"need one region count per condition number, got {len(kappas)} and {len(regions)}")
    return _ranks(kappas, descending=False) + _ranks(regions, descending=True)


#: Filter rules of TE-NAS + DAG (see the module docstring).
FILTER_RULES = ("centroid", "window")


def centroid_reserve(metrics: Sequence[tuple[float, float]], reserve: int) -> list[int]:
    """Positions of the ``reserve`` candidates whose ``(d_bar, m_bar)`` lie nearest the centroid
    of all candidates' (squared Euclidean distance; ties: the earlier position), ascending by
    distance - the candidates the authors' rule skips (neither measured nor pruned)."""
    if reserve <= 0 or not len(metrics):
        return []
    m = np.asarray(metrics, dtype=np.float64).reshape(len(metrics), 2)
    dist = ((m - m.mean(axis=0, keepdims=True)) ** 2).sum(axis=1)
    return [int(i) for i in np.argsort(dist, kind="stable")[:reserve]]


def reserve_count(alive: int, reserve: int) -> int:
    """Candidates reserved on an edge with ``alive`` candidates: ``min(reserve, alive - 2)``
    (at least two candidates are always measured, as in the authors' code with one pruning per
    edge and round)."""
    return max(0, min(int(reserve), int(alive) - 2))


def shortlist(deltas: Sequence[float], inside: Sequence[bool], tol: float = 1e-9) -> list[int]:
    """Positions kept by the filter rule: inside the window, or nearest the centre."""
    if not len(deltas):
        return []
    best = min(deltas)
    return [i for i, (d, ok) in enumerate(zip(deltas, inside)) if ok or d <= best + tol]


# --------------------------------------------------------------------------- measurements
def real_images(dataset: str, data_dir: Any, n: int, seed: int) -> torch.Tensor:
    """``n`` seeded real training images: :func:`dagfilter.data.fixed_batch` of the data directory, or,
    with no data directory configured for CIFAR-10, the 256 images shipped with dagfilter (the README's
    embedded default): ``n <= 256`` of them drawn with ``seed``, or all 256 in a seeded order repeated
    up to ``n`` (the 1,000 linear-region inputs are then random 3x3 crops of about 4 crops per image)."""
    from dagfilter.data import fixed_batch
    from dagfilter.proxies.scoring import _use_embedded, embedded_batch

    if not _use_embedded(dataset, data_dir):
        return fixed_batch(dataset, data_dir, n, seed)[0]
    if n <= 256:
        return embedded_batch(n, seed)[0]
    every = embedded_batch(256, seed)[0]
    return every.repeat(-(-n // 256), 1, 1, 1)[:n].clone()


class _Measurer:
    """Seeded supernets (one per repeat) and fixed real inputs; measures an architecture state."""

    def __init__(self, space: SupernetSpace, sizes: dict[str, int], dataset: str, data_dir: Any,
                 seed: int, num_classes: int, device: str = "cpu") -> None:
        self.space, self.repeats = space, sizes["repeats"]
        batch = sizes["batch"]
        images = real_images(dataset, data_dir, batch * self.repeats, mix_seed(seed, 1))
        self.ntk_inputs = [x.to(device) for x in images.split(batch)]
        lr_images = real_images(dataset, data_dir, sizes["lr_inputs"], mix_seed(seed, 2))
        self.lr_inputs = crops(lr_images, sizes["lr_size"], mix_seed(seed, 3)).to(device)
        self.ntk_nets, self.lr_nets = [], []
        for r in range(self.repeats):
            torch.manual_seed(mix_seed(seed, 10, r))
            self.ntk_nets.append(space.build(num_classes, sizes["C"], sizes["cells"]).to(device).train())
            torch.manual_seed(mix_seed(seed, 20, r))
            self.lr_nets.append(space.build(num_classes, sizes["lr_channels"], sizes["lr_cells"]).to(device).train())

    def measure(self, arch: ArchState) -> tuple[float, float]:
        """Mean NTK condition number and mean linear-region count of ``arch`` over the repeats."""
        from dagfilter.proxies.linear_regions import count_linear_regions
        from dagfilter.proxies.ntk import ntk_condition_number

        kappas, regions = [], []
        for r in range(self.repeats):
            net = self.space.apply(self.ntk_nets[r], arch)
            kappas.append(ntk_condition_number(net, self.ntk_inputs[r]))
            lr_net = self.space.apply(self.lr_nets[r], arch)
            regions.append(count_linear_regions(lr_net, self.lr_inputs))
        kappa = math.inf if any(math.isinf(k) for k in kappas) else float(np.mean(kappas))
        return kappa, float(np.mean(regions))


# --------------------------------------------------------------------------- the searcher
@register("tenas")
class TENASSearcher(Searcher):
    """TE-NAS supernet pruning, optionally with the DAG filter (see the module docstring).

    Options:
        dataset: dataset of the real minibatches (``cifar10``, ``cifar100``, ``ImageNet16-120``).
        data_dir: dataset directory (else ``$DAGFILTER_CIFAR10_DIR`` / ``$DAGFILTER_DATA_DIR``; with none,
            CIFAR-10 uses the 256 images shipped with dagfilter, see :func:`real_images`).
        size: ``"cpu"`` (reduced, minutes) or ``"paper"`` (TE-NAS sizes, for a GPU).
        filter_rule: how a filter enters the pruning: ``"centroid"`` (default, the authors'
            rule) or ``"window"`` (our earlier rule); see the module docstring.
        reserve: candidates per edge the ``centroid`` rule skips (default 2, as the authors).
        drop_none: remove the ``none`` op before pruning (default True, as TE-NAS's code).
        C, cells, batch_size, repeats, lr_inputs, lr_size, lr_channels, lr_cells: override one
            size of the preset (``batch_size`` is the NTK minibatch).
        score_seed: mixed with the search seed into the weight-initialisation / minibatch seeds.
        state_dir: checkpoint folder (default: ``<cache>/search_state``, see
            :func:`dagfilter.supernet.runtime.resolve_state_dir`).
        resume: continue from a matching checkpoint when there is one.
        cache: a score cache or cache directory: only used to place ``state_dir``.
        table: NAS-Bench-201 table for reporting accuracies (``False``: none).
        device: torch device for the measurements (default ``cpu``; ``cuda`` on a GPU).
        n_jobs, backend, scheduler: accepted for CLI compatibility; measurements run in-process.
    """

    def __init__(self, dataset: str = "cifar10", data_dir: str | os.PathLike | None = None, size: str = "cpu",
                 C: int | None = None, cells: int | None = None, batch_size: int | None = None,
                 repeats: int | None = None, lr_inputs: int | None = None, lr_size: int | None = None,
                 lr_channels: int | None = None, lr_cells: int | None = None, score_seed: int = 0,
                 filter_rule: str = "centroid", reserve: int = 2, drop_none: bool = True,
                 state_dir: str | os.PathLike | None = None, resume: bool = True, cache: Any = None,
                 table: str | os.PathLike | bool | None = None, device: str = "cpu", n_jobs: int = 1,
                 backend: str = "loky", scheduler: str | None = None) -> None:
        from dagfilter.data import dataset_spec

        if size not in SIZES:
            raise ConfigError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
        self.dataset = dataset_spec(dataset).name
        self.num_classes = dataset_spec(dataset).num_classes
        self.data_dir, self.size = data_dir, size
        self.overrides = {k: v for k, v in dict(C=C, cells=cells, batch=batch_size, repeats=repeats,
                                                lr_inputs=lr_inputs, lr_size=lr_size, lr_channels=lr_channels,
                                                lr_cells=lr_cells).items() if v is not None}
        for k, v in self.overrides.items():
            check_positive(k if k != "batch" else "batch_size", v, 2 if k == "batch" else 1)
        self.score_seed = int(score_seed)
        if filter_rule not in FILTER_RULES:
            raise ConfigError(f"filter_rule must be one of {', '.join(FILTER_RULES)}, got {filter_rule!r}")
        self.filter_rule = filter_rule
        self.reserve = check_positive("reserve", reserve, 0)
        self.drop_none = bool(drop_none)
        self.state_dir = resolve_state_dir(state_dir, cache)
        self.resume = bool(resume)
        self.device = str(device)
        self._table: NB201Table | None = None if table is False else try_load_table(
            None if table in (None, True) else table)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ configuration
    def sizes(self, space: str) -> dict[str, int]:
        """The effective sizes for ``space`` (preset + overrides)."""
        return {**SIZES[self.size][space], **self.overrides}

    def options(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "data_dir": None if self.data_dir is None else str(self.data_dir),
                "size": self.size, "overrides": dict(self.overrides), "score_seed": self.score_seed,
                "filter_rule": self.filter_rule, "reserve": self.reserve, "drop_none": self.drop_none,
                "device": self.device}

    def evaluate(self, archs: list[Any], space: Any, seed: int, progress: bool,
                 postfix: dict[str, Any]) -> list[Evaluation]:
        raise ConfigError("TE-NAS prunes a supernet; it does not score sampled cells (call search())")


    # ------------------------------------------------------------------ search
    def search(self, space: Any = "nb201", budget: int = 100, seed: int = 0, filter: DAGFilter | None = None,
               budget_mode: str = "drawn", progress: bool = True) -> SearchResult:
        """Prune the supernet of ``space`` (``nb201`` or ``darts``) down to one architecture.

        ``budget`` and ``budget_mode`` are recorded but unused: TE-NAS's cost is fixed by the
        space (number of edges and ops) and, with a filter, by the filter rule.

        Raises:
            ConfigError: bad filter or budget mode, or a filter whose window holds no
                NAS-Bench-201 cell; SpaceError: a space without supernet.
        """
        from dagfilter import __version__

        if budget_mode not in BUDGET_MODES:
            raise ConfigError(f"budget_mode must be one of {', '.join(BUDGET_MODES)}, got {budget_mode!r}")
        if filter is not None and not isinstance(filter, DAGFilter):
            raise ConfigError(f"filter must be a dagfilter.DAGFilter or None, got {type(filter).__name__}")
        sp = get_supernet_space(space)
        if filter is not None and sp.name == "nb201" and not np.asarray(filter.mask(np.arange(15625))).any():
            raise ConfigError(f"the filter accepts no NAS-Bench-201 cell (centre {tuple(filter.center)}, "
                              f"radius {tuple(filter.radius)}, fraction {filter.fraction}): nothing to search for")
        sizes = self.sizes(sp.name)
        seed = int(seed)
        config = {"searcher": self.name, **self.options(), "sizes": sizes, "space": sp.name, "budget": budget,
                  "budget_mode": budget_mode, "seed": seed,
                  "filter": None if filter is None else filter.to_dict(), "version": __version__}
        path = self.state_dir / f"tenas-{config_digest(config)}.json"
        state = self._load(path, config, self._initial_arch(sp))
        t_start = time.perf_counter()
        computed, measured_now = 0.0, 0
        measurer: _Measurer | None = None
        from tqdm.auto import tqdm

        bar = tqdm(desc=f"tenas{'+dag' if filter else ''} {sp.name} seed {seed}", unit="cand", total=0,
                   disable=not progress, leave=False)
        try:
            while not state["done"]:
                arch = freeze_arch(state["arch"])
                groups = self._groups(sp, arch, state["stage"])
                if not groups:
                    if state["stage"] == "ops" and sp.edge_groups(arch):
                        state["stage"] = "edges"
                        continue
                    state["done"] = True
                    self._save(path, state)
                    break
                t_f = time.perf_counter()
                plan, deltas = self._plan(sp, groups, filter, self.filter_rule, self.reserve, state["stage"])
                state["filter_seconds"] += time.perf_counter() - t_f
                to_measure = [(g, i) for g, (grp, keep) in enumerate(zip(groups, plan)) if len(keep) > 1
                              for i in keep]
                bar.total += len(to_measure)
                bar.refresh()
                values: dict[str, list[float]] = state["pending"]
                for g, i in to_measure:
                    key = groups[g][1][i][0]
                    if key in values:  # measured before an interruption
                        bar.update(1)
                        continue
                    if measurer is None:
                        measurer = self._measurer(sp, sizes, seed)
                    t0 = time.perf_counter()
                    kappa, regions = measurer.measure(groups[g][1][i][1])
                    dt = time.perf_counter() - t0
                    computed += dt
                    measured_now += 1
                    values[key] = [kappa, regions, dt]
                    state["scoring_seconds"] += dt
                    state["stats"]["ntk_evaluations"] += sizes["repeats"]
                    state["stats"]["lr_evaluations"] += sizes["repeats"]
                    self._save(path, state)
                    bar.update(1)
                    bar.set_postfix(round=state["round"], stage=state["stage"], skipped=state["skipped"])
                state["arch"] = self._prune(state, groups, plan, values, deltas, sizes["repeats"])
                state["pending"] = {}
                state["round"] += 1
                self._save(path, state)
        finally:
            bar.close()

        final = sp.derive(freeze_arch(state["arch"]))
        chosen, index = _cell_key(final)
        stats = dict(state["stats"])
        stats.update(rounds=state["round"], candidates=state["drawn"], measured=state["evaluated"],
                     skipped=state["skipped"], pruned_by_filter=state["stats"]["pruned_by_filter"],
                     final_arch=state["arch"], state_file=str(path))
        config["stats"] = stats
        config["budget_used"] = False  # (added after the state-file digest: resumes are unaffected)
        config["score_note"] = ("TE-NAS prunes by per-round ranks of NTK condition number and linear-region "
                                "count; the chosen cell has no single score")
        return SearchResult(
            searcher=self.name, config=config, chosen_cell=chosen, chosen_index=index, score=float("nan"),
            drawn=state["drawn"], evaluated=state["evaluated"], skipped=state["skipped"],
            cached=state["evaluated"] - measured_now, scoring_seconds=state["scoring_seconds"], computed_seconds=computed,
            wall_seconds=time.perf_counter() - t_start, filter_seconds=state["filter_seconds"],
            trajectory=state["trajectory"], accuracies=self.benchmark_accuracies(index), version=__version__)

    # ------------------------------------------------------------------ pieces
    def _initial_arch(self, sp: SupernetSpace) -> ArchState:
        """The unpruned supernet: every candidate op on every edge (``none`` removed with
        ``drop_none``)."""
        full = sp.full_arch()
        if not self.drop_none:
            return full
        return {p: tuple(tuple(o for o in e if o != "none") for e in edges) for p, edges in full.items()}

    def _measurer(self, sp: SupernetSpace, sizes: dict[str, int], seed: int) -> _Measurer:
        return _Measurer(sp, sizes, self.dataset, self.data_dir, mix_seed(seed, self.score_seed), self.num_classes,
                         self.device)

    @staticmethod
    def _groups(sp: SupernetSpace, arch: ArchState, stage: str) -> list[tuple[str, list[tuple[str, ArchState]]]]:
        """``(group label, [(move label, resulting arch), ...])`` for every edge (op stage) or node
        (edge stage) that still has to lose something."""
        groups = []
        if stage == "ops":
            for part in sp.parts:
                for k, alive in enumerate(arch[part]):
                    if len(alive) < 2:
                        continue
                    moves = []
                    for op in alive:
                        new = {p: list(e) for p, e in arch.items()}
                        new[part][k] = tuple(o for o in alive if o != op)
                        moves.append((f"{part}/e{k}/-{op}", freeze_arch(new)))
                    groups.append((f"{part}/e{k}", moves))
        else:
            for part, node, edges in sp.edge_groups(arch):
                moves = []
                for k in edges:
                    new = {p: list(e) for p, e in arch.items()}
                    new[part][k] = ()
                    moves.append((f"{part}/n{node}/-e{k}", freeze_arch(new)))
                groups.append((f"{part}/n{node}", moves))
        return groups

    @staticmethod
    def _plan(sp: SupernetSpace, groups: list[Any], flt: DAGFilter | None, rule: str = "centroid",
              reserve: int = 2, stage: str = "ops") -> tuple[list[list[int]], dict[str, float]]:
        """Per group, the positions of the candidates to consider (all; the centroid rule's
        unreserved candidates; or the window rule's shortlist), and each candidate's filter
        distance (squared distance to the edge's centroid, or window distance; empty without a
        filter)."""
        plans: list[list[int]] = []
        all_deltas: dict[str, float] = {}
        for label, moves in groups:
            if flt is None:
                plans.append(list(range(len(moves))))
                continue
            if rule == "centroid":
                part = label.split("/")[0]
                metrics = [sp.expected_metrics(new, part, method="plugin") for _, new in moves]
                r = reserve_count(len(moves), reserve if stage == "ops" else min(reserve, 1))
                skip = set(centroid_reserve(metrics, r))
                plans.append([i for i in range(len(moves)) if i not in skip])
                m = np.asarray(metrics, dtype=np.float64)
                dist = ((m - m.mean(axis=0, keepdims=True)) ** 2).sum(axis=1)
                all_deltas.update(zip((mv[0] for mv in moves), map(float, dist)))
                continue
            parts = sp.judged_parts(flt.part)
            deltas, inside = [], []
            for _, new in moves:
                metrics = [sp.expected_metrics(new, p) for p in parts]
                deltas.append(max(window_distance(flt, d, m) for d, m in metrics))
                inside.append(all(flt.accepts_metrics(d, m) for d, m in metrics))
            plans.append(shortlist(deltas, inside))
            all_deltas.update(zip((m[0] for m in moves), deltas))
        return plans, all_deltas

    @staticmethod
    def _prune(state: dict[str, Any], groups: list[Any], plan: list[list[int]], values: dict[str, list[float]],
               deltas: dict[str, float], repeats: int) -> ArchState:
        """Record the round in the trajectory and counters; return the pruned architecture."""
        measured = [(g, i) for g, keep in enumerate(plan) if len(keep) > 1 for i in keep]
        order = tenas_prune_order([values[groups[g][1][i][0]][0] for g, i in measured],
                                  [values[groups[g][1][i][0]][1] for g, i in measured]) if measured else []
        rank = {(g, i): int(r) for (g, i), r in zip(measured, order)}
        arch = freeze_arch(state["arch"])
        chosen_moves = []
        for g, (label, moves) in enumerate(groups):
            keep = plan[g]
            if len(keep) == 1:
                pick = keep[0]
            else:
                pick = min(keep, key=lambda i: (rank[(g, i)], values[moves[i][0]][0], -values[moves[i][0]][1], i))
            chosen_moves.append((g, pick))
            for i, (mlabel, _) in enumerate(moves):
                status = ("evaluated" if len(keep) > 1 and i in keep else
                          "pruned_by_filter" if i in keep else "skipped")
                v = values.get(mlabel)
                state["trajectory"].append({
                    "step": len(state["trajectory"]), "round": state["round"], "stage": state["stage"],
                    "group": label, "move": mlabel, "status": status, "pruned": i == pick,
                    "ntk_cond": None if v is None else v[0], "regions": None if v is None else v[1],
                    "rank": rank.get((g, i)), "delta": deltas.get(mlabel),
                    "score": None if (g, i) not in rank else -float(rank[(g, i)]),
                    "cell": None, "index": None, "best_score": None, "best_cell": None})
                state["drawn"] += 1
                if status == "evaluated":
                    state["evaluated"] += 1
                else:  # decided without measuring it: `repeats` NTK and linear-region evaluations saved
                    state["skipped"] += 1
                    state["stats"]["saved_ntk_evaluations"] += repeats
                    state["stats"]["pruned_by_filter"] += status == "pruned_by_filter"
        # apply every group's pick; groups touch disjoint edges, so the moves compose
        new = {p: list(e) for p, e in arch.items()}
        for g, pick in chosen_moves:
            moved = groups[g][1][pick][1]
            for p in new:
                for k in range(len(new[p])):
                    if moved[p][k] != arch[p][k]:
                        new[p][k] = moved[p][k]
        return freeze_arch(new)

    # ------------------------------------------------------------------ checkpoint
    def _load(self, path: Any, config: dict[str, Any], initial: ArchState) -> dict[str, Any]:
        fresh = {"config": config, "stage": "ops", "round": 0, "done": False, "pending": {}, "trajectory": [],
                 "drawn": 0, "evaluated": 0, "skipped": 0, "scoring_seconds": 0.0,
                 "filter_seconds": 0.0,
                 "stats": {"ntk_evaluations": 0, "lr_evaluations": 0, "saved_ntk_evaluations": 0,
                           "pruned_by_filter": 0},
                 "arch": {p: [list(e) for e in edges] for p, edges in initial.items()}}
        if not (self.resume and path.is_file()):
            return fresh
        try:
            state = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return fresh
        if state.get("config", {}).get("sizes") != config["sizes"]:
            return fresh
        state["config"] = config
        return state

    @staticmethod
    def _save(path: Any, state: dict[str, Any]) -> None:
        atomic_write_text(path, json.dumps(state))


def _cell_key(arch: Any) -> tuple[str, int | None]:
    from dagfilter.proxies.scoring import cell_key

    return cell_key(arch)
