"""networkx graphs <-> :class:`~dagfilter.cell.Cell`."""
from __future__ import annotations

from typing import Any, Iterable

import networkx as nx

from ..cell import Cell, Edge
from ..errors import CellFormatError, GraphError, show


def to_networkx(cell: Cell) -> nx.MultiDiGraph:
    """A MultiDiGraph with ``op`` on every edge and ``role`` on every node; graph attrs
    ``inputs`` and ``output``."""
    g = nx.MultiDiGraph(inputs=cell.inputs, output=cell.output)
    for v in range(cell.num_nodes):
        role = "input" if v in cell.inputs else "output" if v == cell.output else "intermediate"
        g.add_node(v, role=role)
    for e in cell.edges:
        g.add_edge(e.src, e.dst, op=e.op)
    return g


def from_networkx(graph: nx.DiGraph, op_attr: str = "op", inputs: Iterable[Any] | None = None,
                  output: Any | None = None) -> Cell:
    """Cell from a networkx DiGraph or MultiDiGraph.

    Nodes may be any hashables; they are renumbered in a topological order (inputs first).
    Inputs default to ``graph.graph['inputs']`` or the nodes with no incoming edge; the output to
    ``graph.graph['output']`` or the single node with no outgoing edge.
    """
    if not isinstance(graph, nx.DiGraph):
        raise CellFormatError(f"expected a networkx DiGraph or MultiDiGraph, got {type(graph).__name__}")
    if graph.number_of_nodes() < 2:
        raise GraphError(f"a cell needs at least 2 nodes, the graph has {graph.number_of_nodes()}")
    try:
        order = list(nx.lexicographical_topological_sort(graph, key=str))
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(graph)
        raise GraphError(f"the graph has a cycle: {cycle}") from None
    ins = list(inputs) if inputs is not None else list(graph.graph.get("inputs", []))
    if not ins:
        ins = [v for v in order if graph.in_degree(v) == 0]
    if output is None:
        output = graph.graph.get("output")
    if output is None:
        sinks = [v for v in order if graph.out_degree(v) == 0]
        if len(sinks) != 1:
            raise GraphError(f"cannot tell the output node: nodes without outgoing edges are {sinks}; pass output=")
        output = sinks[0]
    for v in [*ins, output]:
        if v not in graph:
            raise GraphError(f"node {show(v)} is not in the graph")
    order = [v for v in ins] + [v for v in order if v not in ins]
    ids = {v: i for i, v in enumerate(order)}
    edges = []
    for u, v, data in graph.edges(data=True):
        if op_attr not in data:
            raise CellFormatError(f"edge {show(u)}->{show(v)} has no {show(op_attr)} attribute")
        edges.append(Edge(ids[u], ids[v], data[op_attr]))
    return Cell(len(order), tuple(edges), tuple(ids[v] for v in ins), ids[output])
