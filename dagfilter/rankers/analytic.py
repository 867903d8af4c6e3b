"""Analytic rankers: scores read off the cell alone, without building or running a network.

============== ==========================================================================
name           score (higher = predicted better)
============== ==========================================================================
params         parameter count of the benchmark network with the data set's head
               (NB201: :func:`dagfilter.nets.nb201_counts.nb201_costs`; DARTS:
               :func:`dagfilter.nets.darts_counts.darts_param_count`, C=36, 20 layers).
               DARTS convention: every parameter of the evaluation network (stem, cells,
               classifier, BatchNorm affine weights) *except the auxiliary head*, as an
               integer: DARTS_V2 = 3,349,342. DARTS's and NASLib's ``count_parameters_in_MB``
               count the same set but divide by 1e6 (the "MB" is millions of parameters, not
               bytes): 3.349342. NASLib counts whatever graph it was given, so compare it on
               the evaluation network (C=36, 20 layers), not on its search-size graph.
flops          multiply-accumulates of one forward pass of one image (NB201: analytic
               counter; DARTS: the ``darts725`` table when every candidate is in it, else
               counted once on a built network with a zero input - no data involved)
d_bar          mean effective depth of the cell's paths (:mod:`dagfilter.metrics`)
m_bar          effective width (:mod:`dagfilter.metrics`)
nn_mass        :func:`dagfilter.metrics.cell_nn_mass` (width 16)
window_distance minus the normalised distance to the DAG filter's centre,
               ``-max(|d - d*| / r_d, |m - m*| / r_m)`` (``window_distance:l2`` uses the
               Euclidean norm of the two ratios instead). A cell is accepted by the filter with
               fraction ``f`` exactly when its Chebyshev distance is ``<= f``.
prior          a rank combination of analytic rankers among the scored candidates, by
               default ``params`` and ``d_bar`` with equal weights; recipe
               ``prior:params,d_bar`` or with weights ``prior:params=1,d_bar=2``
============== ==========================================================================

Every ranker is vectorized for NAS-Bench-201 index arrays (the whole space in milliseconds);
genotype spaces (DARTS) loop over cells.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ConfigError
from ..spaces import Space
from .base import Candidates, Ranker, RankerOutput, as_candidates
from .combine import combine
from .context import RankerContext, head_dataset

NN_MASS_WIDTH = 16
LONG_RANGE_EDGES = (1, 3, 4)
"""Positions (arch-string order) of the NB201 edges that skip a node: 0->2, 0->3, 1->3."""


class AnalyticRanker(Ranker):
    """A ranker defined by a pure function ``Candidates -> scores``."""

    kind = "analytic"
    cost = 0

    def __init__(self, name: str, fn: Callable[[Candidates], np.ndarray]) -> None:
        super().__init__(name)
        self._fn = fn

    def evaluate(self, space: str | Space, archs: Any, progress: bool = False) -> RankerOutput:
        cand = as_candidates(space, archs)
        if len(cand) == 0:
            return RankerOutput.analytic(np.zeros(0))
        return RankerOutput.analytic(np.asarray(self._fn(cand), dtype=np.float64))


# --------------------------------------------------------------------------- NB201 building blocks
def nb201_nn_mass(codes: np.ndarray, width: int = NN_MASS_WIDTH) -> np.ndarray:
    """Vectorized :func:`dagfilter.metrics.cell_nn_mass` for NAS-Bench-201 op codes: 4 nodes, so
    ``rho = L / 3`` with ``L`` the non-``none`` edges among 0->2, 0->3, 1->3, and mass = ``width * 4 * rho``."""
    links = (np.asarray(codes)[:, list(LONG_RANGE_EDGES)] != 0).sum(axis=1)
    return width * 4 * links / 3.0


def _nb201_costs(cand: Candidates, dataset: str) -> tuple[np.ndarray, np.ndarray]:
    from ..nets.nb201_counts import NB201_DATASETS, nb201_costs

    nc, hw = NB201_DATASETS[head_dataset(dataset)]
    p, f = nb201_costs(cand.codes(), nc, hw)
    return p.astype(np.float64), f.astype(np.float64)


def _depth_width(cand: Candidates, part: str) -> tuple[np.ndarray, np.ndarray]:
    if cand.is_nb201:
        from ..spaces import get_space

        d, m = get_space("nb201").all_depth_width()  # type: ignore[attr-defined]
        return d[cand.indices], m[cand.indices]
    d, m = cand.space.depth_width(cand.archs, part)
    return np.asarray(d, dtype=np.float64), np.asarray(m, dtype=np.float64)


def _num_classes(dataset: str) -> int:
    from ..data import dataset_spec

    return dataset_spec(dataset).num_classes


@lru_cache(maxsize=1)
def _darts725_flops() -> tuple[Any, np.ndarray]:
    from .. import bench

    b = bench.load("darts725")
    return b, b.table()["flops_M"].to_numpy(np.float64)


def _darts_flops(cand: Candidates, dataset: str) -> np.ndarray:
    try:
        b, flops = _darts725_flops()
        rows = [b.query_index_by_arch(g) for g in cand.archs]
        if all(r >= 0 for r in rows):
            return flops[rows] * 1e6
    except Exception:  # noqa: BLE001 - table unavailable: count instead
        pass
    from ..nets import build_network
    from ..nets.counting import count_flops

    hw = 224 if dataset.lower() == "imagenet" else 32
    out = []
    for g in cand.archs:
        net = build_network(g, "darts_imagenet" if hw == 224 else "darts", num_classes=_num_classes(dataset))
        out.append(count_flops(net, (3, hw, hw)))
    return np.asarray(out, dtype=np.float64)


# --------------------------------------------------------------------------- factories
def make_params(args: Sequence[str], ctx: RankerContext) -> Ranker:
    """``params`` or ``params:DATASET``."""
    dataset = args[0] if args else ctx.dataset

    def fn(c: Candidates) -> np.ndarray:
        if c.is_nb201:
            return _nb201_costs(c, dataset)[0]
        from ..nets.darts_counts import darts_param_count

        nc = _num_classes(dataset)
        return np.asarray([darts_param_count(g, num_classes=nc, imagenet=dataset.lower() == "imagenet")
                           for g in c.archs], dtype=np.float64)

    _check_args("params", args, 1)
    if args and dataset.lower() != "imagenet":
        head_dataset(dataset)  # validates the name early
    return AnalyticRanker("params" + (f":{dataset}" if args else ""), fn)


def make_flops(args: Sequence[str], ctx: RankerContext) -> Ranker:
    """``flops`` or ``flops:DATASET``."""
    _check_args("flops", args, 1)
    dataset = args[0] if args else ctx.dataset

    def fn(c: Candidates) -> np.ndarray:
        return _nb201_costs(c, dataset)[1] if c.is_nb201 else _darts_flops(c, dataset)

    return AnalyticRanker("flops" + (f":{dataset}" if args else ""), fn)


def make_d_bar(args: Sequence[str], ctx: RankerContext) -> Ranker:
    """``d_bar`` (optionally ``d_bar:reduce`` for genotypes)."""
    _check_args("d_bar", args, 1)
    part = args[0] if args else ctx.part
    return AnalyticRanker("d_bar" + (f":{part}" if args else ""), lambda c: _depth_width(c, part)[0])


def make_m_bar(args: Sequence[str], ctx: RankerContext) -> Ranker:
    """``m_bar`` (optionally ``m_bar:reduce`` for genotypes)."""
    _check_args("m_bar", args, 1)
    part = args[0] if args else ctx.part
    return AnalyticRanker("m_bar" + (f":{part}" if args else ""), lambda c: _depth_width(c, part)[1])


def make_nn_mass(args: Sequence[str], ctx: RankerContext) -> Ranker:
    """``nn_mass`` or ``nn_mass:WIDTH``."""
    _check_args("nn_mass", args, 1)
    width = _int_arg("nn_mass", args[0]) if args else NN_MASS_WIDTH

    def fn(c: Candidates) -> np.ndarray:
        if c.is_nb201:
            return nb201_nn_mass(c.codes(), width)
        from ..metrics import cell_nn_mass

        return np.asarray([cell_nn_mass(c.space.cell_of(g, ctx.part), width) for g in c.archs], dtype=np.float64)

    return AnalyticRanker("nn_mass" + (f":{width}" if args else ""), fn)


def window_distance(d: np.ndarray, m: np.ndarray, center: tuple[float, float], radius: tuple[float, float],
                    norm: str = "max") -> np.ndarray:
    """Normalised distance of ``(d, m)`` to ``center``: per axis ``|x - x*| / r`` (0 when equal on a
    zero radius, ``inf`` otherwise), combined by ``max`` (Chebyshev) or ``l2``."""
    if norm not in ("max", "l2"):
        raise ConfigError(f"window_distance norm must be 'max' or 'l2', got {norm!r}")
    ratios = []
    for x, c, r in ((d, center[0], radius[0]), (m, center[1], radius[1])):
        diff = np.abs(np.asarray(x, dtype=np.float64) - c)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios.append(np.where(diff == 0, 0.0, diff / r) if r == 0 else diff / r)
    a, b = ratios
    return np.maximum(a, b) if norm == "max" else np.hypot(a, b)


def make_window_distance(args: Sequence[str], ctx: RankerContext) -> Ranker:
    """``window_distance`` (Chebyshev) or ``window_distance:l2``; see :func:`window_distance`."""
    _check_args("window_distance", args, 1)
    norm = args[0] if args else "max"
    if norm not in ("max", "l2"):
        raise ConfigError(f"window_distance takes 'max' or 'l2', got {norm!r}")

    def fn(c: Candidates) -> np.ndarray:
        from ..filter import DAGFilter

        flt = ctx.filter if ctx.filter is not None else DAGFilter.from_space(c.space, part=ctx.part)
        d, m = _depth_width(c, ctx.part)
        return -window_distance(d, m, flt.center, flt.radius, norm)

    return AnalyticRanker("window_distance" + (f":{norm}" if args else ""), fn)


DEFAULT_PRIOR: tuple[tuple[str, float], ...] = (("params", 1.0), ("d_bar", 1.0))
"""The default ``prior`` recipe: rank-sum of the parameter count and d_bar."""


def make_prior(args: Sequence[str], ctx: RankerContext) -> Ranker:
    """``prior`` (params + d_bar) or ``prior:NAME[=W],NAME[=W],...`` over analytic rankers."""
    from .registry import get_ranker

    recipe: list[tuple[str, float]] = []
    for a in args or [f"{n}={w:g}" for n, w in DEFAULT_PRIOR]:
        name, _, w = a.partition("=")
        try:
            weight = float(w) if w else 1.0
        except ValueError:
            raise ConfigError(f"prior: bad weight {w!r} for {name!r} (expected a number)") from None
        recipe.append((name.strip(), weight))
    parts = []
    for name, _ in recipe:
        r = get_ranker(name, context=ctx)
        if r.kind != "analytic":
            raise ConfigError(f"prior combines analytic rankers only; {name!r} is {r.kind}")
        parts.append(r)
    weights = [w for _, w in recipe]
    label = "prior" if not args else "prior:" + ",".join(n if w == 1 else f"{n}={w:g}" for n, w in recipe)

    def fn(c: Candidates) -> np.ndarray:
        return combine([p.evaluate(c.space, c).scores for p in parts], weights, "rank")

    return AnalyticRanker(label, fn)


def _check_args(name: str, args: Sequence[str], most: int) -> None:
    if len(args) > most:
        raise ConfigError(f"ranker {name!r} takes at most {most} argument(s), got {list(args)!r}")


def _int_arg(name: str, text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise ConfigError(f"ranker {name!r}: expected an integer argument, got {text!r}") from None
    if v < 1:
        raise ConfigError(f"ranker {name!r}: argument must be >= 1, got {v}")
    return v
