"""The search -> brief training -> ranking funnel.

>>> from dagfilter.trained import funnel
>>> res = funnel("result.json", k=10, epochs=2, rank="capacitance", data_dir="/data/cifar10")  # doctest: +SKIP
>>> print(res.format_table()); res.tau                                                          # doctest: +SKIP

The top-``k`` evaluated cells of a search (by the searcher's score; or the first ``k`` of a
list) are each trained briefly with :func:`dagfilter.train.train` (small network, CIFAR subset),
ranked by the chosen evidence, and the predicted order is reported next to the benchmark's
200-epoch order with Kendall's tau; the brief training's own final validation accuracy is
reported as the baseline ranking. Every cell's run lives in ``out/<n>-<rank>/`` and is resumable
(an interrupted funnel re-run with the same arguments continues where it stopped).
"""
from __future__ import annotations

import copy
import json
import math
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch

from ..errors import BenchmarkError, ConfigError, DagFilterError
from .capacitance import CapacitanceRecorder, fit_or_nan
from .criticality import module_criticality, rewind_to_init
from .probe import DEFAULT_HIDDEN, attach_probe
from .stats import kendall_tau

RANKS: tuple[str, ...] = ("capacitance", "criticality")


def top_cells(source: Any, k: int) -> list[dict[str, Any]]:
    """The ``k`` best distinct evaluated cells of a search, best first.

    Args:
        source: a ``searchers.SearchResult``, the path/JSON text of one, or a list of cells
            (anything :func:`dagfilter.train.parse_cell_arg` reads); a list keeps its order.
        k: how many.

    Returns:
        ``[{"cell": ..., "score": float | None}, ...]``.

    Raises:
        ConfigError: bad ``k``, an unreadable result, or no evaluated cells.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k must be a positive integer, got {k!r}")
    if isinstance(source, (list, tuple)):
        if not source:
            raise ConfigError("the list of cells is empty")
        return [{"cell": c, "score": None} for c in list(source)[:k]]
    if isinstance(source, (str, os.PathLike)) or isinstance(source, dict):
        from searchers.base import SearchResult

        source = SearchResult.from_dict(source) if isinstance(source, dict) else SearchResult.from_json(str(source))
    traj = getattr(source, "trajectory", None)
    if traj is None:
        raise ConfigError(f"expected a SearchResult, a result JSON path or a list of cells, got "
                          f"{type(source).__name__}")
    best: dict[str, tuple[float, int]] = {}
    for row in traj:
        score = row.get("score")
        if row.get("status") != "evaluated" or score is None:
            continue
        try:
            score = float(score)
        except (TypeError, ValueError):
            continue
        if math.isnan(score):
            continue
        key = row["cell"] if isinstance(row["cell"], str) else json.dumps(row["cell"], sort_keys=True)
        if key not in best or score > best[key][0]:
            best[key] = (score, int(row.get("step", 0)))
    if not best:
        raise ConfigError("the search result has no evaluated cells in its trajectory")
    order = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[:k]
    return [{"cell": c, "score": s} for c, (s, _) in order]


@dataclass
class FunnelRow:
    """One trained candidate."""

    cell: Any
    search_score: float | None
    rank_score: float
    val_acc: float
    benchmark_acc: float | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class FunnelResult:
    """Outcome of :func:`funnel`.

    Attributes:
        rank: ``capacitance`` or ``criticality``.
        rows: candidates in search order.
        tau: Kendall tau between the rank score and the benchmark accuracy (None if unknown).
        tau_val: the same for the brief training's final validation accuracy (the baseline).
        settings: training and ranking settings.
    """

    rank: str
    rows: list[FunnelRow]
    tau: float | None
    tau_val: float | None
    settings: dict[str, Any]

    def predicted_order(self) -> list[int]:
        """Row indices, best predicted first (NaN scores last)."""
        key = [(-r.rank_score if math.isfinite(r.rank_score) else math.inf) for r in self.rows]
        return sorted(range(len(self.rows)), key=lambda i: (key[i], i))

    def benchmark_order(self) -> list[int]:
        """Row indices, best benchmark accuracy first (unknown last)."""
        key = [(-r.benchmark_acc if r.benchmark_acc is not None else math.inf) for r in self.rows]
        return sorted(range(len(self.rows)), key=lambda i: (key[i], i))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"rank": self.rank, "tau": self.tau, "tau_val": self.tau_val, "settings": self.settings,
                "predicted_order": self.predicted_order(), "benchmark_order": self.benchmark_order(),
                "rows": [asdict(r) for r in self.rows]}

    def format_table(self) -> str:
        """Predicted order next to the benchmark order, plus the two Kendall taus."""
        pred, true = self.predicted_order(), self.benchmark_order()
        true_pos = {i: p + 1 for p, i in enumerate(true)}
        label = "pred acc" if self.rank == "capacitance" else "-critic."
        lines = [f"{'#':>3} {'true#':>5} {label:>10} {'val acc':>8} {'bench acc':>9}  cell"]
        for p, i in enumerate(pred):
            r = self.rows[i]
            bench = f"{r.benchmark_acc:9.2f}" if r.benchmark_acc is not None else f"{'?':>9}"
            cell = r.cell if isinstance(r.cell, str) else json.dumps(r.cell)
            lines.append(f"{p + 1:>3} {true_pos[i]:>5} {r.rank_score:10.4g} {r.val_acc:8.2f} {bench}  {cell}")
        fmt = lambda t: "n/a" if t is None else f"{t:+.3f}"  # noqa: E731
        lines.append(f"Kendall tau vs benchmark: {self.rank} {fmt(self.tau)} | brief val acc {fmt(self.tau_val)}")
        return "\n".join(lines)


def benchmark_accuracy(space: str, arch: Any, dataset: str = "cifar10") -> float | None:
    """The benchmark's final test accuracy of ``arch`` (NB201: 200-epoch; DARTS: darts725), or None."""
    from .. import bench

    try:
        if space == "nb201":
            return float(bench.load("nb201").query(arch, dataset, "test-accuracy"))
        return float(bench.load("darts725").query(arch, dataset, "test-accuracy"))
    except (DagFilterError, BenchmarkError, KeyError, ValueError):
        return None


def _fixed_batches(dataset: str, data_dir: Any, split: str, subset: int | None, seed: int,
                   batch_size: int, n_batches: int | None) -> list[tuple[torch.Tensor, torch.Tensor]]:
    from ..data.datasets import build_dataset

    ds = build_dataset(dataset, data_dir, split, augment=False, subset=subset, seed=seed)
    n = len(ds) if n_batches is None else min(len(ds), n_batches * batch_size)
    out = []
    for start in range(0, n, batch_size):
        items = [ds[(0, i)] for i in range(start, min(n, start + batch_size))]
        out.append((torch.stack([x for x, _ in items]), torch.tensor([y for _, y in items], dtype=torch.int64)))
    return out


def train_and_rank(cell: Any, rank: str, run_dir: str | Path, *, epochs: int = 1, data_dir: Any = None,
                   dataset: str = "cifar10", subset: int = 1000, val_subset: int = 500, channels: int = 8,
                   layers: int = 1, batch_size: int = 64, lr: float = 0.05, seed: int = 0,
                   observe_every: int | None = None, beta_batches: int = 2,
                   probe_hidden: Sequence[int] = DEFAULT_HIDDEN, crit_batches: int = 4,
                   crit_kwargs: dict[str, Any] | None = None, progress: bool = True,
                   **train_overrides: Any) -> dict[str, Any]:
    """Train one cell briefly and compute its ranking evidence (resumable; cached in ``run_dir``).

    ``rank="capacitance"`` trains the network with a frozen capacitance probe as its head and
    returns the ``beta_eff -> 0`` predicted accuracy; ``rank="criticality"`` trains the plain
    network and returns the network criticality (plus the rewind-to-init test). Both return
    the final validation accuracy (``val_acc``) of the brief training.

    Returns:
        ``{"space", "cell", "val_acc", "score", ...}`` where ``score`` is higher-is-better
        (predicted accuracy, or minus the network criticality).
    """
    from ..train import build_model, get_protocol, train
    from ..train.cells import cell_to_json, parse_cell_arg

    if rank not in RANKS:
        raise ConfigError(f"rank must be one of {', '.join(RANKS)}, got {rank!r}")
    run_dir = Path(run_dir)
    done = run_dir / "rank.json"
    if done.is_file():
        return json.loads(done.read_text())
    space, arch = parse_cell_arg(cell)
    protocol = "nb201" if space == "nb201" else "darts"
    overrides = dict(epochs=epochs, subset=subset, test_subset=val_subset, channels=channels, layers=layers,
                     batch_size=batch_size, lr=lr, seed=seed)
    if space == "darts":
        overrides.update(auxiliary_weight=0.0, drop_path_prob=0.0, cutout=0)
    overrides.update(train_overrides)
    config = get_protocol(protocol, dataset, **overrides)
    steps_per_epoch = math.ceil(min(subset, 10**9) / batch_size)
    every = observe_every or max(1, steps_per_epoch // 4)
    holder: dict[str, Any] = {}
    beta_data = _fixed_batches(config.dataset, data_dir, config.train_split, config.subset, config.seed,
                               batch_size, beta_batches if rank == "capacitance" else crit_batches)
    val_data = (_fixed_batches(config.dataset, data_dir, config.test_split, config.test_subset, config.seed,
                               batch_size, None) if rank == "capacitance" else [])

    def factory(cfg: Any, num_classes: int) -> torch.nn.Module:
        model = build_model(space, arch, cfg, num_classes)
        if rank == "capacitance":
            attach_probe(model, "classifier", num_classes, probe_hidden, 0.4, True, cfg.seed)
            holder["rec"] = CapacitanceRecorder(model, beta_data, val_data, every, run_dir / "observations.json")
        holder["init"] = copy.deepcopy(model)
        return model

    def callback(event: str, info: dict) -> None:
        if "rec" in holder:
            holder["rec"](event, info)

    run_dir.mkdir(parents=True, exist_ok=True)
    result = train(config, run_dir, factory, data_dir=data_dir, cell_json=cell_to_json(arch), resume=True,
                   device="cpu", progress=progress, callbacks=[callback])
    val_acc = float(result.history[-1]["test_top1"]) if result.history else math.nan
    out: dict[str, Any] = {"space": space, "cell": cell_to_json(arch), "rank": rank, "val_acc": val_acc,
                           "epochs": epochs, "steps": result.global_step}
    model = result.model.cpu()
    if rank == "capacitance":
        rec: CapacitanceRecorder = holder["rec"]
        rec.model = model
        if not rec.observations or rec.observations[-1].step != result.global_step:
            rec.observe(result.global_step)
        predicted, fit = fit_or_nan(rec)
        out.update(score=predicted, predicted_accuracy=predicted, fit=fit.to_dict() if fit else None,
                   observations=[asdict(o) for o in rec.observations])
    else:
        crit = module_criticality(holder["init"], model, beta_data, seed=seed, progress=progress,
                                  **(crit_kwargs or {}))
        rew = rewind_to_init(holder["init"], model, beta_data, modules=[m.name for m in crit.modules])
        out.update(score=-crit.network, network_criticality=crit.network, criticality=crit.to_dict(),
                   rewind=[asdict(r) for r in rew])
    done.write_text(json.dumps(out, indent=1, default=float))
    return out


def funnel(source: Any, k: int = 10, epochs: int = 1, rank: str = "capacitance", *,
           out: str | Path = "runs/funnel", data_dir: Any = None, dataset: str = "cifar10",
           progress: bool = True, **kwargs: Any) -> FunnelResult:
    """Train the top-``k`` cells of a search briefly, rank them, compare with the benchmark.

    Args:
        source: a ``SearchResult``, its JSON path, or a list of cells (see :func:`top_cells`).
        k: number of candidates; epochs: brief-training epochs.
        rank: ``"capacitance"`` (``beta_eff`` extrapolation) or ``"criticality"``.
        out: directory of the per-cell runs (``out/<n>-<rank>/``) and ``funnel-<rank>.json``.
        data_dir: data directory (default: from the environment).
        dataset: training data set (also the benchmark data set looked up).
        progress: progress bars on stderr.
        **kwargs: passed to :func:`train_and_rank` (``subset``, ``val_subset``, ``channels``,
            ``layers``, ``batch_size``, ``lr``, ``seed``, ``observe_every``, ``crit_kwargs``, ...).

    Returns:
        A :class:`FunnelResult` (also written to ``out/funnel-<rank>.json``).
    """
    if rank not in RANKS:
        raise ConfigError(f"rank must be one of {', '.join(RANKS)}, got {rank!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ConfigError(f"epochs must be a positive integer, got {epochs!r}")
    picks = top_cells(source, k)
    out = Path(out)
    rows: list[FunnelRow] = []
    for n, pick in enumerate(picks):
        if progress:
            print(f"[funnel {n + 1}/{len(picks)}] {pick['cell']}", file=sys.stderr)
        rec = train_and_rank(pick["cell"], rank, out / f"{n:03d}-{rank}", epochs=epochs, data_dir=data_dir,
                             dataset=dataset, progress=progress, **kwargs)
        from ..train.cells import parse_cell_arg

        space, arch = parse_cell_arg(rec["cell"] if isinstance(rec["cell"], str) else json.dumps(rec["cell"]))
        score = rec["score"]
        rows.append(FunnelRow(rec["cell"], pick["score"], float(score) if score is not None else math.nan,
                              float(rec["val_acc"]), benchmark_accuracy(space, arch, dataset),
                              {k2: v for k2, v in rec.items() if k2 not in ("cell", "score", "val_acc")}))
    bench_acc = [r.benchmark_acc for r in rows]
    known = [i for i, b in enumerate(bench_acc) if b is not None]
    tau = tau_val = None
    if len(known) >= 2:
        tau = kendall_tau([rows[i].rank_score for i in known], [bench_acc[i] for i in known])
        tau_val = kendall_tau([rows[i].val_acc for i in known], [bench_acc[i] for i in known])
    settings = {"k": k, "epochs": epochs, "dataset": dataset, **{k2: v for k2, v in kwargs.items()}}
    res = FunnelResult(rank, rows, tau, tau_val, settings)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"funnel-{rank}.json").write_text(json.dumps(res.to_dict(), indent=1, default=float))
    return res
