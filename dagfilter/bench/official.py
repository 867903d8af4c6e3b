"""Adapters over the official NAS-Bench-201 / NATS-Bench files, and the import into a compact table.

:func:`from_nats` accepts a ``nats_bench`` topology API object (``nats_bench.create(path, 'tss',
fast_mode=True)``), a legacy ``nas_201_api.NASBench201API``, or a path (a fast-mode folder of
per-architecture ``<index>.pickle.pbz2`` files plus ``meta.pickle.pbz2``, or a single
``.pickle.pbz2`` benchmark file), and serves the same query API as the shipped table - with
losses, times and latencies where the official files have them. Figures are means over seeds
(``is_random=False``) unless ``seeds=`` names one seed.

:func:`import_nats_table` rebuilds the compact ``nb201`` table from official files (slow on the
full benchmark: every architecture file is read; progress bar, checkpointed, resumable).
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..cell import Cell
from ..encodings import nb201 as enc
from ..errors import BenchmarkError, DataError
from .base import Benchmark, MissingFigure, QueryResult, SimulatedEval
from .names import NB201_DATASETS, SPLITS, FigureSpec, check_dataset, check_hp, metric_to_split, remap_for_find_best

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PICKLE_EXT = ".pickle.pbz2"


def _info_key(dataset: str, split: str) -> str:
    """The ``get_more_info`` key that holds ``split`` of ``dataset``."""
    if split == "train":
        return "train-accuracy"
    if split == "x-valid":
        return "valid-accuracy"
    if split == "x-test":
        return "test-accuracy"
    # ori-test: the test set on the CIFAR-10 data sets, valid+test elsewhere
    return "test-accuracy" if dataset in ("cifar10", "cifar10-valid") else "valtest-accuracy"


_WEIGHTS_ADVICE = ("Official archives that hold network weights (torch tensors: the '-full' releases) are not "
                   "read; use the weight-free '-simple' folder or file.")


def read_nats_pickle(path: "str | os.PathLike[str]") -> Any:
    """One bz2-compressed official NATS-Bench pickle (``*.pickle.pbz2``), read by dagfilter's
    restricted unpickler (:mod:`dagfilter.safepickle`, allow-list
    :data:`~dagfilter.safepickle.NATS_GLOBALS`) so the file cannot run code: a refused global is a
    :class:`BenchmarkError` naming the file and the global, before ``nats_bench`` sees anything."""
    import bz2

    from ..safepickle import NATS_GLOBALS, restricted_load

    path = Path(path)
    try:
        fh = bz2.BZ2File(path, "rb")
    except OSError as exc:
        raise BenchmarkError(f"official benchmark file {str(path)!r} cannot be opened: {exc.strerror or exc}") from None
    with fh:
        return restricted_load(fh, path, NATS_GLOBALS, "official benchmark file", "a NATS-Bench topology file",
                               BenchmarkError, advice={"torch": _WEIGHTS_ADVICE})


def _check_meta_archs(obj: Any, path: Path) -> list[str]:
    if not isinstance(obj, dict):
        raise BenchmarkError(f"official benchmark file {str(path)!r} holds a {type(obj).__name__}, expected a dict "
                             "with 'meta_archs'")
    archs = obj.get("meta_archs")
    if not isinstance(archs, (list, tuple)) or not all(isinstance(a, str) for a in archs):
        raise BenchmarkError(f"official benchmark file {str(path)!r}: 'meta_archs' must be a list of architecture "
                             f"strings, got {type(archs).__name__}")
    return list(archs)


def _arch_file(root: Path, idx: int) -> Path:
    for name in (f"{idx:06d}{PICKLE_EXT}", f"{idx:d}{PICKLE_EXT}"):
        if (root / name).is_file():
            return root / name
    raise BenchmarkError(f"the official folder {str(root)!r} has no file for index {idx} "
                         f"({idx:06d}{PICKLE_EXT})")


def _load_arch_results(api: Any, root: Path, idx: int) -> None:
    """Read ``<root>/<idx>.pickle.pbz2`` safely into ``api.arch2infos_dict[idx]`` (what
    ``nats_bench``'s own ``reload`` does, with the restricted unpickler)."""
    if isinstance(idx, bool) or not isinstance(idx, int) or not 0 <= idx < len(api.meta_archs):
        raise BenchmarkError(f"index {idx!r} is outside 0..{len(api.meta_archs) - 1}")
    path = _arch_file(root, idx)
    _add_arch_results(api, idx, read_nats_pickle(path), path)
    api.evaluated_indexes.add(idx)


def _add_arch_results(api: Any, idx: Any, data: Any, path: Path) -> None:
    """``api.arch2infos_dict[idx]`` from one architecture's ``{hp: ArchResults state dict}``, as
    ``nats_bench`` builds it (its ``ArchResults.create_from_state_dict``), malformed data a
    :class:`BenchmarkError`."""
    import collections

    from nats_bench.api_utils import ArchResults

    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise BenchmarkError(f"official benchmark file {str(path)!r} holds a {type(data).__name__} for index "
                             f"{idx!r}, expected a dict of per-hp result dicts")
    hp2res = collections.OrderedDict()
    try:
        for hp_key, results in data.items():
            hp2res[hp_key] = ArchResults.create_from_state_dict(results)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise BenchmarkError(f"official benchmark file {str(path)!r} is malformed at index {idx!r}: {exc}") from None
    api._avaliable_hps.update(hp2res)
    api.arch2infos_dict[idx] = hp2res


def _prepare_safely(api: Any, idx: int) -> None:
    """Read index ``idx``'s file of a fast-mode API object with the restricted unpickler before
    ``nats_bench`` would read it with plain pickle (also for API objects the caller built)."""
    cached = getattr(api, "arch2infos_dict", None)
    root = getattr(api, "archive_dir", None)
    if getattr(api, "fast_mode", False) and root and isinstance(cached, dict) and idx not in cached:
        _load_arch_results(api, Path(root), idx)


def _safe_api(data: dict, fast: bool) -> Any:
    """A ``nats_bench`` topology API built from already (safely) loaded data; its per-architecture
    files (fast mode) are read by :func:`_load_arch_results`, never by ``pickle.load``."""
    from nats_bench.api_topology import NATStopology

    class SafeNATStopology(NATStopology):
        """``NATStopology`` whose ``reload`` reads files with dagfilter's restricted unpickler."""

        def reload(self, archive_root: Any = None, index: Any = None) -> None:
            root = archive_root if archive_root is not None else self.archive_dir
            if root is None or not os.path.isdir(root):
                raise BenchmarkError(f"invalid NATS-Bench archive folder {root!r}")
            for idx in (range(len(self.meta_archs)) if index is None else [index]):
                _load_arch_results(self, Path(root), idx)

    return SafeNATStopology(data, fast_mode=fast, verbose=False)


def _open_path(path: Path, fast_mode: "bool | None") -> Any:
    try:
        import nats_bench  # noqa: F401 - only to say it is missing
    except ImportError:  # pragma: no cover - optional dependency
        raise BenchmarkError("reading official NATS-Bench files needs the 'nats_bench' package "
                             "(pip install 'dagfilter[official]')") from None
    if not path.exists():
        raise BenchmarkError(f"official benchmark path {str(path)!r} does not exist")
    fast = path.is_dir() if fast_mode is None else bool(fast_mode)
    if fast != path.is_dir():
        raise BenchmarkError(f"fast_mode={fast_mode} needs a {'folder' if fast else 'file'}, but {str(path)!r} is "
                             f"a {'folder' if path.is_dir() else 'file'}")
    try:
        if fast:
            meta_path = path / f"meta{PICKLE_EXT}"
            if not meta_path.is_file():
                raise BenchmarkError(f"{str(path)!r} is not a NATS-Bench fast-mode folder (no meta{PICKLE_EXT})")
            archs = _check_meta_archs(read_nats_pickle(meta_path), meta_path)
            api = _safe_api({"meta_archs": archs, "arch2infos": {}, "evaluated_indexes": []}, fast=True)
            api.reset_archive_dir(str(path))
        else:
            data = read_nats_pickle(path)
            _check_meta_archs(data, path)
            for key, kind in (("arch2infos", dict), ("evaluated_indexes", (list, tuple, set, frozenset))):
                if not isinstance(data.get(key), kind):
                    raise BenchmarkError(f"official benchmark file {str(path)!r}: {key!r} is "
                                         f"{type(data.get(key)).__name__}, not a {getattr(kind, '__name__', 'list')}")
            # built as nats_bench does from a dict, without its deep copy of the whole file
            api = _safe_api({"meta_archs": data["meta_archs"], "arch2infos": {}, "evaluated_indexes": []}, fast=False)
            for idx in sorted(data["arch2infos"]):
                _add_arch_results(api, idx, data["arch2infos"][idx], path)
            api.evaluated_indexes = set(data["evaluated_indexes"])
    except BenchmarkError:
        raise
    except (ValueError, OSError, EOFError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise BenchmarkError(f"nats_bench could not open {str(path)!r}: {type(exc).__name__}: {exc}") from None
    api.filename = path.name
    return api


class NatsBenchmark(Benchmark):
    """The query API over an official ``nats_bench`` / ``nas_201_api`` object."""

    name = "nb201-official"
    default_hp = 200

    def __init__(self, api: Any) -> None:
        for attr in ("get_more_info", "query_index_by_arch", "meta_archs"):
            if not hasattr(api, attr):
                raise BenchmarkError(f"{type(api).__name__} is not a NATS-Bench / NAS-Bench-201 API object "
                                     f"(no {attr!r})")
        self.api = api
        self._archive = Path(api.archive_dir) if getattr(api, "archive_dir", None) else None

    def __len__(self) -> int:
        return len(self.api.meta_archs)

    # ------------------------------------------------------------------ arch -> index
    def query_index_by_arch(self, arch: Any) -> int:
        """Official index of ``arch`` (any encoding); ``-1`` if the official files do not list it."""
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, (bool, np.bool_)):
            if not 0 <= int(arch) < len(self):
                raise BenchmarkError(f"index {arch} is outside 0..{len(self) - 1}")
            return int(arch)
        if not isinstance(arch, Cell):
            from ..encodings.parse import parse_arch

            arch = parse_arch(arch)
        if not isinstance(arch, Cell) or not arch.is_nb201():
            return -1
        return int(self.api.archstr2index.get(arch.to_nb201_str(), -1))

    def _must(self, arch: Any) -> int:
        idx = self.query_index_by_arch(arch)
        if idx < 0:
            raise BenchmarkError(f"architecture {arch!r} is not in the official benchmark files")
        _prepare_safely(self.api, idx)
        return idx

    def available_indices(self) -> list[int]:
        """Indices with results: files in the fast-mode folder, else the loaded ones."""
        if self._archive is not None and self._archive.is_dir():
            out = []
            for f in self._archive.glob(f"*{PICKLE_EXT}"):
                stem = f.name[: -len(PICKLE_EXT)]
                if stem.isdecimal():
                    out.append(int(stem))
            return sorted(set(out) | set(self.api.evaluated_indexes))
        return sorted(self.api.evaluated_indexes)

    def _hp_str(self, hp: Any) -> str:
        h = self.default_hp if hp is None else check_hp(hp)
        return f"{h:02d}" if h < 10 else str(h)

    def _info(self, idx: int, dataset: str, hp: Any, seeds: Any, iepoch: Any = None) -> dict[str, Any]:
        is_random: Any = False if seeds in (None, "mean") else seeds
        if is_random is not False and is_random is not True and (isinstance(is_random, bool) or not isinstance(is_random, int)):
            raise BenchmarkError(f"seeds must be None, 'mean', True (one random trial) or an integer seed of the "
                                 f"official files, got {seeds!r}")
        try:
            return self.api.get_more_info(idx, dataset, iepoch=iepoch, hp=self._hp_str(hp), is_random=is_random)
        except BenchmarkError:
            raise
        except (KeyError, ValueError, AssertionError, FileNotFoundError) as exc:
            raise BenchmarkError(f"the official files have no {dataset} results for index {idx} at hp={hp}: "
                                 f"{exc!r}") from None

    # ------------------------------------------------------------------ queries
    def query(self, arch: Any, dataset: str, metric: str = "test-accuracy", hp: "int | str | None" = None,
              seeds: "str | int | None" = None) -> QueryResult:
        """As :meth:`TableBenchmark.query`; ``seeds`` may also be one official seed (e.g. 777)."""
        ds = check_dataset(dataset)
        if isinstance(metric, str) and metric.endswith(("-loss", "-time")):  # the official files hold these
            return self._query_key(arch, ds, metric, hp, seeds)
        split = metric_to_split(ds, metric)
        idx = self._must(arch)
        info = self._info(idx, ds, hp, seeds)
        key = _info_key(ds, split)
        if key not in info or info[key] is None:
            raise BenchmarkError(f"the official files have no {ds}/{split} figure for index {idx} at hp={hp}; "
                                 f"they have {sorted(k for k in info if k.endswith('accuracy'))}")
        h = self.default_hp if hp is None else check_hp(hp)
        trials = "mean" if seeds in (None, "mean") else f"seed {seeds}"
        return QueryResult(float(info[key]), idx, ds, split, h, trials)

    def _query_key(self, arch: Any, ds: str, key: str, hp: Any, seeds: Any) -> QueryResult:
        idx = self._must(arch)
        info = self._info(idx, ds, hp, seeds)
        if info.get(key) is None:
            raise BenchmarkError(f"the official files give no {key!r} for {ds}, index {idx}, hp={hp}; they have "
                                 f"{sorted(k for k, v in info.items() if v is not None and k != 'comment')}")
        h = self.default_hp if hp is None else check_hp(hp)
        return QueryResult(float(info[key]), idx, ds, key, h, "mean" if seeds in (None, "mean") else f"seed {seeds}")

    # ------------------------------------------------------------------ nats_bench attributes search scripts use
    def arch(self, index: int) -> str:
        """The architecture string of ``index`` (``nats_bench``'s ``api.arch``)."""
        return str(self.api.meta_archs[self.query_index_by_arch(index)])

    @property
    def used_time(self) -> float:
        """Seconds charged by :meth:`simulate_train_eval` since :meth:`reset_time` (the API object's counter)."""
        return float(getattr(self.api, "_used_time", 0.0) or 0.0)

    @property
    def full_train_epochs(self) -> int:
        return int(getattr(self.api, "full_train_epochs", 200))

    def reset_time(self) -> None:
        """Zero the simulated-time counter (``nats_bench``'s ``reset_time``)."""
        if hasattr(self.api, "reset_time"):
            self.api.reset_time()
        else:  # legacy nas_201_api objects have no counter
            self.api._used_time = 0

    def get_more_info(self, arch: Any, dataset: str, hp: "int | str | None" = None,
                      seeds: "str | int | None" = None, *, iepoch: Any = None, is_random: Any = None) -> dict[str, Any]:
        """The official ``get_more_info`` dict (mean over seeds by default) plus ``hp``.

        ``iepoch`` and ``is_random`` (``False`` mean, ``True`` one random trial, an int one seed)
        are passed on as ``nats_bench`` takes them; ``is_random`` overrides ``seeds``.
        """
        idx = self._must(arch)
        if is_random is not None:
            seeds = None if is_random is False else is_random
        out = dict(self._info(idx, check_dataset(dataset), hp, seeds, iepoch))
        out.update(dataset=dataset, hp=self.default_hp if hp is None else check_hp(hp), index=idx)
        return out

    def get_cost_info(self, arch: Any, dataset: str, hp: "int | str | None" = None) -> dict[str, Any]:
        """The official ``get_cost_info`` dict (``flops``, ``params``, ``latency``, times)."""
        idx = self._must(arch)
        try:
            return dict(self.api.get_cost_info(idx, check_dataset(dataset), hp=self._hp_str(hp)))
        except BenchmarkError:
            raise
        except (KeyError, ValueError, AssertionError) as exc:
            raise BenchmarkError(f"no cost figures for index {idx} on {dataset}: {exc!r}") from None

    def simulate_train_eval(self, arch: Any, dataset: str, hp: "int | str | None" = None,
                            account_time: bool = True, *, iepoch: Any = None) -> SimulatedEval:
        """The official ``simulate_train_eval`` (one random seed, as ``nats_bench`` does)."""
        idx = self._must(arch)
        try:
            out = self.api.simulate_train_eval(idx, dataset, iepoch=iepoch, hp=self._hp_str(hp),
                                               account_time=account_time)
        except BenchmarkError:
            raise
        except (KeyError, ValueError, AssertionError) as exc:
            raise BenchmarkError(f"simulate_train_eval failed for index {idx} on {dataset}: {exc!r}") from None
        names = ("validation accuracy", "latency", "training time", "total simulated training time")
        return SimulatedEval(*[MissingFigure(f"{name} of cell {idx} on {dataset}",
                                             "the official files hold no value for it")
                               if v is None else float(v) for name, v in zip(names, out)])

    def find_best(self, dataset: str, metric_on_set: str, flop_max: "float | None" = None,
                  param_max: "float | None" = None, hp: "int | str | None" = None) -> tuple[int, float]:
        """Best mean accuracy among the architectures the official files hold."""
        ds, metric = remap_for_find_best(dataset, metric_on_set)
        best, best_acc = -1, -math.inf
        for idx in self.available_indices():
            if flop_max is not None or param_max is not None:
                cost = self.get_cost_info(idx, ds, hp)
                if flop_max is not None and cost["flops"] > flop_max:
                    continue
                if param_max is not None and cost["params"] > param_max:
                    continue
            acc = self.query(idx, ds, metric, hp).value
            if acc > best_acc:
                best, best_acc = idx, acc
        if best < 0:
            raise BenchmarkError(f"no architecture in the official files meets flop_max={flop_max}, "
                                 f"param_max={param_max}")
        return best, best_acc

    def available_figures(self) -> list[FigureSpec]:
        """Figures of the first available architecture (the official files are uniform)."""
        idx = self.available_indices()
        if not idx:
            return []
        cols, _ = _arch_columns(self.api, idx[0])
        out = []
        for name in cols:
            if name.startswith("acc__"):
                _, ds, split, hp, trials = name.split("__")
                out.append(FigureSpec(ds, split, int(hp), trials))
        return sorted(out)

    def table(self) -> "pd.DataFrame":
        """The available architectures' figures as a DataFrame (reads every file: slow)."""
        import pandas as pd

        rows = []
        for idx in self.available_indices():
            cols, _ = _arch_columns(self.api, idx)
            rows.append({"index": idx, "arch_str": self.api.meta_archs[idx], **cols})
        return pd.DataFrame(rows)


def from_nats(api_or_path: Any, fast_mode: "bool | None" = None) -> NatsBenchmark:
    """Wrap an official API object, or open official files at a path (see the module docstring)."""
    if isinstance(api_or_path, (str, os.PathLike)):
        return NatsBenchmark(_open_path(Path(api_or_path), fast_mode))
    return NatsBenchmark(api_or_path)


# ---------------------------------------------------------------------------- import
def _arch_columns(api: Any, idx: int) -> tuple[dict[str, float], dict[str, float]]:
    """Accuracy (mean over seeds) per (dataset, split, hp) and costs per head, for one architecture."""
    _prepare_safely(api, idx)
    if hasattr(api, "_prepare_info"):
        api._prepare_info(idx)
    per_hp = api.arch2infos_dict.get(idx)
    if per_hp is None:
        raise DataError(f"the official files have no results for index {idx}")
    accs: dict[str, float] = {}
    costs: dict[str, float] = {}
    for hp_key, results in per_hp.items():
        hp = int(hp_key)
        for ds in results.get_dataset_names():
            if ds not in SPLITS:
                continue
            for split in SPLITS[ds]:
                try:
                    acc = results.get_metrics(ds, split, is_random=False)["accuracy"]
                except (KeyError, ValueError, AssertionError, TypeError):
                    continue
                if acc is not None:
                    accs[f"acc__{ds}__{split}__{hp}__mean"] = float(acc)
            if hp_key == max(per_hp, key=int):
                head = "cifar10" if ds == "cifar10-valid" else ds
                c = results.get_compute_costs(ds)
                costs[f"params_M_{head}"] = float(c["params"])
                costs[f"flops_M_{head}"] = float(c["flops"])
                if c.get("latency") is not None:
                    costs[f"latency_s_{head}"] = float(c["latency"])
    return accs, costs


def import_nats_table(api_or_path: Any, out: "str | os.PathLike[str]", checkpoint_every: int = 500,
                      progress: bool = True, notify: "Callable[[str], None] | None" = None) -> Path:
    """Rebuild the compact ``nb201`` table from official files and write it to ``out``.

    Accuracies are means over seeds for every (data set, split, hp) the files hold; params /
    FLOPs / latency are the official figures (``latency_s_<head>`` where present) and d_bar,
    m_bar, isomorphism classes and our own params / FLOPs are added as for the shipped table
    (``params_M_<head>`` keeps the official value; ours go to ``params_M_computed_<head>``).
    Rows the files lack are NaN. Progress is checkpointed to ``<out>.partial.npz`` every
    ``checkpoint_every`` architectures; rerunning resumes from it. ``out`` is written through a
    temporary file and a rename (a symbolic link there is replaced, not followed); ``notify``
    hears when an existing file is replaced.
    """
    from tqdm import tqdm

    from .build import nb201_derived_columns
    from .store import read_table, write_table

    bench = from_nats(api_or_path)
    api = bench.api
    n = len(api.meta_archs)
    if n != enc.NUM_ARCHS:
        raise DataError(f"the official files list {n} architectures, expected {enc.NUM_ARCHS}")
    codes = enc.index_codes()
    for i in (0, 1, n // 2, n - 1):
        if enc.to_codes(enc.from_str(api.meta_archs[i])) != tuple(codes[i]):
            raise DataError(f"the official files' index order differs from ours at index {i}: {api.meta_archs[i]}")
    out = Path(out)
    partial = out.with_name(out.name + ".partial.npz")
    values: dict[str, np.ndarray] = {}
    done = np.zeros(n, dtype=bool)
    if partial.exists():
        _, cols = read_table(partial, "nb201-partial")
        done = cols.pop("__done__").astype(bool)
        values = cols
    todo = [i for i in bench.available_indices() if not done[i]]

    def save_partial() -> None:
        write_table(partial, {**values, "__done__": done}, {"benchmark": "nb201-partial"})

    for k, idx in enumerate(tqdm(todo, desc="import NATS-Bench", file=sys.stderr, disable=not progress)):
        accs, costs = _arch_columns(api, idx)
        for name, v in {**accs, **costs}.items():
            if name not in values:
                values[name] = np.full(n, np.nan)
            values[name][idx] = v
        done[idx] = True
        if getattr(api, "fast_mode", False):  # fast mode caches each file it reads: free it
            api.arch2infos_dict.pop(idx, None)
        if checkpoint_every and (k + 1) % checkpoint_every == 0:
            save_partial()
    if not done.any():
        raise DataError("the official files hold no architecture results")
    cols: dict[str, np.ndarray] = {"op_codes": codes.copy()}
    cols.update(values)
    derived = nb201_derived_columns(codes)
    for name, col in derived.items():
        cols[name if name not in cols else name.replace("_M_", "_M_computed_")] = col
    figures = {}
    for name in values:
        if name.startswith("acc__"):
            _, ds, split, hp, trials = name.split("__")
            figures[name] = {"dataset": ds, "split": split, "hp": int(hp), "trials": trials}
    costs_meta = {}
    for head in ("cifar10", "cifar100", "ImageNet16-120"):
        if f"params_M_{head}" in cols and f"flops_M_{head}" in cols:
            lat = f"latency_s_{head}"
            costs_meta[head] = {"params": f"params_M_{head}", "flops": f"flops_M_{head}",
                                "latency": lat if lat in cols else None}
    from .names import COST_HEAD

    meta = {
        "benchmark": "nb201",
        "data_version": "imported-from-official",
        "source": f"official files via {type(api).__module__}.{type(api).__name__} ({getattr(api, 'filename', None)})",
        "figures": figures,
        "costs": costs_meta,
        "cost_head": dict(COST_HEAD),
        "rows_with_results": int(done.sum()),
    }
    write_table(out, cols, meta, notify=notify)
    if partial.exists():
        partial.unlink()
    return out


__all__ = ["NatsBenchmark", "from_nats", "import_nats_table", "NB201_DATASETS"]
