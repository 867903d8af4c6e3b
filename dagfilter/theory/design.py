"""NN-Mass-guided design: enumerate per-cell ``(d_c, t_c)`` configurations of a given width
whose NN-Mass is within a tolerance of a target, cheapest first - the NN-Mass papers'
"directly design compressed models" use (models of equal width and NN-Mass train and
generalize alike, whatever their depth and parameter count).

All cells share the depth ``d_c`` (as in the papers); widths are ``width * growth**c`` (the
papers double the width at every cell). For each depth, ``t_c`` of every cell but the last runs
over a grid (``grid`` values from 0 to saturation ``w_c (d_c-2)``, beyond which ``t_c`` changes
nothing), and the last cell's ``t_c`` is solved exactly (NN-Mass is increasing in ``t_c`` below
saturation) to land as close to the target as possible.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import ConfigError
from .nnmass import KINDS, NNMassSpec


@dataclass(frozen=True)
class Design:
    """One configuration returned by :func:`enumerate_designs`."""

    spec: NNMassSpec
    nn_mass: float
    nn_density: float
    params: int
    flops: int

    def to_dict(self) -> dict:
        """JSON-able dict (the spec's :meth:`~NNMassSpec.describe`)."""
        return self.spec.describe()


def cell_mass_table(depth: int, width: int) -> np.ndarray:
    """Mass contribution ``w d rho`` of one cell for every ``t_c`` in ``0..w (d-2)`` (saturation)."""
    if depth < 3:
        return np.zeros(1)
    t = np.arange(width * (depth - 2) + 1)
    caps = width * (np.arange(2, depth) - 1)                       # w (i-1), i = 2..d-1
    sums = np.minimum(caps[None, :], t[:, None]).sum(axis=1)
    return 2.0 * depth * sums / ((depth - 1) * (depth - 2))


def _grid(top: int, n: int) -> np.ndarray:
    if top <= 0:
        return np.zeros(1, dtype=np.int64)
    if top + 1 <= n:
        return np.arange(top + 1)
    return np.unique(np.round(np.linspace(0, top, n)).astype(np.int64))


def enumerate_designs(target_mass: float, width: int, cells: int = 3, *, growth: int = 2,
                      tol: float = 0.02, min_depth: int = 3, max_depth: int = 40, kind: str = "cnn",
                      grid: int = 16, sort_by: str = "params", limit: int | None = 20,
                      per_depth: int | None = None,
                      widths: Sequence[int] | None = None, seed: int = 0, **spec_kw) -> list[Design]:
    """Configurations with ``|NN-Mass - target_mass| <= tol * target_mass`` (``tol`` is relative;
    an absolute floor of 1e-9 keeps ``target_mass = 0`` exact), sorted by ``sort_by``
    (``"params"``, ``"flops"``, ``"depth"`` or ``"error"``), at most ``limit`` of them (None = all).

    Args:
        per_depth: keep at most this many configurations per depth (the first in sort order),
            e.g. 1 for the cheapest configuration of every depth; None keeps all.
        widths: explicit per-cell widths (overrides ``width`` and ``growth``).
        spec_kw: passed to :class:`NNMassSpec` (``num_classes``, ``image_size``, ...).

    Raises:
        ConfigError: a bad argument (negative mass, zero width, min_depth > max_depth, ...).
    """
    if not (isinstance(target_mass, (int, float)) and math.isfinite(target_mass) and target_mass >= 0):
        raise ConfigError(f"target NN-Mass must be a finite number >= 0, got {target_mass!r}")
    if not (isinstance(tol, (int, float)) and 0 <= tol < 1):
        raise ConfigError(f"tol is a relative tolerance in [0, 1), got {tol!r}")
    if kind not in KINDS:
        raise ConfigError(f"kind must be one of {KINDS}, got {kind!r}")
    if sort_by not in ("params", "flops", "depth", "error"):
        raise ConfigError(f"sort_by must be params, flops, depth or error, got {sort_by!r}")
    for name, v, lo in (("cells", cells, 1), ("min_depth", min_depth, 1), ("max_depth", max_depth, 1),
                        ("grid", grid, 2), ("growth", growth, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ConfigError(f"{name} must be an integer >= {lo}, got {v!r}")
    if min_depth > max_depth:
        raise ConfigError(f"min_depth ({min_depth}) exceeds max_depth ({max_depth})")
    if widths is None:
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ConfigError(f"width must be a positive integer, got {width!r}")
        ws = [width * growth ** c for c in range(cells)]
    else:
        ws = [int(w) for w in widths]
        if len(ws) != cells or min(ws) < 1:
            raise ConfigError(f"widths must be {cells} positive integers, got {list(widths)}")
    slack = max(tol * target_mass, 1e-9)
    found: dict[tuple, Design] = {}
    for d in range(min_depth, max_depth + 1):
        tables = [cell_mass_table(d, w) for w in ws]
        if sum(t[-1] for t in tables) < target_mass - slack:
            continue                                               # too shallow even when saturated
        grids = [_grid(len(t) - 1, grid) for t in tables[:-1]]
        last = tables[-1]
        mesh = np.stack(np.meshgrid(*grids, indexing="ij"), -1).reshape(-1, cells - 1) if grids \
            else np.zeros((1, 0), dtype=np.int64)
        partial = np.zeros(len(mesh))
        for c in range(cells - 1):
            partial += tables[c][mesh[:, c]]
        need = target_mass - partial
        j = np.clip(np.searchsorted(last, need), 0, len(last) - 1)
        jm = np.clip(j - 1, 0, len(last) - 1)
        pick = np.where(np.abs(last[jm] - need) <= np.abs(last[j] - need), jm, j)
        err = np.abs(partial + last[pick] - target_mass)
        for row in np.nonzero(err <= slack)[0]:
            tcs = tuple(int(v) for v in mesh[row]) + (int(pick[row]),)
            key = (d, tcs)
            if key in found:
                continue
            spec = NNMassSpec((d,) * cells, tuple(ws), tcs, kind=kind, seed=seed, **spec_kw)
            found[key] = Design(spec, spec.nn_mass, spec.nn_density, spec.param_count(), spec.flops())
    keyf = {"params": lambda x: (x.params, x.flops), "flops": lambda x: (x.flops, x.params),
            "depth": lambda x: (x.spec.depths[0], x.params),
            "error": lambda x: (abs(x.nn_mass - target_mass), x.params)}[sort_by]
    out = sorted(found.values(), key=keyf)
    if per_depth is not None:
        if isinstance(per_depth, bool) or not isinstance(per_depth, int) or per_depth < 1:
            raise ConfigError(f"per_depth must be a positive integer or None, got {per_depth!r}")
        seen: dict[int, int] = {}
        kept = []
        for x in out:
            n = seen.get(x.spec.depths[0], 0)
            if n < per_depth:
                kept.append(x)
                seen[x.spec.depths[0]] = n + 1
        out = kept
    return out if limit is None else out[:limit]
