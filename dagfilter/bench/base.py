"""The query interface every benchmark serves, and its table-backed implementation.

The shape follows ``nats_bench`` so searchers written for it port directly:
``query_index_by_arch``, ``find_best(dataset, metric_on_set, flop_max, param_max, hp)``,
``get_more_info``, ``get_cost_info`` and ``simulate_train_eval``. Two differences are on
purpose: ``hp`` defaults to the full schedule (200 epochs for NAS-Bench-201, never silently
12), and every single-figure answer is a :class:`QueryResult` that says which data set, split,
schedule and seed aggregation it is.
"""
from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from ..errors import BenchmarkError, show
from .names import FigureSpec, check_dataset, check_hp

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_TRIAL_PREFERENCE = ("mean", "unspecified", "single")


class QueryResult(NamedTuple):
    """One figure and exactly what it is. ``float(result)`` gives the value."""

    value: float
    index: int
    dataset: str
    metric: str
    hp: int
    trials: str

    def __float__(self) -> float:
        return float(self.value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict."""
        return {k: (float(v) if k == "value" else v) for k, v in self._asdict().items()}


class MissingFigure:
    """A figure the benchmark does not hold, in a place where a number is expected.

    ``simulate_train_eval`` on a table without times returns this for ``latency``, ``time_cost``
    and ``total_time`` instead of ``None``: code that only reads the accuracy runs unchanged, and
    the first use of the missing number (``total += time_cost``, ``used < budget``, ``float(x)``,
    formatting) raises a :class:`~dagfilter.errors.BenchmarkError` that names the figure and how to
    get it, instead of a ``TypeError`` about ``NoneType`` or a silent ``nan``.
    """

    __slots__ = ("what", "how")

    def __init__(self, what: str, how: str) -> None:
        self.what = what
        self.how = how

    def _fail(self, *_: Any) -> Any:
        raise BenchmarkError(f"{self.what} is not in this benchmark: {self.how}")

    __float__ = __int__ = __index__ = __bool__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __neg__ = __abs__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __round__ = _fail

    def __format__(self, spec: str) -> str:
        if spec:
            self._fail()
        return repr(self)

    def __repr__(self) -> str:
        return f"<missing: {self.what}>"


_NO_TIMES = ("the compact table holds accuracies, not training times or latencies; use "
             "dagfilter.bench.create(PATH_TO_OFFICIAL_NATS_BENCH_FILES) for the real figures, or "
             "dagfilter.bench.create('nb201', time_model='flops') for a labelled estimate")


class SimulatedEval(NamedTuple):
    """What ``simulate_train_eval`` returns, in ``nats_bench``'s order.

    Where the table has no timing data, ``latency``, ``time_cost`` and ``total_time`` are
    :class:`MissingFigure` values (never ``None``): reading the accuracy works, using a missing
    time raises a :class:`~dagfilter.errors.BenchmarkError` saying how to get one.
    ``total_time`` is the running sum of ``time_cost`` over this benchmark object's calls.
    """

    accuracy: float
    latency: "float | MissingFigure"
    time_cost: "float | MissingFigure"
    total_time: "float | MissingFigure"


class Benchmark(abc.ABC):
    """Abstract query interface (see the module docstring)."""

    name: str = "benchmark"
    default_hp: int = 200

    @abc.abstractmethod
    def __len__(self) -> int:
        """Number of architectures (rows)."""

    @abc.abstractmethod
    def query_index_by_arch(self, arch: Any) -> int:
        """Row index of an architecture in any accepted encoding; ``-1`` if it is not in the benchmark."""

    @abc.abstractmethod
    def query(self, arch: Any, dataset: str, metric: str = "test-accuracy", hp: "int | str | None" = None,
              seeds: "str | None" = None) -> QueryResult:
        """One figure for one architecture (see :class:`TableBenchmark.query`)."""

    @abc.abstractmethod
    def find_best(self, dataset: str, metric_on_set: str, flop_max: "float | None" = None,
                  param_max: "float | None" = None, hp: "int | str | None" = None) -> tuple[int, float]:
        """``(index, accuracy)`` of the best architecture under optional cost limits."""

    @abc.abstractmethod
    def table(self) -> "pd.DataFrame":
        """Everything as a pandas DataFrame, one row per architecture."""

    @abc.abstractmethod
    def available_figures(self) -> list[FigureSpec]:
        """Every (dataset, split, hp, trials) combination the benchmark holds."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, {len(self)} architectures)"


class TableBenchmark(Benchmark):
    """A benchmark answered from in-memory columns (numpy arrays), one row per architecture.

    ``meta`` describes the columns:

    * ``figures``: ``{column: {"dataset", "split", "hp", "trials"}}`` - accuracy columns (%);
    * ``costs``: ``{head: {"params": column, "flops": column, "latency": column | None}}``
      (params in millions, FLOPs in millions of multiply-adds, latency in seconds);
    * ``cost_head``: ``{dataset: head}``;
    * ``times`` (optional): ``{"<dataset>@<hp>": column}`` - simulated train+eval seconds.
    """

    def __init__(self, name: str, meta: Mapping[str, Any], columns: Mapping[str, np.ndarray],
                 splits: Mapping[str, Sequence[str]]) -> None:
        self.name = name
        self.meta = dict(meta)
        self._cols = dict(columns)
        self._splits = {k: tuple(v) for k, v in splits.items()}
        self._datasets = tuple(self._splits)
        self._n = int(meta.get("num_rows", len(next(iter(columns.values()))) if columns else 0))
        self._figs: dict[tuple[str, str, int], dict[str, str]] = {}
        for col, spec in meta.get("figures", {}).items():
            if col not in self._cols:
                raise BenchmarkError(f"benchmark {show(name)}: figure column {show(col)} is missing from the table")
            key = (spec["dataset"], spec["split"], int(spec["hp"]))
            self._figs.setdefault(key, {})[spec["trials"]] = col
        self._costs: dict[str, dict[str, "str | None"]] = dict(meta.get("costs", {}))
        self._cost_head: dict[str, str] = dict(meta.get("cost_head", {}))
        self._times: dict[str, str] = dict(meta.get("times", {}))
        self._resolved: dict[tuple, tuple[np.ndarray, FigureSpec]] = {}
        self._used_time: "float | None" = None

    # ------------------------------------------------------------------ subclass hooks
    @abc.abstractmethod
    def _row(self, arch: Any) -> int:
        """Row of ``arch`` or -1; raises for malformed input."""

    def _rows(self, archs: Any) -> np.ndarray:
        """Rows of many architectures (an int array is taken as rows)."""
        if isinstance(archs, np.ndarray) and archs.dtype.kind in "iu":
            rows = archs.astype(np.int64, copy=False)
            if rows.size and (rows.min() < 0 or rows.max() >= self._n):
                bad = rows[(rows < 0) | (rows >= self._n)][0]
                raise BenchmarkError(f"{self.name}: index {bad} is outside 0..{self._n - 1}")
            return rows
        rows = np.fromiter((self._row(a) for a in archs), dtype=np.int64)
        if (rows < 0).any():
            pos = int(np.argmax(rows < 0))
            raise BenchmarkError(f"{self.name}: architecture #{pos} of the batch is not in the benchmark")
        return rows

    def _arch_labels(self) -> "dict[str, Any]":
        """Extra columns that name each row's architecture (for :meth:`table`)."""
        return {}

    def _simulate_split(self, dataset: str) -> tuple[str, str]:
        """(dataset, split) that ``simulate_train_eval`` reads; nats_bench's choice for NB201."""
        splits = self._splits[dataset]
        for s in ("x-valid", "valid"):
            if s in splits:
                return dataset, s
        raise BenchmarkError(f"{self.name}: {show(dataset)} has no validation split to simulate training with "
                             f"(splits: {', '.join(splits)}); searchers must not see test figures")

    # ------------------------------------------------------------------ introspection
    @property
    def datasets(self) -> tuple[str, ...]:
        """Data-set names this benchmark knows."""
        return self._datasets

    @property
    def hps(self) -> tuple[int, ...]:
        """Training schedules (epochs) present in the table."""
        return tuple(sorted({k[2] for k in self._figs}))

    def __len__(self) -> int:
        return self._n

    def available_figures(self) -> list[FigureSpec]:
        """Every (dataset, split, hp, trials) combination this table holds."""
        out = [FigureSpec(d, s, h, t) for (d, s, h), by in self._figs.items() for t in by]
        order = {d: i for i, d in enumerate(self._datasets)}
        return sorted(out, key=lambda f: (order.get(f.dataset, 99), f.split, f.hp, f.trials))

    def _describe_available(self, dataset: "str | None" = None) -> str:
        figs = [f for f in self.available_figures() if dataset is None or f.dataset == dataset]
        return "; ".join(f"{f.dataset}/{f.split}/hp={f.hp}/{f.trials}" for f in figs) or "none"

    # ------------------------------------------------------------------ figure lookup
    def _split_of(self, dataset: str, metric: str) -> str:
        from .names import metric_to_split

        return metric_to_split(dataset, metric, self._splits)

    def _figure(self, dataset: str, metric: str, hp: Any, seeds: "str | None") -> tuple[np.ndarray, FigureSpec]:
        key = (dataset, metric, hp, seeds)
        hit = self._resolved.get(key)
        if hit is not None:
            return hit
        ds = check_dataset(dataset, self._datasets)
        split = self._split_of(ds, metric)
        if hp is None:
            h = self.default_hp
            if (ds, split, h) not in self._figs:  # a table with one schedule per split: take it
                only = sorted({k[2] for k in self._figs if k[:2] == (ds, split)})
                h = only[0] if len(only) == 1 else h
        else:
            h = check_hp(hp)
        by = self._figs.get((ds, split, h))
        if not by:
            raise BenchmarkError(
                f"{self.name} has no {ds}/{split} figure at hp={h}; available for {ds}: "
                f"{self._describe_available(ds)}")
        if seeds is None:
            trials = next(t for t in _TRIAL_PREFERENCE if t in by)
        elif seeds in by:
            trials = seeds
        else:
            raise BenchmarkError(
                f"{self.name} has {ds}/{split} at hp={h} only as {', '.join(sorted(by))} figure(s), not {seeds!r}; "
                "pass seeds=None to take what exists")
        out = (self._cols[by[trials]], FigureSpec(ds, split, h, trials))
        self._resolved[key] = out
        return out

    def _must_row(self, arch: Any) -> int:
        row = self._row(arch)
        if row < 0:
            raise BenchmarkError(f"architecture {show(arch)} is not in benchmark {show(self.name)}")
        return row

    # ------------------------------------------------------------------ queries
    def query(self, arch: Any, dataset: str, metric: str = "test-accuracy", hp: "int | str | None" = None,
              seeds: "str | None" = None) -> QueryResult:
        """One accuracy (%) for one architecture.

        Args:
            arch: any encoding the benchmark accepts, or a row index.
            dataset: a data-set name of this benchmark (NAS-Bench-201: ``cifar10-valid``,
                ``cifar10``, ``cifar100``, ``ImageNet16-120``).
            metric: a split (``x-valid``, ``x-test``, ``ori-test``, ``train``) or a
                ``get_more_info`` key (``valid-accuracy``, ``test-accuracy``, ...).
            hp: training epochs; ``None`` means the benchmark's full schedule (200 for NB201).
            seeds: ``None`` takes the mean over seeds where the table has it, else what it has
                (the result's ``trials`` says which); ``"mean"`` / ``"single"`` insist.

        Raises:
            BenchmarkError: the figure is not in the table (the message lists what is), or
            the architecture is not in the benchmark.
        """
        col, spec = self._figure(dataset, metric, hp, seeds)
        row = self._must_row(arch)
        value = col[row]
        if value != value:  # NaN
            raise BenchmarkError(f"{self.name}: no {spec.dataset}/{spec.split}/hp={spec.hp} figure for row {row}")
        return QueryResult(float(value), row, spec.dataset, spec.split, spec.hp, spec.trials)

    def query_many(self, archs: "np.ndarray | Iterable[Any]", dataset: str, metric: str = "test-accuracy",
                   hp: "int | str | None" = None, seeds: "str | None" = None,
                   missing: str = "raise") -> np.ndarray:
        """Vectorized :meth:`query`: an array of accuracies, one per architecture.

        ``archs`` is an integer array of row indices (fastest) or any iterable of encodings.
        ``missing="nan"`` returns NaN for rows without the figure instead of raising.
        The figure's identity (split, hp, trials) is :meth:`figure_spec`.
        """
        col, spec = self._figure(dataset, metric, hp, seeds)
        out = col[self._rows(archs)]
        if missing == "raise":
            if np.isnan(out).any():
                raise BenchmarkError(f"{self.name}: some rows lack the {spec.dataset}/{spec.split}/hp={spec.hp} "
                                     "figure; pass missing='nan' to get NaN for them")
        elif missing != "nan":
            raise BenchmarkError(f"missing must be 'raise' or 'nan', got {show(missing)}")
        return out

    def figure_spec(self, dataset: str, metric: str = "test-accuracy", hp: "int | str | None" = None,
                    seeds: "str | None" = None) -> FigureSpec:
        """Which stored figure a (dataset, metric, hp, seeds) request resolves to."""
        return self._figure(dataset, metric, hp, seeds)[1]

    def _cost_columns(self, dataset: str) -> dict[str, "str | None"]:
        ds = check_dataset(dataset, self._datasets)
        head = self._cost_head.get(ds, ds)
        cols = self._costs.get(head)
        if not cols:
            raise BenchmarkError(f"{self.name} has no cost figures (params/FLOPs) for {ds}")
        return cols

    def get_cost_info(self, arch: Any, dataset: str, hp: "int | str | None" = None) -> dict[str, "float | None"]:
        """``{"params": M, "flops": MFLOPs, "latency": s | None}`` like ``nats_bench``'s ``get_cost_info``.

        Costs do not depend on the schedule; ``hp`` is accepted for signature compatibility.
        """
        row = self._must_row(arch)
        out: dict[str, "float | None"] = {}
        for key, col in self._cost_columns(dataset).items():
            v = None if col is None else float(self._cols[col][row])
            out[key] = None if v is None or v != v else v
        return out

    def get_more_info(self, arch: Any, dataset: str, hp: "int | str | None" = None) -> dict[str, Any]:
        """A ``nats_bench``-style dict: ``valid-accuracy`` / ``test-accuracy`` / ``valtest-accuracy`` /
        ``train-accuracy`` where the table has them, plus ``hp`` and a ``trials`` entry per key.

        Raises BenchmarkError if the table has no figure at all for this data set and hp.
        """
        row = self._must_row(arch)
        ds = check_dataset(dataset, self._datasets)
        h = self.default_hp if hp is None else check_hp(hp)
        out: dict[str, Any] = {"dataset": ds, "hp": h, "index": row}
        for key in ("train-accuracy", "valid-accuracy", "test-accuracy", "valtest-accuracy"):
            try:
                res = self.query(row, ds, key, h)
            except BenchmarkError:
                continue
            out[key] = res.value
            out[f"{key}-trials"] = res.trials
        if not any(k.endswith("accuracy") for k in out):
            raise BenchmarkError(f"{self.name} has no figure for {ds} at hp={h}; available: "
                                 f"{self._describe_available(ds)}")
        return out

    def simulate_train_eval(self, arch: Any, dataset: str, hp: "int | str | None" = None,
                            seeds: "str | None" = None, account_time: bool = True) -> SimulatedEval:
        """"Train" by lookup: the validation accuracy a searcher may see (never a test figure).

        Follows ``nats_bench``: ``cifar10`` is answered from ``cifar10-valid``'s ``x-valid``.
        A table without times gives :class:`MissingFigure` values for the times (never ``None``):
        the accuracy reads as usual, and using a missing time raises a clear ``BenchmarkError``.
        Time-budgeted search loops should use the nats_bench facade :func:`dagfilter.bench.create`
        (real times from official files, or a labelled estimate with ``time_model='flops'``).
        """
        ds = check_dataset(dataset, self._datasets)
        vds, split = self._simulate_split(ds)
        res = self.query(arch, vds, split, hp, seeds)
        latency = self.get_cost_info(res.index, vds).get("latency") if self._costs else None
        tcol = self._times.get(f"{vds}@{res.hp}")
        cost = None
        if tcol is not None:
            v = float(self._cols[tcol][res.index])
            cost = None if v != v else v
        if cost is not None and account_time:
            self._used_time = (self._used_time or 0.0) + cost
        where = f"cell {res.index} on {vds} at hp={res.hp}"
        return SimulatedEval(
            res.value,
            MissingFigure(f"latency of {where}", _NO_TIMES) if latency is None else latency,
            MissingFigure(f"training time of {where}", _NO_TIMES) if cost is None else cost,
            MissingFigure("total simulated training time", _NO_TIMES) if self._used_time is None
            else self._used_time)

    def reset_time(self) -> None:
        """Zero the simulated-time counter of :meth:`simulate_train_eval`."""
        self._used_time = None

    def find_best(self, dataset: str, metric_on_set: str, flop_max: "float | None" = None,
                  param_max: "float | None" = None, hp: "int | str | None" = None) -> tuple[int, float]:
        """``(index, accuracy)`` of the most accurate architecture, as ``nats_bench.find_best``.

        ``flop_max`` (MFLOPs) and ``param_max`` (M) are inclusive limits. Short split names
        ``valid`` / ``test`` are remapped as ``nats_bench`` does.

        Raises:
            BenchmarkError: no figure, or no architecture meets the limits.
        """
        from .names import remap_for_find_best

        ds, metric = remap_for_find_best(dataset, metric_on_set)
        if ds not in self._datasets:  # the nats_bench remapping only applies to NAS-Bench-201 names
            ds, metric = dataset, metric_on_set
        col, spec = self._figure(ds, metric, hp, None)
        ok = ~np.isnan(col)
        if flop_max is not None or param_max is not None:
            costs = self._cost_columns(spec.dataset)
            for key, limit in (("flops", flop_max), ("params", param_max)):
                if limit is None:
                    continue
                if costs.get(key) is None:
                    raise BenchmarkError(f"{self.name} has no {key} figures to apply a limit on")
                ok &= self._cols[costs[key]] <= float(limit)
        if not ok.any():
            raise BenchmarkError(f"{self.name}: no architecture meets flop_max={flop_max}, param_max={param_max}")
        masked = np.where(ok, col, -np.inf)
        best = int(np.argmax(masked))
        return best, float(col[best])

    def table(self) -> "pd.DataFrame":
        """All columns as a DataFrame (one row per architecture, row index = benchmark index)."""
        import pandas as pd

        data: dict[str, Any] = dict(self._arch_labels())
        data.update({k: v for k, v in self._cols.items() if v.ndim == 1 and k not in data})
        return pd.DataFrame(data)


__all__ = ["Benchmark", "TableBenchmark", "QueryResult", "SimulatedEval", "MissingFigure"]
