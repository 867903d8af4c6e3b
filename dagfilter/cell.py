"""The cell DAG: one small immutable type every encoding converts to.

A :class:`Cell` has ``num_nodes`` feature-map nodes numbered ``0..num_nodes-1``, one or more
input nodes, exactly one output node, and a multigraph of edges, each carrying an op name.
Parallel edges between the same two nodes are distinct edges (they make distinct paths).
Nodes sum their incoming edges; for DARTS-style genotypes the output node receives only the
concatenated nodes, through ``concat`` edges (parameter-free).

Constructors for every encoding users hold live on the class as thin wrappers over
:mod:`dagfilter.encodings`: :meth:`Cell.from_nb201_str`, :meth:`Cell.from_nb201_index`,
:meth:`Cell.from_naslib`, :meth:`Cell.from_nb201_ops`, :meth:`Cell.from_genotype`,
:meth:`Cell.from_adjacency`, :meth:`Cell.from_networkx`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple, Sequence

from .errors import GraphError
from .ops import DEFAULT_REGISTRY, OpRegistry

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import numpy as np


class Edge(NamedTuple):
    """A directed edge ``src -> dst`` carrying operation ``op``."""

    src: int
    dst: int
    op: str


def _short(value: Any) -> str:
    from .errors import show

    return show(value)


def _node_id(value: Any, what: str) -> int:
    """An integer node id (bool, float and str are refused rather than silently truncated)."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or type(value).__name__ == "bool_":
        raise GraphError(f"{what} must be an integer node id, got {_short(value)}")
    return int(value)


@dataclass(frozen=True, eq=False)
class Cell:
    """An immutable, validated cell DAG.

    Args:
        num_nodes: number of nodes; nodes are ``0..num_nodes-1``.
        edges: ``(src, dst, op)`` triples (or :class:`Edge`). Order is kept for round trips;
            equality and hashing ignore it (two cells with the same multiset of edges are equal).
        inputs: the input node ids (default ``(0,)``).
        output: the output node id (default: the last node).
        registry: op registry used to validate op names (default registry if omitted).

    Raises:
        GraphError: more than :data:`~dagfilter.limits.MAX_NODES` nodes or
            :data:`~dagfilter.limits.MAX_EDGES` edges, a registry that is not an
            :class:`~dagfilter.ops.OpRegistry`, a node id out of range, a self loop, an edge into an input node, an
            output that is also an input, a cycle, a non-input node with no incoming edge,
            or an output unreachable from every input.
        UnknownOpError: an op not in the registry.
    """

    num_nodes: int
    edges: tuple[Edge, ...]
    inputs: tuple[int, ...] = (0,)
    output: int = -1
    registry: OpRegistry = field(default=DEFAULT_REGISTRY, repr=False, compare=False)

    def __post_init__(self) -> None:
        from .limits import MAX_EDGES, MAX_NODES

        n = self.num_nodes
        if isinstance(n, bool) or not isinstance(n, int) or n < 2:
            raise GraphError(f"a cell needs an integer number of nodes >= 2, got {_short(n)}")
        if n > MAX_NODES:
            raise GraphError(f"a cell of {n:,} nodes is more than the limit {MAX_NODES:,} (dagfilter.limits.MAX_NODES)")
        if not isinstance(self.registry, OpRegistry):
            raise GraphError(f"registry must be a dagfilter.ops.OpRegistry (omit it for the default), "
                             f"got {_short(self.registry)}")
        raw_edges = self.edges
        if isinstance(raw_edges, (str, bytes)) or not isinstance(raw_edges, Iterable):
            raise GraphError(f"edges must be a sequence of (src, dst, op) triples, got {_short(raw_edges)}")
        if hasattr(raw_edges, "__len__") and len(raw_edges) > MAX_EDGES:
            raise GraphError(f"a cell of {len(raw_edges):,} edges is more than the limit {MAX_EDGES:,} "
                             "(dagfilter.limits.MAX_EDGES)")
        edges_l = []
        for e in raw_edges:
            if len(edges_l) >= MAX_EDGES:  # an iterator without len(): stop at the limit
                raise GraphError(f"a cell of more than {MAX_EDGES:,} edges is more than the limit "
                                 "(dagfilter.limits.MAX_EDGES)")
            if isinstance(e, (str, bytes)) or not isinstance(e, Iterable):
                raise GraphError(f"an edge must be a (src, dst, op) triple, got {_short(e)}")
            e = tuple(e)
            if len(e) != 3:
                raise GraphError(f"an edge must be a (src, dst, op) triple, got {_short(e)}")
            edges_l.append(Edge(_node_id(e[0], "edge source"), _node_id(e[1], "edge target"), e[2]))
        edges = tuple(edges_l)
        raw_inputs = self.inputs
        if isinstance(raw_inputs, (str, bytes)) or not isinstance(raw_inputs, Iterable):
            raise GraphError(f"inputs must be a sequence of node ids, got {_short(raw_inputs)}")
        inputs = tuple(_node_id(i, "input node") for i in raw_inputs)
        output = _node_id(self.output, "output node")
        output = n - 1 if output == -1 else output
        # every non-input node needs an incoming edge: reject huge node counts before allocating
        # per-node arrays (small cells get the more specific message of _validate)
        if n > 4096 and n - len(set(inputs)) > len(edges):
            raise GraphError(f"a cell of {n} nodes and {len(inputs)} input(s) needs at least "
                             f"{n - len(set(inputs))} edges, got {len(edges)}: some node has no incoming edge")
        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "output", output)
        self._validate()

    # ------------------------------------------------------------------ validation
    def _validate(self) -> None:
        n, inputs, output = self.num_nodes, self.inputs, self.output
        if not inputs:
            raise GraphError("a cell needs at least one input node")
        for i in inputs:
            if not 0 <= i < n:
                raise GraphError(f"input node {i} is outside 0..{n - 1}")
        if len(set(inputs)) != len(inputs):
            raise GraphError(f"input nodes repeat: {inputs}")
        if not 0 <= output < n:
            raise GraphError(f"output node {output} is outside 0..{n - 1}")
        if output in inputs:
            raise GraphError(f"output node {output} is also an input node")
        in_set = set(inputs)
        indeg = [0] * n
        codes = []
        for e in self.edges:
            if not isinstance(e.op, str):
                raise GraphError(f"edge {e.src}->{e.dst}: op must be a string, got {_short(e.op)}")
            codes.append(self.registry.code(e.op, where=f"edge {e.src}->{e.dst}"))
            for v in (e.src, e.dst):
                if not 0 <= v < n:
                    raise GraphError(f"edge {e.src}->{e.dst} ({e.op}) names node {v}, outside 0..{n - 1}")
            if e.src == e.dst:
                raise GraphError(f"self loop on node {e.src} ({e.op})")
            if e.dst in in_set:
                raise GraphError(f"edge {e.src}->{e.dst} ({e.op}) goes into input node {e.dst}")
            if e.src == output:
                raise GraphError(f"edge {e.src}->{e.dst} ({e.op}) leaves the output node {output}")
            indeg[e.dst] += 1
        for v in range(n):
            if v not in in_set and indeg[v] == 0:
                raise GraphError(
                    f"node {v} has no incoming edge and is not an input: the graph is disconnected"
                    + (" (missing output)" if v == output else "")
                )
        order = self._toposort()
        pos = {v: i for i, v in enumerate(order)}
        by_dst = sorted(range(len(self.edges)), key=lambda k: pos[self.edges[k].dst])
        reach = set(inputs)
        for k in by_dst:
            if self.edges[k].src in reach:
                reach.add(self.edges[k].dst)
        # Cached for the metrics' DP: kind codes per edge, and edges ordered by their target's
        # topological position (a valid processing order for path-counting DP).
        object.__setattr__(self, "_kind_codes", tuple(codes))
        object.__setattr__(self, "_dp_order", tuple(by_dst))
        object.__setattr__(self, "_topo_pos", tuple(pos[v] for v in range(n)))
        if output not in reach:
            raise GraphError(f"output node {output} is not reachable from the inputs {inputs}")

    def _toposort(self) -> list[int]:
        n = self.num_nodes
        indeg = [0] * n
        succ: list[list[int]] = [[] for _ in range(n)]
        for e in self.edges:
            indeg[e.dst] += 1
            succ[e.src].append(e.dst)
        ready = [v for v in range(n) if indeg[v] == 0]
        order: list[int] = []
        while ready:
            v = ready.pop()
            order.append(v)
            for w in succ[v]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    ready.append(w)
        if len(order) != n:
            stuck = sorted(v for v in range(n) if indeg[v] > 0)
            raise GraphError(f"the cell graph has a cycle through nodes {stuck}")
        object.__setattr__(self, "_order", tuple(order))
        return order

    # ------------------------------------------------------------------ identity
    def _key(self) -> tuple:
        return (self.num_nodes, tuple(sorted(self.edges)), tuple(sorted(self.inputs)), self.output)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        if self.is_nb201():
            return f"Cell.from_nb201_str({self.to_nb201_str()!r})"
        es = ", ".join(f"{e.src}->{e.dst}:{e.op}" for e in self.edges)
        return f"Cell(num_nodes={self.num_nodes}, inputs={self.inputs}, output={self.output}, edges=[{es}])"

    # ------------------------------------------------------------------ structure
    @property
    def topological_order(self) -> tuple[int, ...]:
        """Nodes in a topological order (inputs first)."""
        return self._order  # type: ignore[attr-defined]

    @property
    def ops(self) -> tuple[str, ...]:
        """Op names of the edges, in edge order."""
        return tuple(e.op for e in self.edges)

    def edge_kinds(self) -> tuple[str, ...]:
        """Kind ("param", "free", "zero") of every edge, in edge order."""
        return tuple(self.registry.kind(e.op) for e in self.edges)

    @property
    def kind_codes(self) -> tuple[int, ...]:
        """Integer kind codes of the edges (0 zero, 1 free, 2 param; see :data:`dagfilter.ops.KINDS`)."""
        return self._kind_codes  # type: ignore[attr-defined]

    def is_nb201(self) -> bool:
        """True if the cell has the NAS-Bench-201 structure (4 nodes, 6 edges j->i for j<i)."""
        from .encodings.nb201 import is_nb201_structure

        return is_nb201_structure(self)

    def replace_ops(self, ops: Sequence[str]) -> "Cell":
        """A copy with edge ops replaced (same structure), in edge order."""
        if len(ops) != len(self.edges):
            raise GraphError(f"replace_ops needs {len(self.edges)} ops, got {len(ops)}")
        edges = tuple(Edge(e.src, e.dst, o) for e, o in zip(self.edges, ops))
        return Cell(self.num_nodes, edges, self.inputs, self.output, self.registry)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_nb201_str(cls, arch: str) -> "Cell":
        """From the official NAS-Bench-201 string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``."""
        from .encodings.nb201 import from_str

        return from_str(arch)

    @classmethod
    def from_nb201_ops(cls, ops: Sequence[str]) -> "Cell":
        """From 6 NAS-Bench-201 op names in arch-string order (edges 0-1, 0-2, 1-2, 0-3, 1-3, 2-3)."""
        from .encodings.nb201 import from_ops

        return from_ops(ops)

    @classmethod
    def from_nb201_index(cls, index: int) -> "Cell":
        """From the official NAS-Bench-201 / NATS-Bench topology index (0..15624)."""
        from .encodings.nb201 import from_index

        return from_index(index)

    @classmethod
    def from_naslib(cls, op_indices: Sequence[int]) -> "Cell":
        """From NASLib's 6-integer NAS-Bench-201 op tuple."""
        from .encodings.nb201 import from_naslib

        return from_naslib(op_indices)

    @classmethod
    def from_genotype(cls, genotype: Any, part: str = "normal") -> "Cell":
        """The ``normal`` or ``reduce`` cell of a DARTS ``Genotype`` or NDS genotype dict."""
        from .encodings.darts import cell_from_genotype

        return cell_from_genotype(genotype, part)

    @classmethod
    def from_adjacency(cls, matrix: "np.ndarray | Sequence[Sequence[int]]", ops: Sequence[str]) -> "Cell":
        """From an upper-triangular adjacency matrix and op list (see :mod:`dagfilter.encodings.adjacency`)."""
        from .encodings.adjacency import from_adjacency

        return from_adjacency(matrix, ops)

    @classmethod
    def from_networkx(cls, graph: "nx.DiGraph", op_attr: str = "op", inputs: Iterable[Any] | None = None,
                      output: Any | None = None) -> "Cell":
        """From a networkx (Multi)DiGraph whose edges carry an ``op`` attribute."""
        from .encodings.graph import from_networkx

        return from_networkx(graph, op_attr=op_attr, inputs=inputs, output=output)

    # ------------------------------------------------------------------ conversions
    def to_nb201_str(self) -> str:
        """The official NAS-Bench-201 string (only for NAS-Bench-201-shaped cells)."""
        from .encodings.nb201 import to_str

        return to_str(self)

    def nb201_ops(self) -> tuple[str, ...]:
        """The 6 op names in NAS-Bench-201 arch-string order."""
        from .encodings.nb201 import to_ops

        return to_ops(self)

    def to_nb201_index(self) -> int:
        """The official NAS-Bench-201 index of this cell."""
        from .encodings.nb201 import to_index

        return to_index(self)

    def to_naslib(self) -> tuple[int, ...]:
        """NASLib's 6-integer op tuple."""
        from .encodings.nb201 import to_naslib

        return to_naslib(self)

    def to_adjacency(self, node_ops: bool = False) -> tuple["np.ndarray", list[str]]:
        """Adjacency matrix and op list (edge ops, or NAS-Bench-101 node ops if ``node_ops``)."""
        from .encodings.adjacency import to_adjacency

        return to_adjacency(self, node_ops=node_ops)

    def to_networkx(self) -> "nx.MultiDiGraph":
        """A networkx MultiDiGraph with an ``op`` attribute on every edge."""
        from .encodings.graph import to_networkx

        return to_networkx(self)
