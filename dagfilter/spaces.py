"""Search spaces and their registry.

A space knows how to sample architectures, which cell of an architecture the filter judges,
and the (d_bar, m_bar) range of its cells, from which :class:`~dagfilter.filter.DAGFilter`
derives its window.

Built-in spaces (``dagfilter spaces`` lists them):

* ``nb201`` - NAS-Bench-201, 15,625 cells, enumerable; ranges computed over the whole space;
* ``darts`` - DARTS genotypes (4 intermediate nodes, two distinct inputs each, 7 ops,
  all intermediates concatenated); ranges exact by enumerating every op-kind structure;
* ``enas``, ``pnas``, ``amoeba``, ``nasnet`` - the NDS spaces (5 intermediate nodes, inputs
  drawn with replacement, unused nodes concatenated); ranges estimated from a seeded sample.

Register another space with :func:`register_space`.
"""
from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator

import numpy as np

from .cell import Cell
from .encodings import darts as darts_enc
from .encodings import nb201
from .encodings.parse import Arch, parse_arch
from .errors import SpaceError, show
from .genotypes import Genotype
from .metrics import batch_depth_width, batch_depth_width_dense, nb201_depth_width

Bounds = tuple[tuple[float, float], tuple[float, float]]


class Space(ABC):
    """A search space of architectures."""

    # Subclasses define ``name``, ``description`` and ``parts`` (the names of the cells an
    # architecture has: ``("cell",)`` or ``("normal", "reduce")``).

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Arch:
        """One architecture drawn uniformly from the space."""

    @abstractmethod
    def cell_of(self, arch: Any, part: str | None = None) -> Cell:
        """The cell of ``arch`` the filter judges (``part`` picks a genotype's normal/reduce cell)."""

    @abstractmethod
    def metric_bounds(self, part: str | None = None) -> Bounds:
        """``((d_min, d_max), (m_min, m_max))`` over the space's cells with d_bar > 0."""

    def depth_width(self, archs: list[Any], part: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Vectorized (d_bar, m_bar) of the chosen cell of each architecture."""
        return batch_depth_width([self.cell_of(a, part) for a in archs])

    def parse(self, value: Any) -> Arch:
        """Parse any accepted encoding into this space's architecture type."""
        return parse_arch(value)

    def samples(self, n: int, seed: int = 0) -> list[Arch]:
        """``n`` seeded samples (``0 <= n <=`` :data:`~dagfilter.limits.MAX_SAMPLES`).

        Raises:
            ConfigError: ``n`` or ``seed`` not an integer, or outside its range (checked before drawing).
        """
        from .limits import MAX_SAMPLES, check_count, check_seed

        n = check_count(n, "number of samples", MAX_SAMPLES, minimum=0)
        rng = np.random.default_rng(check_seed(seed))
        return [self.sample(rng) for _ in range(n)]

    @property
    def enumerable(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class NB201Space(Space):
    """NAS-Bench-201: 4 nodes, 6 edges, 5 ops; 15,625 cells in official index order."""

    name = "nb201"
    description = "NAS-Bench-201 (15,625 cells; official index order)"
    parts = ("cell",)

    @property
    def enumerable(self) -> bool:
        return True

    def __len__(self) -> int:
        return nb201.NUM_ARCHS

    def __iter__(self) -> Iterator[Cell]:
        return (self.arch(i) for i in range(len(self)))

    def arch(self, index: int) -> Cell:
        """Cell with official index ``index``."""
        return nb201.from_index(index)

    def index(self, arch: Any) -> int:
        """Official index of ``arch`` (any NAS-Bench-201 encoding)."""
        return nb201.to_index(self.cell_of(arch))

    def sample(self, rng: np.random.Generator) -> Cell:
        return self.arch(int(rng.integers(len(self))))

    def sample_indices(self, n: int, rng: np.random.Generator, replace: bool = False) -> np.ndarray:
        """``n`` official indices drawn uniformly (without replacement by default)."""
        return rng.choice(len(self), size=n, replace=replace)

    def cell_of(self, arch: Any, part: str | None = None) -> Cell:
        if part not in (None, "cell", "normal"):
            raise SpaceError(f"NAS-Bench-201 architectures have one cell; part {show(part)} does not exist")
        cell = parse_arch(arch)
        if not isinstance(cell, Cell) or not cell.is_nb201():
            raise SpaceError(f"not a NAS-Bench-201 cell: {show(arch)}")
        return cell

    def all_depth_width(self) -> tuple[np.ndarray, np.ndarray]:
        """(d_bar, m_bar) of all 15,625 cells in index order (vectorized)."""
        return _nb201_all()

    def depth_width(self, archs: list[Any], part: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        arr = np.asarray(archs) if len(archs) else np.zeros(0, dtype=np.int64)
        if arr.dtype.kind in "iu" and arr.ndim == 1:
            d, m = _nb201_all()
            bad = arr[(arr < 0) | (arr >= len(self))]
            if bad.size:
                nb201.check_index(int(bad[0]))
            return d[arr], m[arr]
        codes = np.array([nb201.to_codes(self.cell_of(a)) for a in archs], dtype=np.int64).reshape(-1, 6)
        return nb201_depth_width(codes)

    def metric_bounds(self, part: str | None = None) -> Bounds:
        d, m = _nb201_all()
        pos = d > 0
        return (float(d[pos].min()), float(d[pos].max())), (float(m[pos].min()), float(m[pos].max()))


@lru_cache(maxsize=1)
def _nb201_all() -> tuple[np.ndarray, np.ndarray]:
    d, m = nb201_depth_width(nb201.index_codes())
    d.setflags(write=False)
    m.setflags(write=False)
    return d, m


@dataclass(frozen=True)
class GenotypeSpace(Space):
    """A DARTS-like genotype space (normal + reduce cells).

    Args:
        name: registry name.
        ops: op names an edge may carry.
        num_nodes: intermediate nodes per cell.
        distinct_inputs: a node's two inputs are distinct (DARTS) or drawn with replacement (NDS).
        concat_all: concatenate all intermediate nodes (DARTS) or only unused ones (NASNet-style).
        description: one line for ``dagfilter spaces``.
    """

    name: str
    ops: tuple[str, ...]
    num_nodes: int = 4
    distinct_inputs: bool = True
    concat_all: bool = True
    description: str = ""
    parts: tuple[str, ...] = ("normal", "reduce")

    def sample(self, rng: np.random.Generator) -> Genotype:
        cells = []
        for _ in self.parts:
            pairs: list[tuple[str, int]] = []
            used: set[int] = set()
            for i in range(self.num_nodes):
                node = 2 + i
                inputs = rng.choice(node, size=2, replace=not self.distinct_inputs)
                for src in inputs:
                    pairs.append((self.ops[int(rng.integers(len(self.ops)))], int(src)))
                    used.add(int(src))
            inter = range(2, 2 + self.num_nodes)
            concat = list(inter) if self.concat_all else [v for v in inter if v not in used]
            cells.append((pairs, concat))
        (n_pairs, n_concat), (r_pairs, r_concat) = cells
        return Genotype(n_pairs, n_concat, r_pairs, r_concat)

    def cell_of(self, arch: Any, part: str | None = None) -> Cell:
        part = part or "normal"
        if part not in self.parts:
            raise SpaceError(f"space {show(self.name)} has parts {self.parts}, not {show(part)}")
        return darts_enc.cell_from_genotype(arch, part)

    def metric_bounds(self, part: str | None = None) -> Bounds:
        return _genotype_bounds(self)


@lru_cache(maxsize=16)
def _genotype_bounds(space: GenotypeSpace) -> Bounds:
    """Exact bounds by enumerating op-kind structures when small enough, else a seeded sample."""
    from .ops import DEFAULT_REGISTRY

    kinds = sorted({DEFAULT_REGISTRY.code(op) for op in space.ops})
    per_node = []
    for i in range(space.num_nodes):
        node = 2 + i
        choices = (itertools.combinations(range(node), 2) if space.distinct_inputs
                   else itertools.combinations_with_replacement(range(node), 2))
        per_node.append([(a, b, ka, kb) for a, b in choices for ka in kinds for kb in kinds])
    total = int(np.prod([len(p) for p in per_node]))
    if space.concat_all and total <= 300_000:
        n = space.num_nodes + 3
        param = np.zeros((total, n, n))
        free = np.zeros((total, n, n))
        for row, combo in enumerate(itertools.product(*per_node)):
            for i, (a, b, ka, kb) in enumerate(combo):
                for src, k in ((a, ka), (b, kb)):
                    if k == 2:
                        param[row, src, 2 + i] += 1
                    elif k == 1:
                        free[row, src, 2 + i] += 1
        free[:, 2:n - 1, n - 1] = 1
        inp = np.zeros((total, n))
        inp[:, :2] = 1
        d, m = batch_depth_width_dense(param, free, inp, np.full(total, n - 1))
    else:
        d, m = _sampled_depth_width(space, 50_000, seed=0)
    pos = d > 0
    return (float(d[pos].min()), float(d[pos].max())), (float(m[pos].min()), float(m[pos].max()))


def _sampled_depth_width(space: GenotypeSpace, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(d_bar, m_bar) of ``n`` seeded random normal cells, sampled directly as dense kind arrays."""
    from .ops import DEFAULT_REGISTRY

    rng = np.random.default_rng(seed)
    lut = np.array([DEFAULT_REGISTRY.code(op) for op in space.ops])
    k = space.num_nodes
    size = k + 3
    rows = np.arange(n)
    param = np.zeros((n, size, size))
    free = np.zeros((n, size, size))
    used = np.zeros((n, size), dtype=bool)
    for i in range(k):
        node = 2 + i
        first = rng.integers(node, size=n)
        if space.distinct_inputs:
            second = rng.integers(node - 1, size=n)
            second = second + (second >= first)
        else:
            second = rng.integers(node, size=n)
        for src in (first, second):
            kind = lut[rng.integers(len(space.ops), size=n)]
            param[rows, src, node] += kind == 2
            free[rows, src, node] += kind == 1
            used[rows, src] = True
    free[:, 2:size - 1, size - 1] = 1.0 if space.concat_all else ~used[:, 2:size - 1]
    inp = np.zeros((n, size))
    inp[:, :2] = 1
    return batch_depth_width_dense(param, free, inp, np.full(n, size - 1))


# --------------------------------------------------------------------------- registry
_NDS_BASE = ("skip_connect", "avg_pool_3x3", "max_pool_3x3", "sep_conv_3x3", "sep_conv_5x5")

SPACE_FACTORIES: dict[str, Callable[[], Space]] = {}


def register_space(name: str, factory: Callable[[], Space], *, overwrite: bool = False) -> None:
    """Register a space factory under ``name`` (as timm registers models)."""
    if name in SPACE_FACTORIES and not overwrite:
        raise SpaceError(f"space {show(name)} is already registered; pass overwrite=True to replace it")
    SPACE_FACTORIES[name] = factory


register_space("nb201", NB201Space)
register_space("darts", lambda: GenotypeSpace(
    "darts", darts_enc.DARTS_OPS, 4, True, True, "DARTS (4 nodes, 7 ops, distinct inputs, concat all)"))
register_space("enas", lambda: GenotypeSpace(
    "enas", _NDS_BASE, 5, False, False, "NDS ENAS space (5 nodes, 5 ops)"))
register_space("pnas", lambda: GenotypeSpace(
    "pnas", _NDS_BASE + ("sep_conv_7x7", "conv_7x1_1x7", "dil_conv_3x3"), 5, False, False,
    "NDS PNAS space (5 nodes, 8 ops)"))
register_space("amoeba", lambda: GenotypeSpace(
    "amoeba", _NDS_BASE + ("sep_conv_7x7", "conv_7x1_1x7", "dil_sep_conv_3x3"), 5, False, False,
    "NDS AmoebaNet space (5 nodes, 8 ops)"))
register_space("nasnet", lambda: GenotypeSpace(
    "nasnet", _NDS_BASE + ("sep_conv_7x7", "conv_3x1_1x3", "conv_7x1_1x7", "dil_conv_3x3", "max_pool_5x5",
                           "max_pool_7x7", "conv_1x1", "conv_3x3"), 5, False, False,
    "NDS NASNet space (5 nodes, 13 ops)"))


def get_space(name: str | Space) -> Space:
    """The space registered as ``name`` (a :class:`Space` is returned as is)."""
    if isinstance(name, Space):
        return name
    try:
        return SPACE_FACTORIES[name]()
    except (KeyError, TypeError):
        from .errors import show

        raise SpaceError(f"unknown space {show(name)}; available: {', '.join(available_spaces())}") from None


def available_spaces() -> list[str]:
    """Names of the registered spaces."""
    return sorted(SPACE_FACTORIES)
