"""NASLib: its ``dataset_api`` shape from dagfilter's table, and a filtered NASLib search space.

NASLib's NAS-Bench-201 search space answers ``query(metric, dataset, epoch=-1, dataset_api=...)``
by reading ``dataset_api["nb201_data"][arch_str][dataset][metric_key][epoch]`` (``metric_key``
``"eval_acc1es"`` for validation and test accuracy, cifar10 read as ``cifar10-valid``).
:func:`get_dataset_api` returns that shape, so NASLib's optimizers run on dagfilter's data unchanged:

* ``eval_acc1es`` - the validation accuracy (``x-valid``) after the full schedule: the single
  NASLib trial the table stores where it has one (cifar100, ImageNet16-120, cifar10-valid), the
  mean otherwise - each :class:`FinalEpoch` says which (``.trials``);
* the final epoch only: ``[-1]`` or ``[hp - 1]``; any other epoch or a learning-curve slice
  (``full_lc=True``) is a :class:`~dagfilter.errors.BenchmarkError` naming the epoch;
* losses, train accuracies, times and ``cost_info`` are not in the table: asking for them is a
  :class:`~dagfilter.adapters.naslib.MissingNaslibKey` (a ``KeyError`` and a ``BenchmarkError``)
  naming the key.

NASLib itself is not on PyPI; this module never imports it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterator

from ..errors import BenchmarkError, ConfigError, show
from ..filter import DAGFilter

NASLIB_DATASETS = ("cifar10-valid", "cifar100", "ImageNet16-120")
ACCURACY_KEYS = ("eval_acc1es",)


class MissingNaslibKey(BenchmarkError, KeyError):
    """A NASLib data key dagfilter's table does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class FinalEpoch:
    """One learning curve of which only the final epoch is known (``len`` is the schedule)."""

    def __init__(self, value: float, hp: int, trials: str, what: str) -> None:
        self.value, self.hp, self.trials, self.what = float(value), hp, trials, what

    def __len__(self) -> int:
        return self.hp

    def __getitem__(self, epoch: Any) -> float:
        if isinstance(epoch, slice):
            raise BenchmarkError(f"{self.what}: a learning curve (slice {epoch.start}:{epoch.stop}) is not in "
                                 f"dagfilter's table, only the final epoch ({self.hp - 1}, or -1)")
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch not in (-1, self.hp - 1):
            raise BenchmarkError(f"{self.what}: epoch {show(epoch)} is not in dagfilter's table, which holds the final "
                                 f"epoch only ({self.hp - 1}, or -1)")
        return self.value

    def __iter__(self) -> Iterator[float]:
        raise BenchmarkError(f"{self.what}: the full learning curve is not in dagfilter's table (final epoch only)")

    def __repr__(self) -> str:
        return f"FinalEpoch({self.value}, epoch {self.hp - 1} of {self.hp}, {self.trials})"


class _DatasetData(Mapping):
    def __init__(self, bench: Any, row: int, dataset: str, hp: int) -> None:
        self._b, self._row, self._ds, self._hp = bench, row, dataset, hp

    def __getitem__(self, key: str) -> FinalEpoch:
        if key not in ACCURACY_KEYS:
            raise MissingNaslibKey(f"NASLib key {show(key)} for {self._ds} is not in dagfilter's table (it holds "
                                   f"{', '.join(ACCURACY_KEYS)}: final validation accuracy); losses, times and cost_info "
                                   "need NASLib's own data files")
        spec = self._b.figure_spec(self._ds, "x-valid", self._hp)
        trials = "single" if "single" in {f.trials for f in self._b.available_figures()
                                          if (f.dataset, f.split, f.hp) == (spec.dataset, spec.split, spec.hp)} else None
        r = self._b.query(self._row, self._ds, "x-valid", self._hp, trials)
        return FinalEpoch(r.value, self._hp, r.trials, f"nb201_data[{self._b.arch(self._row)!r}][{self._ds!r}][{key!r}]")

    def __iter__(self) -> Iterator[str]:
        return iter(ACCURACY_KEYS)

    def __len__(self) -> int:
        return len(ACCURACY_KEYS)


class _ArchData(Mapping):
    def __init__(self, bench: Any, row: int, hp: int) -> None:
        self._b, self._row, self._hp = bench, row, hp

    def __getitem__(self, dataset: str) -> _DatasetData:
        ds = "cifar10-valid" if dataset == "cifar10" else dataset
        if ds not in NASLIB_DATASETS:
            raise MissingNaslibKey(f"data set {show(dataset)} is not in NASLib's NAS-Bench-201 data "
                                   f"({', '.join(NASLIB_DATASETS)})")
        return _DatasetData(self._b, self._row, ds, self._hp)

    def __iter__(self) -> Iterator[str]:
        return iter(NASLIB_DATASETS)

    def __len__(self) -> int:
        return len(NASLIB_DATASETS)


class NB201Data(Mapping):
    """``dataset_api["nb201_data"]``: architecture string (or any encoding) -> data set -> key -> epoch."""

    def __init__(self, bench: Any = None, hp: int = 200) -> None:
        if bench is None:
            from ..bench import load

            bench = load("nb201")
        self._b, self._hp = bench, int(hp)

    def __getitem__(self, arch: Any) -> _ArchData:
        row = self._b.query_index_by_arch(arch)
        if row < 0:
            raise MissingNaslibKey(f"architecture {show(arch)} is not a NAS-Bench-201 cell")
        return _ArchData(self._b, row, self._hp)

    def __iter__(self) -> Iterator[str]:
        return (self._b.arch(i) for i in range(len(self._b)))

    def __len__(self) -> int:
        return len(self._b)


def get_dataset_api(search_space: str = "nasbench201", dataset: str = "cifar10", hp: int = 200) -> dict[str, Any]:
    """NASLib's ``get_dataset_api(search_space, dataset)`` for NAS-Bench-201, from dagfilter's table."""
    if search_space != "nasbench201":
        raise ConfigError(f"dagfilter serves NASLib's 'nasbench201' data only, not {show(search_space)}")
    if dataset not in ("cifar10", "cifar100", "ImageNet16-120"):
        raise ConfigError(f"NASLib's NAS-Bench-201 data sets are cifar10, cifar100, ImageNet16-120; got {show(dataset)}")
    return {"nb201_data": NB201Data(hp=hp)}


def naslib_filter(search_space: Any, flt: "DAGFilter | None" = None, *, fraction: "float | None" = None,
                  max_tries: int = 10_000) -> Any:
    """Make a NASLib search space (NAS-Bench-201 or -301) sample and mutate only inside the window.

    The instance's class is swapped for a subclass whose ``sample_random_architecture`` and
    ``mutate`` redraw until ``flt`` accepts the result; NASLib's ``clone()`` copies keep it, so the
    optimizers (random search, regularized evolution, local search, ...) run unchanged. Returns the
    same object.
    """
    from .loops import make_filter

    space_name = search_space.get_type() if callable(getattr(search_space, "get_type", None)) else "nasbench201"
    f = make_filter(flt, fraction, "darts" if space_name == "nasbench301" else "nb201")
    base = type(search_space)
    if getattr(base, "_dagfilter_filter", None) is not None:
        raise ConfigError(f"{base.__name__} is already filtered")

    def sample_random_architecture(self: Any, *args: Any, **kwargs: Any) -> Any:
        for _ in range(max_tries):
            out = base.sample_random_architecture(self, *args, **kwargs)
            if f.accepts(self):
                return out
        raise ConfigError(f"{max_tries} samples in a row were rejected by {f.describe()}")

    def mutate(self: Any, parent: Any, *args: Any, **kwargs: Any) -> Any:
        for _ in range(max_tries):
            out = base.mutate(self, parent, *args, **kwargs)
            if f.accepts(self):
                return out
        raise ConfigError(f"{max_tries} mutations in a row were rejected by {f.describe()}")

    cls = type(f"Filtered{base.__name__}", (base,), {"sample_random_architecture": sample_random_architecture,
                                                      "mutate": mutate, "_dagfilter_filter": f})
    search_space.__class__ = cls
    return search_space


__all__ = ["get_dataset_api", "naslib_filter", "NB201Data", "FinalEpoch", "MissingNaslibKey"]
