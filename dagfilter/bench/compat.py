"""A drop-in for ``nats_bench.create(...)`` (topology space) over the shipped table or official files.

>>> from dagfilter import bench
>>> api = bench.create(None, "tss", fast_mode=True, verbose=False)      # shipped table
>>> api = bench.create("/data/NATS-tss-v1_0-3ffb9-simple", "tss")        # official files: every figure real

The object answers the calls the public NATS-Bench search scripts make (AutoDL-Projects'
``exps/NATS-algos``: ``regularized_ea.py``, ``random_wo_share.py``, ``reinforce.py``, ...) with
``nats_bench``'s names, keyword arguments, defaults (``hp="12"``, ``is_random=True``) and return
shapes: ``simulate_train_eval(arch, dataset, iepoch=None, hp="12", account_time=True)`` ->
``(valid_acc, latency, time_cost, total_time)``, ``get_more_info(index, dataset, iepoch=None, hp="12",
is_random=True)``, ``reset_time()``, ``used_time``, ``full_train_epochs``, ``query_index_by_arch``,
``query_info_str_by_arch``, ``query_meta_info_by_index``, ``get_net_config``, ``get_cost_info``,
``get_latency``, ``find_best``, ``arch(i)``, ``random()``, ``meta_archs``, ``len()``. Every call
takes any architecture encoding dagfilter reads (xautodl ``Structure``, NASLib tuples, strings,
indices, ...).

What the compact table lacks, and what you get instead (never ``None`` where a number belongs):

* **Per-trial figures.** The table holds means over seeds (plus one NASLib seed for the 200-epoch
  validation split and one unstated trial at 12 epochs). ``is_random=True`` - nats_bench's default,
  used by ``simulate_train_eval`` - returns the single stored trial where the table has one, else
  the mean; it cannot draw a different trial per call as nats_bench does, so a search sees less
  noise than on the real benchmark. A warning says so once per object; ``info.trials`` names what
  each figure is. An integer ``is_random`` (one seed) needs official files. With official files
  (``create(PATH)``) every draw is a real per-trial draw, from this object's own RNG (``seed=``).
* **Training times, latencies, losses.** Not in the table. Without a time model
  ``simulate_train_eval``, ``get_latency`` and a time key of ``get_more_info`` raise a
  :class:`~dagfilter.errors.BenchmarkError` naming what is missing and how to get it. With
  ``time_model="flops"`` they are a labelled *estimate* (:class:`FlopsTimeModel`; every result
  carries ``estimated=True`` and ``api.time_source`` says ``"estimate: ..."``). Official files
  always give the real figures, and a time model is refused there (no mixing).
* **Epochs.** Only the final epoch of each schedule (``iepoch=None`` or ``hp - 1``).
"""
from __future__ import annotations

import random as _random
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import BenchmarkError, show
from .base import Benchmark, TableBenchmark
from .names import COST_HEAD, check_dataset, check_hp

SIM_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
"""Data sets ``simulate_train_eval`` accepts (as in nats_bench); cifar10 is trained on cifar10-valid."""
TRAIN_IMAGES = {"cifar10-valid": 25_000, "cifar10": 50_000, "cifar100": 50_000, "ImageNet16-120": 151_700}
VALID_IMAGES = {"cifar10-valid": 25_000, "cifar10": 10_000, "cifar100": 5_000, "ImageNet16-120": 3_000}
HOW_TO_GET = ("open official NATS-Bench files instead - dagfilter.bench.create('/path/to/NATS-tss-v1_0-3ffb9-simple') "
              "or bench.from_nats(PATH) - or, for a labelled estimate, dagfilter.bench.create(None, 'tss', "
              "time_model='flops')")


class MissingFigureError(BenchmarkError, KeyError):
    """A ``get_more_info`` / ``get_cost_info`` key the data source does not hold (a KeyError too)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InfoDict(dict):
    """A nats_bench info dict; a missing key raises :class:`MissingFigureError` saying why.

    ``trials`` maps each accuracy key to what it is (``"mean"``, ``"single"``, ``"seed 777"``,
    ...); ``estimated`` lists keys that are estimates, not benchmark figures.
    """

    def __init__(self, *args: Any, why: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trials: dict[str, str] = {}
        self.estimated: set[str] = set()
        self._why = why

    def __missing__(self, key: Any) -> Any:
        raise MissingFigureError(f"{show(key)} is not available here ({self._why}); it holds "
                                 f"{', '.join(sorted(map(str, self)))}")


class CompatEval(tuple):
    """``(valid_acc, latency, time_cost, total_time)`` as nats_bench returns it, plus labels:
    ``trials`` (what the accuracy is) and ``estimated`` (True when the times are an estimate)."""

    trials: str
    estimated: bool
    time_source: str

    def __new__(cls, values: tuple[float, float, float, float], trials: str, estimated: bool,
                time_source: str) -> "CompatEval":
        out = super().__new__(cls, values)
        out.trials, out.estimated, out.time_source = trials, estimated, time_source
        return out

    accuracy = property(lambda self: self[0])
    latency = property(lambda self: self[1])
    time_cost = property(lambda self: self[2])
    total_time = property(lambda self: self[3])


@dataclass(frozen=True)
class FlopsTimeModel:
    """Estimated seconds, affine in the network's FLOPs and linear in the images processed.

    Train seconds per epoch = ``(intercept + slope * MFLOPs) * train_images / 50,000``; one pass over
    the validation images costs ``eval_ratio`` of training on as many images; latency is one forward
    batch of 256 images at that rate. The defaults are fitted to the two per-epoch training times
    published for NATS-Bench topology cells that we found: index 284 (11.7 MFLOPs) 9.75 s/epoch
    (NATS-Bench issue #4, which does not name the data set; we take CIFAR-10 train+valid, 50,000
    images, the setting the same user queried index 284 in in issue #2), and a CIFAR-10 (50,000 images)
    94.26 %-accurate cell, 28.80 s/epoch with 1.82 s per pass over the 10,000 test images (issue
    #54; its index is not given: we take the median FLOPs, 121.8 M, of the 20 cells within 0.15
    points of that accuracy; their FLOPs range 90-185 M gives 23.3-39.7 s). ``eval_ratio`` = (1.82 /
    10,000) / (28.80 / 50,000) = 0.316 from the same issue. It is an estimate of one machine's
    times (NATS-Bench's own); ``docs/results/integrations.md`` states its use and limits.
    """

    intercept: float = 7.723
    slope: float = 0.1730
    eval_ratio: float = 0.316
    name: str = "flops"

    def per_image(self, mflops: float) -> float:
        return (self.intercept + self.slope * float(mflops)) / 50_000

    def train_time(self, mflops: float, dataset: str, epochs: int) -> float:
        return self.per_image(mflops) * TRAIN_IMAGES[dataset] * epochs

    def eval_time(self, mflops: float, dataset: str) -> float:
        return self.per_image(mflops) * self.eval_ratio * VALID_IMAGES[dataset]

    def latency(self, mflops: float) -> float:
        return self.per_image(mflops) * self.eval_ratio * 256

    def describe(self) -> str:
        if self.slope == 0:
            return (f"estimate: flat time model ({self.intercept:g} s per epoch of 50k images for every cell; "
                    f"eval {self.eval_ratio:g}x) - FLOPs ignored")
        return (f"estimate: FLOPs-proportional time model ({self.intercept:g} s + {self.slope:g} s/MFLOP per "
                f"epoch of 50k images; eval {self.eval_ratio:g}x), fitted to published NATS-Bench per-epoch times")


class _TableMeta:
    """What ``query_meta_info_by_index`` returns from the table: the parts of nats_bench's
    ``ArchResults`` that the table can answer (``get_metrics``, ``get_compute_costs``,
    ``get_dataset_names``, ``arch_index``, ``arch_str``)."""

    def __init__(self, api: "NatsCompat", index: int, hp: int) -> None:
        self._api, self.arch_index, self.hp = api, index, hp
        self.arch_str = api.arch(index)

    def get_dataset_names(self) -> list[str]:
        return list(self._api._bench.datasets)

    def get_compute_costs(self, dataset: str) -> InfoDict:
        return self._api.get_cost_info(self.arch_index, dataset, hp=self.hp)

    def get_metrics(self, dataset: str, setname: str, iepoch: Any = None, is_random: Any = False) -> InfoDict:
        self._api._check_epoch(iepoch, self.hp)
        ds = check_dataset(dataset, self._api._bench.datasets)
        r = self._api._bench.query(self.arch_index, ds, setname, self.hp, self._api._trials_for(ds, setname, self.hp, is_random))
        out = InfoDict(iepoch=self.hp - 1, accuracy=r.value, why="the compact table holds final accuracies only")
        out.trials["accuracy"] = r.trials
        return out

    def __repr__(self) -> str:
        return f"TableArchResults(arch-index={self.arch_index}, hp={self.hp}, {self.arch_str})"


class NatsCompat:
    """The ``nats_bench`` topology API over a dagfilter benchmark (see the module docstring)."""

    search_space_name = "topology"

    def __init__(self, backend: Benchmark, time_model: "FlopsTimeModel | str | Callable[..., float] | None" = None,
                 seed: "int | None" = None, fast_mode: bool = True, verbose: bool = False) -> None:
        from .official import NatsBenchmark

        if not isinstance(backend, (TableBenchmark, NatsBenchmark)) or len(backend) != 15_625:
            raise BenchmarkError(f"the nats_bench facade serves the NAS-Bench-201 / NATS-Bench topology space; got {show(backend)}")
        self._bench = backend
        self._official = isinstance(backend, NatsBenchmark)
        if time_model is not None and self._official:
            raise BenchmarkError("official NATS-Bench files carry real times; a time_model (estimate) is not mixed with them")
        if time_model == "flops":
            time_model = FlopsTimeModel()
        elif time_model is not None and not isinstance(time_model, FlopsTimeModel):
            raise BenchmarkError(f"time_model must be None, 'flops' or a FlopsTimeModel, got {show(time_model)}")
        self._time_model = time_model
        self._rng: Any = _random if seed is None else _random.Random(seed)
        self._fast_mode, self.verbose = bool(fast_mode), bool(verbose)
        self._used_time = 0.0
        self._warned = False

    # ------------------------------------------------------------------ nats_bench attributes
    def __len__(self) -> int:
        return 15_625

    def __repr__(self) -> str:
        return f"NatsCompat({self.source}, {self.time_source})"

    @property
    def source(self) -> str:
        """Where the figures come from."""
        return "official NATS-Bench files" if self._official else "dagfilter's shipped NAS-Bench-201 table"

    @property
    def time_source(self) -> str:
        """``"official"``, ``"estimate: ..."`` or ``"none"`` (time calls raise)."""
        if self._official:
            return "official"
        return self._time_model.describe() if self._time_model is not None else "none"

    @property
    def meta_archs(self) -> list[str]:
        """The 15,625 architecture strings in index order."""
        if self._official:
            return list(self._bench.api.meta_archs)
        strings = self._bench._strings()  # type: ignore[attr-defined]
        out = [""] * len(strings)
        for s, i in strings.items():
            out[i] = s
        return out

    @property
    def archstr2index(self) -> dict[str, int]:
        return dict(self._bench._strings()) if not self._official else dict(self._bench.api.archstr2index)  # type: ignore[attr-defined]

    @property
    def evaluated_indexes(self) -> list[int]:
        return list(range(15_625)) if not self._official else self._bench.available_indices()

    @property
    def used_time(self) -> float:
        """Seconds charged by ``simulate_train_eval`` since the last :meth:`reset_time`."""
        return self._used_time

    @property
    def full_train_epochs(self) -> int:
        return 200

    @property
    def avaliable_hps(self) -> list[str]:  # nats_bench's spelling
        return ["12", "200"]

    available_hps = avaliable_hps

    @property
    def fast_mode(self) -> bool:
        return self._fast_mode

    @property
    def archive_dir(self) -> "str | None":
        return getattr(self._bench.api, "archive_dir", None) if self._official else None

    def reset_time(self) -> None:
        """Zero :attr:`used_time`."""
        self._used_time = 0.0

    def __getitem__(self, index: int) -> str:
        return self.arch(index)

    def arch(self, index: int) -> str:
        """The architecture string of ``index``."""
        if self._official:
            idx = self._bench.query_index_by_arch(index)
            return str(self._bench.api.meta_archs[idx])
        return self._bench.arch(index)  # type: ignore[attr-defined]

    def random(self) -> int:
        """A uniformly random index (this object's RNG: ``seed=`` of :func:`create`, else ``random``)."""
        return self._rng.randint(0, 15_624)

    def query_index_by_arch(self, arch: Any) -> int:
        """Index of ``arch`` in any encoding (``-1`` if it is not a topology-space cell string)."""
        return self._bench.query_index_by_arch(arch)

    def _index(self, arch: Any) -> int:
        idx = self.query_index_by_arch(arch)
        if idx < 0:
            raise BenchmarkError(f"architecture {show(arch)} is not in the NATS-Bench topology space")
        return idx

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _hp(hp: Any) -> int:
        h = check_hp(hp)
        if h not in (12, 200):
            raise BenchmarkError(f"the topology space has hp='12' and hp='200' only, got {show(hp)}")
        return h

    @staticmethod
    def _check_epoch(iepoch: Any, hp: int) -> None:
        if iepoch is None or (isinstance(iepoch, (int, np.integer)) and not isinstance(iepoch, bool)
                              and int(iepoch) in (hp - 1, -1)):
            return
        raise BenchmarkError(f"iepoch={show(iepoch)}: the compact table holds the final epoch only ({hp - 1} of hp={hp}); "
                             f"pass iepoch=None, or {HOW_TO_GET.split(' - or,')[0]}")

    def _trials_for(self, ds: str, split: str, hp: int, is_random: Any) -> "str | None":
        if isinstance(is_random, (bool, np.bool_)) or is_random is None:
            if not is_random:
                return None  # mean where it exists
            from .names import metric_to_split

            by = self._bench._figs.get((ds, metric_to_split(ds, split), hp), {})  # type: ignore[attr-defined]
            if "single" in by:
                return "single"
            if not self._warned:
                self._warned = True
                warnings.warn("dagfilter's compact NAS-Bench-201 table holds means (and single stored trials), not "
                              "every trial: is_random=True cannot draw a different training trial per call as nats_bench "
                              "does; open official files with bench.create(PATH) for per-trial draws", stacklevel=4)
            return None
        raise BenchmarkError(f"is_random={show(is_random)} names one training seed; the compact table holds no per-seed "
                             f"figures - {HOW_TO_GET.split(' - or,')[0]}")

    def _flops(self, idx: int, dataset: str) -> float:
        cols = self.__dict__.setdefault("_flops_cols", {})
        col = cols.get(dataset)
        if col is None:
            name = self._bench._cost_columns(COST_HEAD.get(dataset, dataset))["flops"]  # type: ignore[attr-defined]
            col = cols[dataset] = self._bench._cols[name]  # type: ignore[attr-defined]
        return float(col[idx])

    def _no_time(self, what: str) -> BenchmarkError:
        return BenchmarkError(f"{what}: dagfilter's shipped NAS-Bench-201 table has accuracies only, no training times or "
                              f"latencies; {HOW_TO_GET}")

    # ------------------------------------------------------------------ queries
    def get_more_info(self, index: Any, dataset: str, iepoch: Any = None, hp: Any = "12",
                      is_random: Any = True) -> InfoDict:
        """nats_bench's info dict for one architecture (keys ``train-accuracy``, ``valid-accuracy``,
        ``test-accuracy``, ``valtest-accuracy``, losses and times where the source has them)."""
        idx = self._index(index)
        h = self._hp(hp)
        if self._official:
            return self._official_info(idx, dataset, iepoch, h, is_random)
        self._check_epoch(iepoch, h)
        ds = check_dataset(dataset, self._bench.datasets)  # type: ignore[attr-defined]
        if not (is_random is None or isinstance(is_random, (bool, np.bool_))):
            self._trials_for(ds, "x-valid", h, is_random)  # raises: one seed needs official files
        why = ("the compact table holds final accuracies only" if self._time_model is None
               else "the compact table holds final accuracies; times are estimates")
        out = InfoDict(why=why)
        plan, comment = self._info_plan(ds, h, is_random)
        for key, col, trials in plan:
            value = col[idx]
            if value == value:  # NaN: the table lacks this cell's figure
                out[key] = float(value)
                out.trials[key] = trials
        if self._time_model is not None:
            f = self._flops(idx, ds)
            train = self._time_model.train_time(f, ds, h)
            out.update({"train-all-time": train, "train-per-time": train / h,
                        "valid-per-time": self._time_model.eval_time(f, ds)})
            out["valid-all-time"] = out["valid-per-time"] * h
            out.estimated |= {"train-all-time", "train-per-time", "valid-per-time", "valid-all-time"}
        out["comment"] = comment
        return out

    def _info_plan(self, ds: str, h: int, is_random: Any) -> tuple[list, str]:
        """[(key, column, trials)] that ``get_more_info`` reads for (data set, hp, is_random), and its comment."""
        mode = None if is_random is None else bool(is_random)
        cache = self.__dict__.setdefault("_plans", {})
        hit = cache.get((ds, h, mode))
        if hit is not None:
            if mode and any(t != "single" for _, _, t in hit[0]):
                self._trials_for(ds, "x-valid", h, True)  # the warning, once per object
            return hit
        keys = {"cifar10-valid": (("valid-accuracy", "x-valid"), ("test-accuracy", "ori-test")),
                "cifar10": (("test-accuracy", "ori-test"),)}.get(
            ds, (("test-accuracy", "x-test"), ("valid-accuracy", "x-valid"), ("valtest-accuracy", "ori-test")))
        plan = []
        for key, split in keys:
            try:
                col, spec = self._bench._figure(ds, split, h, self._trials_for(ds, split, h, mode))  # type: ignore[attr-defined]
            except BenchmarkError:
                continue
            plan.append((key, col, spec.trials))
        comment = (f"{self.source}, hp={h}, final epoch; accuracies: " + ", ".join(f"{k} {t}" for k, _, t in plan)
                   + (f"; times: {self._time_model.describe()}" if self._time_model is not None else ""))
        cache[(ds, h, mode)] = (plan, comment)
        return plan, comment

    def _official_info(self, idx: int, dataset: str, iepoch: Any, h: int, is_random: Any) -> InfoDict:
        api = self._bench.api
        ds = check_dataset(dataset)
        from . import official

        prepare = getattr(official, "_prepare_safely", None)  # the restricted unpickler, where this version has it
        if prepare is not None:
            prepare(api, idx)
        if isinstance(is_random, (bool, np.bool_)) and is_random:
            api._prepare_info(idx)
            seeds = api.arch2infos_dict[idx][str(h)].get_dataset_seeds(ds)
            is_random = self._rng.choice(sorted(seeds))
        try:
            raw = api.get_more_info(idx, ds, iepoch=iepoch, hp=str(h), is_random=is_random)
        except (KeyError, ValueError, AssertionError, FileNotFoundError) as exc:
            raise BenchmarkError(f"the official files have no {ds} results for index {idx} at hp={h}"
                                 f"{'' if iepoch is None else f', iepoch={iepoch}'}: {exc}") from None
        out = InfoDict({k: v for k, v in raw.items() if v is not None},
                       why=f"the official files give no value for it at index {idx}, hp={h}")
        for k in out:
            if k.endswith("accuracy"):
                out.trials[k] = "mean" if is_random is False else f"seed {is_random}"
        return out

    def simulate_train_eval(self, arch: Any, dataset: str, iepoch: Any = None, hp: Any = "12",
                            account_time: bool = True) -> CompatEval:
        """"Train" ``arch``: ``(valid_acc, latency, time_cost, total_time)`` as nats_bench returns it.

        cifar10 is answered from cifar10-valid's validation split; the others from ``x-valid``
        (ImageNet16-120 / cifar100 fall back to ``valtest`` as nats_bench does). ``time_cost`` is
        train-all-time + valid-per-time and is added to :attr:`used_time` unless ``account_time``
        is False.

        Raises:
            BenchmarkError: unknown data set; no time source (the shipped table without a time model).
        """
        if dataset not in SIM_DATASETS:
            raise BenchmarkError(f"simulate_train_eval trains on {', '.join(SIM_DATASETS)} (cifar10 means cifar10-valid), "
                                 f"not {show(dataset)}")
        idx = self._index(arch)
        if not self._official and self._time_model is None:
            raise self._no_time("simulate_train_eval needs a training time")
        ds = "cifar10-valid" if dataset == "cifar10" else dataset
        info = self.get_more_info(idx, ds, iepoch=iepoch, hp=hp, is_random=True)
        key = "valid-accuracy" if "valid-accuracy" in info else "valtest-accuracy"
        acc = info[key]
        per = info["valid-per-time"] if "valid-per-time" in info else self.get_more_info(
            idx, ds, iepoch=None, hp=hp, is_random=True)["valid-per-time"]
        cost = float(info["train-all-time"]) + float(per)
        latency = (self._time_model.latency(self._flops(idx, ds)) if not self._official  # type: ignore[union-attr]
                   else self.get_latency(idx, dataset, hp=hp))
        if account_time:
            self._used_time += cost
        return CompatEval((float(acc), float(latency), cost, float(self._used_time)), info.trials.get(key, "?"),
                          not self._official, self.time_source)

    def get_cost_info(self, index: Any, dataset: str, hp: Any = "12") -> InfoDict:
        """``flops`` (M), ``params`` (M), ``latency`` (s) and the ``T-*`` time entries where the source has them."""
        idx = self._index(index)
        h = self._hp(hp)
        if self._official:
            raw = self._bench.get_cost_info(idx, dataset, hp=h)
            return InfoDict({k: v for k, v in raw.items() if v is not None},
                            why=f"the official files give no value for it at index {idx}, hp={h}")
        ds = check_dataset(dataset, self._bench.datasets)  # type: ignore[attr-defined]
        cost = self._bench.get_cost_info(idx, COST_HEAD.get(ds, ds))
        out = InfoDict({k: v for k, v in cost.items() if v is not None},
                       why="the compact table has params and FLOPs only" + (
                           "" if self._time_model is None else "; latency and times are estimates"))
        if self._time_model is not None:
            f = float(cost["flops"])  # type: ignore[arg-type]
            tm = self._time_model
            out.update({"latency": tm.latency(f), "T-train@epoch": tm.train_time(f, ds, 1),
                        "T-train@total": tm.train_time(f, ds, h), "T-ori-test@epoch": tm.eval_time(f, ds),
                        "T-ori-test@total": tm.eval_time(f, ds) * h})
            out.estimated |= {"latency", "T-train@epoch", "T-train@total", "T-ori-test@epoch", "T-ori-test@total"}
        return out

    def get_latency(self, index: Any, dataset: str, hp: Any = "12") -> float:
        """Inference latency (s, batch of 256) - official, or the time model's estimate."""
        if not self._official and self._time_model is None:
            raise self._no_time("get_latency")
        ds = "cifar10-valid" if dataset == "cifar10" and not self._official else dataset
        value = self.get_cost_info(index, ds, hp)["latency"]
        return float(value)

    def query_meta_info_by_index(self, arch_index: Any, hp: Any = "12") -> Any:
        """nats_bench's ``ArchResults`` (official files) or the table's equivalent (:class:`_TableMeta`)."""
        idx = self._index(arch_index)
        h = self._hp(hp)
        if self._official:
            return self._bench.api.query_meta_info_by_index(idx, hp=str(h))
        return _TableMeta(self, idx, h)

    def query_info_str_by_arch(self, arch: Any, hp: Any = "12") -> str:
        """A readable summary of ``arch`` at ``hp`` on every data set (mean accuracies)."""
        idx = self._index(arch)
        h = self._hp(hp)
        if self._official:
            return str(self._bench.api.query_info_str_by_arch(idx, hp=str(h)))
        lines = [f"arch-index={idx:5d}, arch={self.arch(idx)}  [{self.source}, hp={h}]"]
        for ds in self._bench.datasets:  # type: ignore[attr-defined]
            info = self.get_more_info(idx, ds, hp=h, is_random=False)
            figs = ", ".join(f"{k}={info[k]:.2f}% ({info.trials[k]})" for k in info.trials)
            cost = self._bench.get_cost_info(idx, COST_HEAD[ds])
            lines.append(f"  {ds:14s} FLOP={cost['flops']:6.2f} M, Params={cost['params']:.3f} MB; {figs}")
        return "\n".join(lines)

    query_by_arch = query_info_str_by_arch

    def get_net_config(self, index: Any, dataset: str) -> dict[str, Any]:
        """The network config nats_bench returns (``infer.tiny``, C=16, N=5, the cell string, classes)."""
        idx = self._index(index)
        if self._official:
            return dict(self._bench.api.get_net_config(idx, dataset))
        ds = check_dataset(dataset, self._bench.datasets)  # type: ignore[attr-defined]
        classes = {"cifar10-valid": 10, "cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}[ds]
        return {"name": "infer.tiny", "C": 16, "N": 5, "arch_str": self.arch(idx), "num_classes": classes}

    def find_best(self, dataset: str, metric_on_set: str, flop_max: "float | None" = None,
                  param_max: "float | None" = None, hp: Any = "12", enforce_all: Any = None) -> tuple[int, float]:
        """``(index, accuracy)`` of the best architecture (mean figures), as nats_bench's ``find_best``."""
        return self._bench.find_best(dataset, metric_on_set, flop_max, param_max, hp=self._hp(hp))

    def get_net_param(self, index: Any, dataset: str, seed: Any, hp: Any = "12") -> Any:
        """Trained weights: official full-mode files only."""
        if self._official:
            return self._bench.api.get_net_param(self._index(index), dataset, seed, hp=str(self._hp(hp)))
        raise BenchmarkError("trained weights are not in dagfilter's table; they are in the official NATS-Bench "
                             "full-mode files (nats_bench.create(PATH, 'tss', fast_mode=False))")

    def clear_params(self, index: int, hp: Any = None) -> None:
        """No-op on the table (it holds no weights); official files: nats_bench's ``clear_params``."""
        if self._official:
            self._bench.api.clear_params(index, hp)


def create(file_path_or_dict: Any = None, search_space: str = "tss", fast_mode: bool = True, verbose: bool = False,
           *, time_model: "FlopsTimeModel | str | None" = None, seed: "int | None" = None) -> NatsCompat:
    """``nats_bench.create`` for the topology space, served by dagfilter.

    Args:
        file_path_or_dict: ``None`` - dagfilter's shipped table (nats_bench would read
            ``$TORCH_HOME``; dagfilter never looks there silently); a path of official files
            (fast-mode folder or ``.pickle.pbz2``); a ``nats_bench`` / ``nas_201_api`` API object; or
            a dagfilter NAS-Bench-201 benchmark (``bench.load("nb201")``, ``bench.from_nats(...)``).
        search_space: ``"tss"`` / ``"topology"`` (the size space is not shipped).
        fast_mode, verbose: accepted as in nats_bench (``fast_mode`` is used when opening a path).
        time_model: ``None`` (time calls raise on the table) or ``"flops"`` (labelled estimate,
            :class:`FlopsTimeModel`); refused with official files.
        seed: seeds ``random()`` and the per-trial draws; ``None`` uses Python's global ``random``
            as nats_bench does.
    """
    if search_space not in ("tss", "topology"):
        raise BenchmarkError(f"search space {show(search_space)} is not available: dagfilter serves the topology "
                             "space ('tss') only")
    from .nb201 import NB201Benchmark
    from .official import from_nats

    if file_path_or_dict is None:
        from . import load

        backend: Benchmark = load("nb201")
    elif isinstance(file_path_or_dict, (NB201Benchmark,)) or type(file_path_or_dict).__name__ == "NatsBenchmark":
        backend = file_path_or_dict
    elif isinstance(file_path_or_dict, Mapping):
        raise BenchmarkError("a dict of official data: pass the nats_bench API object or the file path instead")
    else:
        kwargs = {"fast_mode": fast_mode} if not hasattr(file_path_or_dict, "get_more_info") else {}
        backend = from_nats(file_path_or_dict, **kwargs)
    return NatsCompat(backend, time_model=time_model, seed=seed, fast_mode=fast_mode, verbose=verbose)


__all__ = ["create", "NatsCompat", "FlopsTimeModel", "InfoDict", "CompatEval", "MissingFigureError", "SIM_DATASETS"]
