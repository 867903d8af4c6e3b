"""Eq. 12 of the effective depth/width paper as a report: the NNGP upper bound on
``lambda_min(K^(H))`` of a cell, with the path count ``P`` and per-path depths ``d_p``.

``lambda_min(K^(H)) <= min_{i != j} (P - sum_p f^{d_p}(K0_ij))`` with ``f`` the ReLU NNGP map
(c_sigma = 2). A larger bound means a (potentially) faster linear convergence rate of gradient
descent at a fixed small learning rate (Theorem 3.1). The maths lives in
:mod:`dagfilter.metrics`; this module only packages it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..cell import Cell
from ..errors import ConfigError
from ..metrics import nngp_bound_from_hist, path_stats


@dataclass(frozen=True)
class BoundReport:
    """The Eq. 12 bound of one cell.

    Attributes:
        name: a label for the cell (as given by the caller).
        num_paths: P, the number of input->output paths.
        depth_hist: ``depth_hist[d]`` = number of paths with d parameterized ops (exact; the
            histogram stays small however many paths there are). :attr:`path_depths` lists
            every d_p for cells with few paths.
        rho: the input correlation K0_ij the bound was evaluated at (min over pairs if several).
        bound: the Eq. 12 upper bound on lambda_min(K^(H)).
        d_bar, m_bar: effective depth and width (Def. 4.1), for reference.
    """

    name: str
    num_paths: int
    depth_hist: tuple[int, ...]
    rho: float
    bound: float
    d_bar: float
    m_bar: float

    @property
    def path_depths(self) -> tuple[int, ...]:
        """Every path's depth d_p, sorted (refused for cells with very many paths)."""
        from ..metrics import MAX_PATH_LIST

        if self.num_paths > MAX_PATH_LIST:
            raise ConfigError(f"{self.name}: {self.num_paths:,} paths are too many to list; use depth_hist")
        return tuple(d for d, c in enumerate(self.depth_hist) for _ in range(c))

    def to_dict(self) -> dict:
        """JSON-able dict; the histogram as ``path_depth_counts`` ``{"d": count}``."""
        out = asdict(self)
        out.pop("depth_hist")
        out["path_depth_counts"] = {str(d): c for d, c in enumerate(self.depth_hist) if c}
        return out


def _check_rho(rho: float | np.ndarray) -> None:
    r = np.asarray(rho, dtype=np.float64)
    if r.size == 0 or np.any(~np.isfinite(r)) or np.any(np.abs(r) > 1):
        raise ConfigError(f"rho must be a correlation in [-1, 1], got {rho!r}")


def bound_report(cell: Cell, rho: float | np.ndarray = 0.5, name: str = "") -> BoundReport:
    """Eq. 12 for ``cell`` at input correlation ``rho`` (scalar, array of pairwise
    correlations, or a Gram matrix - see :func:`dagfilter.metrics.nngp_bound_from_depths`)."""
    if not isinstance(rho, np.ndarray) or np.ndim(rho) < 2:
        _check_rho(rho)
    stats = path_stats(cell)
    hist = stats.depth_hist
    value = nngp_bound_from_hist(hist, rho)
    r = np.asarray(rho, dtype=np.float64)
    rho_repr = float(r) if r.ndim == 0 else float("nan")
    return BoundReport(name=name or repr(cell), num_paths=stats.num_paths, depth_hist=hist,
                       rho=rho_repr, bound=value, d_bar=stats.d_bar, m_bar=stats.m_bar)


def compare_bounds(cells: Mapping[str, Cell] | Sequence[Cell], rho: float | np.ndarray = 0.5
                   ) -> list[BoundReport]:
    """Bound reports for several cells, best (largest bound, fastest predicted convergence)
    first; ties keep the input order."""
    items: Iterable[tuple[str, Cell]]
    if isinstance(cells, Mapping):
        items = cells.items()
    else:
        items = ((f"cell{k}", c) for k, c in enumerate(cells))
    reports = [bound_report(c, rho, name) for name, c in items]
    if not reports:
        raise ConfigError("compare_bounds needs at least one cell")
    order = sorted(range(len(reports)), key=lambda k: (-reports[k].bound, k))
    return [reports[k] for k in order]


def bound_curve(cell: Cell, rhos: Sequence[float]) -> np.ndarray:
    """The Eq. 12 bound of ``cell`` at each input correlation in ``rhos``."""
    hist = path_stats(cell).depth_hist
    for r in rhos:
        _check_rho(r)
    return np.array([nngp_bound_from_hist(hist, float(r)) for r in rhos])
