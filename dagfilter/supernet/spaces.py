"""Supernet spaces: what a supernet-based searcher needs to know about a cell space.

An architecture state (:data:`ArchState`) maps each cell part to one tuple of alive op names
per supernet edge: ``{"cell": 6 edges}`` for NAS-Bench-201, ``{"normal": 14, "reduce": 14}``
for DARTS. A space turns such a state into

* the supernet network (:meth:`SupernetSpace.build`, :meth:`SupernetSpace.apply`);
* the cell DAG with a uniform op distribution over the alive ops of each edge, and from it the
  *expected* ``(d_bar, m_bar)`` (:func:`dagfilter.metrics.expected_depth_width`): this is where
  the DAG filter looks at a supernet;
* the final architecture once pruning is done (:meth:`SupernetSpace.derive`): a NAS-Bench-201
  :class:`~dagfilter.cell.Cell` or a DARTS :class:`~dagfilter.genotypes.Genotype`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Mapping, Sequence

from torch import nn

from ..cell import Cell, Edge
from ..errors import ConfigError, SpaceError
from ..metrics import expected_depth_width

ArchState = dict[str, tuple[tuple[str, ...], ...]]


def freeze_arch(arch: Mapping[str, Sequence[Sequence[str]]]) -> ArchState:
    """A normalized copy of an architecture state (tuples of tuples)."""
    return {p: tuple(tuple(e) for e in edges) for p, edges in arch.items()}


class SupernetSpace(ABC):
    """A cell space seen through its supernet."""

    name: str = ""
    parts: tuple[str, ...] = ()
    ops: tuple[str, ...] = ()

    def full_arch(self) -> ArchState:
        """Every edge of every part carrying every op."""
        return {p: tuple(self.ops for _ in range(self.num_edges)) for p in self.parts}

    @property
    @abstractmethod
    def num_edges(self) -> int:
        """Mixed edges per cell part."""

    @abstractmethod
    def structure(self) -> Cell:
        """The cell DAG whose first :attr:`num_edges` edges are the supernet's mixed edges, in order."""

    def edge_probs(self, arch: ArchState, part: str) -> list[dict[str, float]]:
        """Uniform op distribution over the alive ops of each edge of ``structure()``; a removed
        edge (no alive op) is ``{"none": 1}``; edges beyond the mixed ones keep their own op."""
        cell = self.structure()
        out: list[dict[str, float]] = []
        for k, e in enumerate(cell.edges):
            if k < self.num_edges:
                alive = arch[part][k]
                out.append({o: 1.0 for o in alive} if alive else {"none": 1.0})
            else:
                out.append({e.op: 1.0})
        return out

    def expected_metrics(self, arch: ArchState, part: str, method: str = "auto") -> tuple[float, float]:
        """Expected ``(d_bar, m_bar)`` of ``part`` when each edge's op is uniform over its alive ops
        (``method``: see :func:`dagfilter.metrics.expected_depth_width`; ``"plugin"`` is the
        ratio of expected path counts that the DAG-filter authors' TE-NAS code computes)."""
        return expected_depth_width(self.structure(), self.edge_probs(arch, part), method=method)

    @abstractmethod
    def build(self, num_classes: int, C: int, cells: int) -> nn.Module:
        """A freshly initialised supernet (``cells``: cells per stage for NB201, total for DARTS)."""

    @abstractmethod
    def apply(self, net: nn.Module, arch: ArchState) -> nn.Module:
        """Set ``arch`` on a supernet built by :meth:`build`; returns ``net``."""

    def edge_groups(self, arch: ArchState) -> list[tuple[str, int, list[int]]]:
        """For an edge-pruning stage: ``(part, node, alive incoming edge positions)`` of nodes that
        must still lose edges. Empty for spaces without edge selection."""
        return []

    @abstractmethod
    def derive(self, arch: ArchState) -> Any:
        """The final architecture of a fully pruned state.

        Raises:
            ConfigError: an edge still holds more than one op (or a node too many edges).
        """

    def judged_parts(self, filter_part: str) -> tuple[str, ...]:
        """The parts a DAG filter with ``part=filter_part`` judges."""
        if len(self.parts) == 1:
            return self.parts
        return self.parts if filter_part == "both" else (filter_part,)


class NB201SupernetSpace(SupernetSpace):
    """NAS-Bench-201: 6 edges, 5 ops, one shared cell."""

    name = "nb201"
    parts = ("cell",)

    def __init__(self) -> None:
        from ..nets.nb201_spec import NB201_OP_NAMES

        self.ops = tuple(NB201_OP_NAMES)

    @property
    def num_edges(self) -> int:
        return 6

    def structure(self) -> Cell:
        from ..nets.nb201_spec import NB201_EDGES

        return Cell(4, tuple(Edge(s, d, "nor_conv_3x3") for s, d in NB201_EDGES))

    def build(self, num_classes: int, C: int, cells: int) -> nn.Module:
        from .nb201 import NB201Supernet

        return NB201Supernet(num_classes, C, cells, self.ops)

    def apply(self, net: nn.Module, arch: ArchState) -> nn.Module:
        return net.set_arch(arch["cell"])  # type: ignore[operator]

    def derive(self, arch: ArchState) -> Cell:
        edges = arch["cell"]
        if any(len(e) != 1 for e in edges):
            raise ConfigError(f"cannot derive a cell: some edges still hold several ops: {edges}")
        return Cell.from_nb201_ops([e[0] for e in edges])


class DartsSupernetSpace(SupernetSpace):
    """DARTS: normal and reduction cells, 4 intermediate nodes, 14 mixed edges each, 7 ops; the
    final genotype keeps 2 incoming edges per node."""

    name = "darts"
    parts = ("normal", "reduce")

    def __init__(self, steps: int = 4) -> None:
        from ..encodings.darts import DARTS_OPS

        self.ops = tuple(DARTS_OPS)
        self.steps = steps

    @property
    def num_edges(self) -> int:
        return sum(2 + i for i in range(self.steps))

    def structure(self) -> Cell:
        from .darts import darts_edges

        out = 2 + self.steps
        edges = [Edge(s, d, "sep_conv_3x3") for s, d in darts_edges(self.steps)]
        edges += [Edge(v, out, "concat") for v in range(2, out)]
        return Cell(out + 1, tuple(edges), (0, 1), out)

    def build(self, num_classes: int, C: int, cells: int) -> nn.Module:
        from .darts import DartsSupernet

        return DartsSupernet(num_classes, C, cells, self.ops, self.steps)

    def apply(self, net: nn.Module, arch: ArchState) -> nn.Module:
        return net.set_arch(arch)  # type: ignore[operator]

    def edge_groups(self, arch: ArchState) -> list[tuple[str, int, list[int]]]:
        from .darts import darts_edges

        pairs = darts_edges(self.steps)
        groups = []
        for part in self.parts:
            for node in range(2, 2 + self.steps):
                alive = [k for k, (_, d) in enumerate(pairs) if d == node and arch[part][k]]
                if len(alive) > 2:
                    groups.append((part, node, alive))
        return groups

    def derive(self, arch: ArchState) -> Any:
        from ..genotypes import Genotype
        from .darts import darts_edges

        pairs = darts_edges(self.steps)
        fields: dict[str, Any] = {}
        for part in self.parts:
            gene = []
            for node in range(2, 2 + self.steps):
                kept = [(arch[part][k], s) for k, (s, d) in enumerate(pairs) if d == node and arch[part][k]]
                if len(kept) != 2 or any(len(ops) != 1 for ops, _ in kept):
                    raise ConfigError(f"cannot derive a genotype: {part} node {node} keeps {kept}")
                gene.extend((ops[0], s) for ops, s in kept)
            fields[part] = gene
            fields[f"{part}_concat"] = list(range(2, 2 + self.steps))
        return Genotype(**fields)


_SPACES = {"nb201": NB201SupernetSpace, "darts": DartsSupernetSpace}


def get_supernet_space(name: str) -> SupernetSpace:
    """The supernet view of space ``name`` (``nb201`` or ``darts``).

    Raises:
        SpaceError: no supernet for that space.
    """
    key = getattr(name, "name", name)
    if key not in _SPACES:
        raise SpaceError(f"no supernet for space {key!r}; supernet searchers support {', '.join(_SPACES)}")
    return _SPACES[key]()
