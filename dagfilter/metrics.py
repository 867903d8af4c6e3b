"""Effective depth and width, path statistics, the NNGP bound (Eq. 12) and NN-Mass.

All functions here are pure. Definitions (Chen et al., "effective depth/width" paper, Def. 4.1):
over the ``P`` unique input->output paths of a cell, with ``d_p`` the number of parameterized
ops on path ``p`` (skip and pooling count 0, ``none`` edges cut the path),

    d_bar = (sum_p d_p) / P,        m_bar = #{p : d_p > 0} / d_bar.

Paths start at *every* input node. Parallel edges are distinct paths. Everything is computed
by dynamic programming over a topological order - linear in the number of edges, no path
enumeration.

Convention for degenerate cells (the paper's): a cell with no input->output path (P = 0) or
with d_bar = 0 (only parameter-free paths) has ``d_bar = m_bar = 0``; no division error.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .cell import Cell
from .errors import DagFilterError
from .ops import FREE, PARAM, ZERO


MAX_PATH_LIST = 1_000_000
"""Most paths :attr:`PathStats.path_depths` lists one by one (the histogram has no limit)."""


def _magnitude(n: int) -> str:
    """``n`` with thousands separators, or ``about 10^k`` for huge counts (no slow int->str)."""
    return f"{n:,}" if n < 10 ** 15 else f"about 10^{int(n.bit_length() * math.log10(2))}"


@dataclass(frozen=True)
class PathStats:
    """Path statistics of a cell (exact integers, however many paths).

    Attributes:
        num_paths: P, the number of unique input->output paths (zero edges cut paths).
        depth_sum: sum_p d_p.
        num_param_paths: #{p : d_p > 0}.
        depth_hist: ``depth_hist[k]`` = number of paths with exactly ``k`` parameterized ops
            (computed on first use: O(E * depth) work, refused above :data:`MAX_HIST_WORK`).
    """

    num_paths: int
    depth_sum: int
    num_param_paths: int
    cell: Cell | None = field(default=None, repr=False, compare=False)

    @property
    def depth_hist(self) -> tuple[int, ...]:
        """The path-depth histogram (see the class docstring)."""
        cached = self.__dict__.get("_hist")
        if cached is None:
            if self.cell is None:
                raise DagFilterError("this PathStats was built without its cell; no histogram")
            cached = depth_histogram(self.cell)
            object.__setattr__(self, "_hist", cached)
        return cached

    @property
    def depth_counts(self) -> dict[int, int]:
        """The path-depth histogram as ``{d: number of paths of depth d}`` (non-zero counts only;
        exact integers, however many paths there are)."""
        return {k: c for k, c in enumerate(self.depth_hist) if c}

    @property
    def path_depths(self) -> list[int]:
        """The multiset of d_p as a sorted list (length P).

        Raises :class:`DagFilterError` when P exceeds :data:`MAX_PATH_LIST` (a Fibonacci-shaped
        cell of 40 nodes has ~10^8 paths): use :attr:`depth_hist` / :attr:`depth_counts`, which
        hold the same information in space linear in the depth.
        """
        if self.num_paths > MAX_PATH_LIST:
            raise DagFilterError(f"the cell has {_magnitude(self.num_paths)} paths, too many to list one by one "
                                 f"(limit {MAX_PATH_LIST:,}); use depth_hist / depth_counts")
        return [k for k, c in enumerate(self.depth_hist) for _ in range(c)]

    @property
    def d_bar(self) -> float:
        """Effective depth (0 for a cell without paths); exact integer ratio, correctly rounded."""
        return self.depth_sum / self.num_paths if self.num_paths else 0.0

    @property
    def m_bar(self) -> float:
        """Effective width (0 when d_bar = 0), from exact integers: ``#{p: d_p > 0} * P / sum_p d_p``.

        A cell with astronomically many paths can have m_bar above the float range (~1.8e308);
        it is then ``inf`` (such a cell lies outside every filter window).
        """
        s = self.depth_sum
        if not self.num_paths or s == 0:
            return 0.0
        try:
            return (self.num_param_paths * self.num_paths) / s
        except OverflowError:
            return math.inf


def as_cell(arch: object, what: str = "this function") -> Cell:
    """``arch`` as a :class:`Cell`: a Cell as is, any single-cell encoding through
    :func:`~dagfilter.encodings.parse.parse_arch`; a two-cell genotype is an error naming the fix."""
    if isinstance(arch, Cell):
        return arch
    from .encodings.parse import parse_arch

    out = parse_arch(arch)
    if not isinstance(out, Cell):
        raise DagFilterError(f"{what} needs one cell; a genotype has two: pass Cell.from_genotype(g, 'normal') "
                             f"or Cell.from_genotype(g, 'reduce')")
    return out


def path_stats(cell: Cell) -> PathStats:
    """Count paths, their summed depth and the paths of positive depth by one DP over the cell's
    topological order: O(E) exact-integer additions, no path enumeration. The depth histogram
    (:attr:`PathStats.depth_hist`) is computed when first asked for. ``cell`` may be any
    single-cell encoding.
    """
    cell = as_cell(cell, "path_stats")
    n = cell.num_nodes
    cnt, sumd, pos = [0] * n, [0] * n, [0] * n
    for v in cell.inputs:
        cnt[v] = 1
    edges, codes = cell.edges, cell.kind_codes
    for k in cell._dp_order:  # type: ignore[attr-defined]
        code = codes[k]
        if code == ZERO:
            continue
        src, dst = edges[k].src, edges[k].dst
        c = cnt[src]
        if not c:
            continue
        cnt[dst] += c
        if code == PARAM:
            sumd[dst] += sumd[src] + c
            pos[dst] += c
        else:
            sumd[dst] += sumd[src]
            pos[dst] += pos[src]
    o = cell.output
    return PathStats(num_paths=cnt[o], depth_sum=sumd[o], num_param_paths=pos[o], cell=cell)


MAX_HIST_WORK = 20_000_000
"""Most integer additions :func:`depth_histogram` performs (a 40-node Fibonacci cell needs ~1,700;
a 10,000-node one ~10^8, refused)."""


def depth_histogram(cell: Cell, max_work: int = MAX_HIST_WORK) -> tuple[int, ...]:
    """``hist[k]`` = number of input->output paths with exactly ``k`` parameterized ops (exact).

    DP over the topological order carrying one histogram per node: O(E * depth) additions, so
    polynomial however many paths there are. Raises :class:`DagFilterError` when the work would
    exceed ``max_work`` additions.
    """
    cell = as_cell(cell, "depth_histogram")
    n = cell.num_nodes
    edges, codes = cell.edges, cell.kind_codes
    order = cell._dp_order  # type: ignore[attr-defined]
    # longest histogram per node first: it bounds the work before any big-integer addition
    length = [0] * n
    for v in cell.inputs:
        length[v] = 1
    work = 0
    for k in order:
        code = codes[k]
        src, dst = edges[k].src, edges[k].dst
        if code == ZERO or not length[src]:
            continue
        work += length[src]
        length[dst] = max(length[dst], length[src] + (1 if code == PARAM else 0))
    if work > max_work:
        raise DagFilterError(f"the path-depth histogram of this cell ({n} nodes, {len(edges)} edges) needs "
                             f"{work:,} additions, more than the limit {max_work:,}; d_bar and m_bar do not need it")
    hist: list[Any] = [None] * n
    for v in cell.inputs:
        hist[v] = np.array([1], dtype=object)
    for k in order:
        code = codes[k]
        if code == ZERO:
            continue
        src, dst = edges[k].src, edges[k].dst
        h = hist[src]
        if h is None:
            continue
        if hist[dst] is None:
            hist[dst] = np.zeros(length[dst], dtype=object)
            hist[dst][:] = 0
        shift = 1 if code == PARAM else 0
        hist[dst][shift:shift + len(h)] += h
    out = [] if hist[cell.output] is None else [int(c) for c in hist[cell.output]]
    while out and out[-1] == 0:
        out.pop()
    return tuple(out)


def depth_width(cell: Cell) -> tuple[float, float]:
    """``(d_bar, m_bar)`` of a cell (see module docstring for the degenerate-cell convention)."""
    s = path_stats(cell)
    return s.d_bar, s.m_bar


def effective_depth(cell: Cell) -> float:
    """d_bar of a cell (0 if it has no path)."""
    return path_stats(cell).d_bar


def effective_width(cell: Cell) -> float:
    """m_bar of a cell (0 if d_bar = 0)."""
    return path_stats(cell).m_bar


# --------------------------------------------------------------------------- vectorized batch
def dense_kind_counts(cells: Sequence[Cell], num_nodes: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pack cells into dense arrays for :func:`batch_depth_width_dense`.

    Each cell's nodes are renumbered in its topological order and padded to ``num_nodes``.
    Returns ``(param, free, input_mask, output)``: ``param[i, u, v]`` / ``free[i, u, v]`` are the
    numbers of parameterized / parameter-free edges ``u -> v`` of cell ``i``.
    """
    n = num_nodes or max((c.num_nodes for c in cells), default=2)
    N = len(cells)
    big = [i for i, c in enumerate(cells) if c.num_nodes > n]
    if big:
        raise DagFilterError(f"cell {big[0]} has {cells[big[0]].num_nodes} nodes, more than num_nodes={n}")
    cell_idx, srcs, dsts, kinds, in_rows, in_cols = [], [], [], [], [], []
    out = np.zeros(N, dtype=np.int64)
    for i, c in enumerate(cells):
        pos = c._topo_pos  # type: ignore[attr-defined]
        m = len(c.edges)
        cell_idx.extend([i] * m)
        srcs.extend(pos[e.src] for e in c.edges)
        dsts.extend(pos[e.dst] for e in c.edges)
        kinds.extend(c.kind_codes)
        in_rows.extend([i] * len(c.inputs))
        in_cols.extend(pos[v] for v in c.inputs)
        out[i] = pos[c.output]
    ci, si, di, ki = (np.asarray(a, dtype=np.int64) for a in (cell_idx, srcs, dsts, kinds))
    param = np.zeros((N, n, n), dtype=np.int64)
    free = np.zeros((N, n, n), dtype=np.int64)
    sel = ki == PARAM
    np.add.at(param, (ci[sel], si[sel], di[sel]), 1)
    sel = ki == FREE
    np.add.at(free, (ci[sel], si[sel], di[sel]), 1)
    inp = np.zeros((N, n), dtype=np.int64)
    inp[np.asarray(in_rows, dtype=np.int64), np.asarray(in_cols, dtype=np.int64)] = 1
    return param, free, inp, out


def batch_path_counts(param: np.ndarray, free: np.ndarray, input_mask: np.ndarray, output: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorized DP: ``(P, sum_p d_p, #{p: d_p>0})`` for a batch of dense cells.

    Arrays: ``param``/``free`` ``(N, n, n)`` edge counts (float for expected values), nodes in
    topological order (all edges ``u -> v`` with ``u < v``); ``input_mask`` ``(N, n)``;
    ``output`` ``(N,)`` node ids.
    """
    param = np.asarray(param, dtype=np.float64)
    free = np.asarray(free, dtype=np.float64)
    if param.shape != free.shape or param.ndim != 3 or param.shape[1] != param.shape[2]:
        raise DagFilterError(f"param/free must both be (N, n, n) arrays, got {param.shape} and {free.shape}")
    N, n, _ = param.shape
    if np.any(np.tril(np.abs(param) + np.abs(free)).sum(axis=0) > 0):
        raise DagFilterError("dense cells must be in topological order: found an edge u -> v with u >= v")
    total = param + free
    cnt = np.asarray(input_mask, dtype=np.float64).copy()
    if cnt.shape != (N, n):
        raise DagFilterError(f"input_mask must have shape {(N, n)}, got {cnt.shape}")
    sumd = np.zeros((N, n))
    pos = np.zeros((N, n))
    for v in range(1, n):
        cu, su, pu = cnt[:, :v], sumd[:, :v], pos[:, :v]
        t, p, f = total[:, :v, v], param[:, :v, v], free[:, :v, v]
        cnt[:, v] += (t * cu).sum(axis=1)
        sumd[:, v] = (t * su + p * cu).sum(axis=1)
        pos[:, v] = (f * pu + p * cu).sum(axis=1)
    idx = np.arange(N)
    out = np.asarray(output, dtype=np.int64)
    return cnt[idx, out], sumd[idx, out], pos[idx, out]


def depth_width_from_counts(P: np.ndarray, depth_sum: np.ndarray, param_paths: np.ndarray
                            ) -> tuple[np.ndarray, np.ndarray]:
    """``(d_bar, m_bar)`` arrays from path counts, with the 0 convention for degenerate cells."""
    P = np.asarray(P, dtype=np.float64)
    d = np.divide(depth_sum, P, out=np.zeros_like(P), where=P > 0)
    m = np.divide(param_paths, d, out=np.zeros_like(P), where=d > 0)
    return d, m


def batch_depth_width_dense(param: np.ndarray, free: np.ndarray, input_mask: np.ndarray,
                            output: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(d_bar, m_bar)`` arrays for a batch of dense cells (see :func:`batch_path_counts`)."""
    return depth_width_from_counts(*batch_path_counts(param, free, input_mask, output))


DENSE_MAX_NODES = 64
"""Cells with more nodes skip the dense (N, n, n) batch and use the exact per-cell DP."""


def batch_depth_width(cells: Sequence[Cell]) -> tuple[np.ndarray, np.ndarray]:
    """``(d_bar, m_bar)`` arrays for any list of cells (or single-cell encodings).

    Small cells go through the vectorized dense DP; cells of more than :data:`DENSE_MAX_NODES`
    nodes, and any whose float path counts overflow, through the exact integer DP.
    """
    if isinstance(cells, (str, bytes, Cell)) or not hasattr(cells, "__len__"):
        raise DagFilterError(f"batch_depth_width needs a list of cells, got {type(cells).__name__}")
    cells = [as_cell(c, "batch_depth_width") for c in cells]
    if len(cells) == 0:
        return np.zeros(0), np.zeros(0)
    small = [i for i, c in enumerate(cells) if c.num_nodes <= DENSE_MAX_NODES]
    exact = [i for i, c in enumerate(cells) if c.num_nodes > DENSE_MAX_NODES]
    d = np.zeros(len(cells))
    m = np.zeros(len(cells))
    if small:
        P, s, pp = batch_path_counts(*dense_kind_counts([cells[i] for i in small]))
        d[small], m[small] = depth_width_from_counts(P, s, pp)
        exact += [small[j] for j in np.nonzero(~(np.isfinite(P) & np.isfinite(s) & np.isfinite(pp)))[0]]
    for i in exact:
        st = path_stats(cells[i])
        d[i], m[i] = st.d_bar, st.m_bar
    return d, m


def nb201_kind_codes(op_codes: np.ndarray) -> np.ndarray:
    """Map NAS-Bench-201 op codes (indices into ``NB201_OPS``) to kind codes (0 zero, 1 free, 2 param)."""
    from .encodings.nb201 import NB201_OPS
    from .ops import DEFAULT_REGISTRY

    lut = np.array([DEFAULT_REGISTRY.code(op) for op in NB201_OPS], dtype=np.int64)
    codes = np.asarray(op_codes, dtype=np.int64)
    if codes.ndim != 2 or codes.shape[1] != 6:
        raise DagFilterError(f"NAS-Bench-201 op codes must have shape (N, 6), got {codes.shape}")
    if codes.size and (codes.min() < 0 or codes.max() >= len(NB201_OPS)):
        raise DagFilterError(f"NAS-Bench-201 op codes must be in 0..{len(NB201_OPS) - 1}")
    return lut[codes]


def nb201_depth_width(op_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized ``(d_bar, m_bar)`` for NAS-Bench-201 cells given as ``(N, 6)`` op codes in
    arch-string order (e.g. :func:`dagfilter.encodings.nb201.index_codes` for the whole space)."""
    from .encodings.nb201 import NB201_EDGES

    kinds = nb201_kind_codes(op_codes)
    N = kinds.shape[0]
    param = np.zeros((N, 4, 4))
    free = np.zeros((N, 4, 4))
    for k, (s, d) in enumerate(NB201_EDGES):
        param[:, s, d] = kinds[:, k] == PARAM
        free[:, s, d] = kinds[:, k] == FREE
    inp = np.zeros((N, 4))
    inp[:, 0] = 1
    return batch_depth_width_dense(param, free, inp, np.full(N, 3))


# --------------------------------------------------------------------------- expected metrics
def _kind_probs(cell: Cell, edge_probs: Sequence[Mapping[str, float]]) -> np.ndarray:
    if len(edge_probs) != len(cell.edges):
        raise DagFilterError(f"need one op distribution per edge: {len(cell.edges)} edges, "
                             f"{len(edge_probs)} distributions")
    out = np.zeros((len(cell.edges), 3))
    for k, dist in enumerate(edge_probs):
        if not isinstance(dist, Mapping) or not dist:
            raise DagFilterError(f"edge {k}: op distribution must be a non-empty {{op: prob}} mapping, got {_show(dist)}")
        for op, p in dist.items():
            if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not (p >= 0) \
                    or not math.isfinite(p):
                raise DagFilterError(f"edge {k}: probability of {_show(op)} must be finite and >= 0, got {_show(p)}")
            out[k, cell.registry.code(op, where=f"edge {k}")] += p
        total = out[k].sum()
        if total <= 0:
            raise DagFilterError(f"edge {k}: op distribution sums to 0")
        out[k] /= total
    return out


def expected_depth_width(cell: Cell, edge_probs: Sequence[Mapping[str, float]], method: str = "auto",
                         max_exact: int = 3 ** 10) -> tuple[float, float]:
    """Expected ``(d_bar, m_bar)`` when edge ``k`` of ``cell`` carries op ``o`` with probability
    ``edge_probs[k][o]`` independently (a supernet under pruning, or a sampling distribution).

    The cell's own op names are ignored; only its structure is used.

    Methods:
        ``"exact"``: E[d_bar] and E[m_bar] over all op-kind assignments (3**E at most; raises if
            more than ``max_exact``);
        ``"plugin"``: d_bar and m_bar of the expected path counts (E[sum d_p] / E[P], ...): linear
            time, a ratio-of-expectations approximation;
        ``"auto"``: exact when at most ``max_exact`` assignments have non-zero probability, else plugin.
    """
    cell = as_cell(cell, "expected_depth_width")
    if isinstance(edge_probs, (str, bytes, Mapping)) or not hasattr(edge_probs, "__len__"):
        raise DagFilterError(f"edge_probs must be a list of {{op: probability}} mappings, one per edge, "
                             f"got {type(edge_probs).__name__}")
    probs = _kind_probs(cell, edge_probs)
    support = [np.nonzero(row > 0)[0] for row in probs]
    n_assign = math.prod(len(s) for s in support)
    if method == "auto":
        method = "exact" if n_assign <= max_exact else "plugin"
    base = _single_dense(cell)
    if method == "plugin":
        param = np.zeros_like(base[0], dtype=np.float64)
        free = np.zeros_like(param)
        for k, (src, dst) in enumerate(base[4]):
            param[0, src, dst] += probs[k, PARAM]
            free[0, src, dst] += probs[k, FREE]
        d, m = batch_depth_width_dense(param, free, base[2], base[3])
        return float(d[0]), float(m[0])
    if method != "exact":
        raise DagFilterError(f"method must be 'auto', 'exact' or 'plugin', got {_show(method)}")
    if n_assign > max_exact:
        raise DagFilterError(f"{n_assign} op-kind assignments exceed max_exact={max_exact}; use method='plugin'")
    combos = np.array(list(itertools.product(*support)), dtype=np.int64).reshape(n_assign, len(support))
    weights = np.prod(probs[np.arange(len(support))[None, :], combos], axis=1)
    n = base[0].shape[1]
    param = np.zeros((n_assign, n, n))
    free = np.zeros((n_assign, n, n))
    for k, (src, dst) in enumerate(base[4]):
        param[:, src, dst] += combos[:, k] == PARAM
        free[:, src, dst] += combos[:, k] == FREE
    inp = np.repeat(base[2], n_assign, axis=0)
    d, m = batch_depth_width_dense(param, free, inp, np.repeat(base[3], n_assign))
    return float(weights @ d), float(weights @ m)


def _single_dense(cell: Cell) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]]]:
    pos = {v: k for k, v in enumerate(cell.topological_order)}
    n = cell.num_nodes
    inp = np.zeros((1, n))
    for v in cell.inputs:
        inp[0, pos[v]] = 1
    pairs = [(pos[e.src], pos[e.dst]) for e in cell.edges]
    return np.zeros((1, n, n)), np.zeros((1, n, n)), inp, np.array([pos[cell.output]]), pairs


# --------------------------------------------------------------------------- NNGP bound (Eq. 12)
def relu_nngp_map(rho: np.ndarray | float) -> np.ndarray | float:
    """The NNGP correlation map f of a ReLU layer with c_sigma = 2 (normalized arc-cosine kernel).

    For unit-variance inputs with correlation rho: ``f(rho) = (sqrt(1 - rho^2) + (pi - arccos rho) rho) / pi``;
    f(1) = 1, f is increasing, and f(rho) >= rho on [0, 1].
    """
    r = np.clip(np.asarray(rho, dtype=np.float64), -1.0, 1.0)
    out = (np.sqrt(1.0 - r * r) + (np.pi - np.arccos(r)) * r) / np.pi
    return float(out) if np.ndim(out) == 0 else out


def nngp_bound_from_depths(path_depths: Iterable[int], rho: float | np.ndarray) -> float:
    """Eq. 12: ``min_{i!=j} (P - sum_p f^{d_p}(K0_ij))`` for paths of depths ``d_p``.

    ``rho`` is the input correlation K0_ij of unit-variance inputs: a scalar, or an array of
    pairwise correlations (the minimum over pairs is returned), or a full Gram matrix
    (its off-diagonal correlations are used).
    """
    hist: dict[int, int] = {}
    for d in path_depths:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise DagFilterError(f"path depths must be integers >= 0, got {_show(d)}")
        hist[int(d)] = hist.get(int(d), 0) + 1
    return nngp_bound_from_hist(hist, rho)


def nngp_bound_from_hist(depth_counts: Mapping[int, int] | Sequence[int], rho: float | np.ndarray) -> float:
    """Eq. 12 from a path-depth histogram: ``{d: count}`` or a sequence whose entry ``d`` is the
    number of paths of depth ``d`` (:attr:`PathStats.depth_hist`). Linear in the depth, exact
    counts; a bound above the float range (astronomically many paths) is ``inf``."""
    items = depth_counts.items() if isinstance(depth_counts, Mapping) else enumerate(depth_counts)
    hist: dict[int, int] = {}
    for d, c in items:
        for name, v in (("depth", d), ("path count", c)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise DagFilterError(f"path-depth histogram: {name} must be an integer >= 0, got {_show(v)}")
        if c:
            hist[int(d)] = hist.get(int(d), 0) + int(c)
    r = _correlations(rho)
    # P - sum_p f^{d_p}(r) = sum_d count_d * (1 - f^d(r)); f is applied once per depth step
    total = np.zeros_like(r)
    v = r.copy()
    level = 0
    for d in sorted(hist):
        while level < d:
            v = np.asarray(relu_nngp_map(v), dtype=np.float64).reshape(r.shape)
            level += 1
        gap = 1.0 - v
        count = hist[d]
        fc = float(count) if count.bit_length() < 1000 else math.inf
        with np.errstate(invalid="ignore", over="ignore"):
            total += np.where(gap == 0, 0.0, fc * gap)
    return float(np.min(total))


def _correlations(rho: float | np.ndarray) -> np.ndarray:
    try:
        r = np.asarray(rho, dtype=np.float64)
    except (TypeError, ValueError, OverflowError, MemoryError):
        raise DagFilterError(f"rho must be a correlation, an array of them or a Gram matrix, got {_show(rho)}") from None
    if r.ndim == 2:
        if r.shape[0] != r.shape[1] or r.shape[0] < 2:
            raise DagFilterError(f"a Gram matrix must be square with >= 2 samples, got shape {r.shape}")
        diag = np.sqrt(np.diag(r))
        if np.any(diag <= 0):
            raise DagFilterError("Gram matrix has a non-positive diagonal entry")
        corr = r / np.outer(diag, diag)
        r = corr[~np.eye(r.shape[0], dtype=bool)]
    r = np.atleast_1d(r).ravel()
    if r.size == 0 or np.any(~np.isfinite(r)) or np.any(np.abs(r) > 1 + 1e-9):
        raise DagFilterError(f"input correlations must be finite and within [-1, 1], got {_show(rho)}")
    return r


def nngp_bound(cell: Cell, rho: float | np.ndarray = 0.5) -> float:
    """Eq. 12 upper bound on lambda_min(K^(H)) of a cell for input correlation(s) ``rho``."""
    return nngp_bound_from_hist(path_stats(cell).depth_hist, rho)


# --------------------------------------------------------------------------- NN-Mass
def _check_dwt(depths: Sequence[int], widths: Sequence[int], tcs: Sequence[int]) -> None:
    from .errors import show

    for name, vals in (("depths", depths), ("widths", widths), ("tcs", tcs)):
        if isinstance(vals, (str, bytes, dict)) or not hasattr(vals, "__len__") or not hasattr(vals, "__iter__"):
            raise DagFilterError(f"{name} must be a list of integers, one per cell, got {show(vals)}")
    if not (len(depths) == len(widths) == len(tcs)) or not depths:
        raise DagFilterError(f"depths, widths and tcs need one entry per cell; got {len(depths)}, "
                             f"{len(widths)}, {len(tcs)}")
    for name, vals, lo in (("depth", depths, 1), ("width", widths, 1), ("t_c", tcs, 0)):
        for v in vals:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
                raise DagFilterError(f"cell {name} must be an integer >= {lo}, got {show(v)}")


def _long_range_sum(d: int, w: int, t: int) -> int:
    return sum(min(w * (i - 1), t) for i in range(2, d))


def cell_density(depth: int, width: int, tc: int) -> float:
    """Cell density rho_c (NN-Mass papers, Eq. 1): actual / possible long-range links.

    ``2 * sum_{i=2}^{d-1} min(w (i-1), t) / (w (d-1)(d-2))``; 0 for cells of fewer than 3 layers
    (no long-range link is possible there).
    """
    _check_dwt([depth], [width], [tc])
    if depth < 3:
        return 0.0
    return 2.0 * _long_range_sum(depth, width, tc) / (width * (depth - 1) * (depth - 2))


def nn_density(depths: Sequence[int], widths: Sequence[int], tcs: Sequence[int]) -> float:
    """NN-Density (Eq. 2): the mean cell density over the cells."""
    _check_dwt(depths, widths, tcs)
    return float(np.mean([cell_density(d, w, t) for d, w, t in zip(depths, widths, tcs)]))


def nn_mass(depths: Sequence[int], widths: Sequence[int], tcs: Sequence[int]) -> float:
    """NN-Mass (Eq. 3): ``sum_c w_c d_c rho_c``.

    The papers' worked example (d_c = 4, w_c = [2, 3, 4], t_c = [3, 4, 5]) gives 28.
    """
    _check_dwt(depths, widths, tcs)
    return float(sum(w * d * cell_density(d, w, t) for d, w, t in zip(depths, widths, tcs)))


def average_degree(width: int, mass: float) -> float:
    """Average degree of a network of width ``w_c`` and NN-Mass ``m`` (Proposition 1): ``w_c + m/2``."""
    return float(width) + float(mass) / 2.0


def cell_long_range_links(cell: Cell) -> int:
    """Distinct node pairs ``(u, v)`` joined by a non-zero edge that skips at least one node
    (``v`` at least two places after ``u`` in the topological order)."""
    pos = {v: k for k, v in enumerate(cell.topological_order)}
    pairs = {(e.src, e.dst) for e in cell.edges
             if cell.registry.code(e.op) != ZERO and pos[e.dst] - pos[e.src] >= 2}
    return len(pairs)


def _show(v: object) -> str:
    from .errors import show

    return show(v)


def cell_nn_mass(cell: Cell, width: int = 16) -> float:
    """NN-Mass of a NAS cell - an adaptation; the papers define NN-Mass only for DenseNet-like nets.

    Adaptation: each node of the cell is a "layer" of ``width`` channels (the cell's channel
    count, 16 for the first NAS-Bench-201 stage), in topological order, so ``d_c`` is the number
    of nodes. A long-range link is a non-zero edge (any op but ``none``) that skips at least one
    node; it carries all ``width`` channels of its source, as a concatenation link of the papers
    does. Several edges between the same two nodes count once, so the density stays in [0, 1]:

        rho = L / ((d_c - 1)(d_c - 2) / 2),  NN-Mass = width * d_c * rho,

    with ``L`` from :func:`cell_long_range_links`. Cells of fewer than 3 nodes have mass 0.
    """
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise DagFilterError(f"width must be an integer >= 1, got {_show(width)}")
    cell = as_cell(cell, "cell_nn_mass")
    d = cell.num_nodes
    if d < 3:
        return 0.0
    rho = cell_long_range_links(cell) / ((d - 1) * (d - 2) / 2)
    return float(width * d * rho)
