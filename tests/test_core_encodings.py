"""Cell construction, round trips for every encoding, and bad input."""
from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dagfilter import Cell, DARTS_V1, DARTS_V2, Genotype, parse_arch
from dagfilter.encodings import darts, nb201
from dagfilter.encodings.parse import arch_to_json
from dagfilter.errors import (CellFormatError, DagFilterError, GraphError, IndexOutOfRangeError,
                              UnknownOpError)
from dagfilter.ops import DEFAULT_REGISTRY, OpRegistry

BEST_ISH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def test_nb201_index_order_matches_the_benchmark_table(shared_dir):
    df = pd.read_csv(shared_dir / "data/nb201/nb201_table.csv", usecols=["index", "arch_str"])
    for idx, arch in zip(df["index"], df["arch_str"]):
        cell = Cell.from_nb201_str(arch)
        assert cell.to_nb201_str() == arch
        assert cell.to_nb201_index() == idx
    assert Cell.from_nb201_index(int(df["index"][6111])).to_nb201_str() == df["arch_str"][6111]


@pytest.mark.slow
def test_nb201_round_trips_for_every_cell():
    for i in range(nb201.NUM_ARCHS):
        cell = Cell.from_nb201_index(i)
        assert Cell.from_naslib(cell.to_naslib()) == cell
        assert Cell.from_nb201_ops(cell.nb201_ops()) == cell
        assert Cell.from_nb201_str(cell.to_nb201_str()).to_nb201_index() == i


def test_naslib_encoding_follows_naslib_conventions():
    # NASLib: ops skip=0, none=1, conv3x3=2, conv1x1=3, avgpool=4; edges 0-1, 0-2, 0-3, 1-2, 1-3, 2-3.
    cell = Cell.from_naslib((2, 3, 4, 0, 1, 2))
    assert cell.to_nb201_str() == "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"


def test_parse_arch_accepts_every_encoding_of_the_same_cell():
    cell = Cell.from_nb201_str(BEST_ISH)
    idx = cell.to_nb201_index()
    forms = [BEST_ISH, idx, str(idx), cell.to_naslib(), list(cell.to_naslib()), str(cell.to_naslib()),
             list(cell.nb201_ops()), ",".join(cell.nb201_ops()), cell.to_networkx(), cell]
    for f in forms:
        assert parse_arch(f) == cell, f


def test_genotype_forms_round_trip(shared_dir, tmp_path):
    for g in (DARTS_V1, DARTS_V2):
        as_json = darts.genotype_to_json(g)
        text = json.dumps(as_json)
        repr_text = repr(Genotype(g.normal, range(2, 6), g.reduce, range(2, 6)))
        for form in (g, as_json, text, repr_text):
            back = darts.to_genotype(form)
            assert darts.genotype_to_json(back) == as_json
        normal, reduce = darts.cells_from_genotype(g)
        assert darts.genotype_to_json(darts.genotype_from_cells(normal, reduce)) == as_json
        path = tmp_path / "result.json"
        path.write_text(json.dumps({"chosen_cell": as_json, "score": 1.0}))
        assert darts.genotype_to_json(parse_arch(str(path))) == as_json
    df = pd.read_csv(shared_dir / "data/darts/darts_space_725.csv")
    for text in df["genotype_json"]:
        g = darts.to_genotype(text)
        assert darts.genotype_to_json(darts.genotype_from_cells(*darts.cells_from_genotype(g))) == json.loads(text)


def test_genotype_with_five_nodes_and_loose_end_concat():
    g = {"normal": [["sep_conv_3x3", 0], ["identity", 1], ["max_pool_3x3", 0], ["sep_conv_5x5", 2],
                    ["conv_7x1_1x7", 1], ["avg_pool_3x3", 3], ["dil_sep_conv_3x3", 4], ["skip_connect", 0],
                    ["sep_conv_7x7", 5], ["conv_1x1", 1]],
         "normal_concat": [6], "reduce": [["max_pool_5x5", 0], ["max_pool_7x7", 1]] * 5,
         "reduce_concat": [2, 3, 4, 5, 6]}
    cell = Cell.from_genotype(g)
    assert cell.num_nodes == 8 and cell.output == 7 and cell.inputs == (0, 1)
    reduce = Cell.from_genotype(g, "reduce")
    assert sum(1 for e in reduce.edges if e.op == "concat") == 5


def test_adjacency_round_trips():
    cell = Cell.from_nb201_str(BEST_ISH)
    m, ops = cell.to_adjacency()
    assert Cell.from_adjacency(m, ops) == cell
    # NAS-Bench-101 style: ops on nodes.
    matrix = [[0, 1, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
    node_ops = ["input", "conv3x3-bn-relu", "maxpool3x3", "conv1x1-bn-relu", "output"]
    c101 = Cell.from_adjacency(matrix, node_ops)
    m2, ops2 = c101.to_adjacency(node_ops=True)
    assert m2.tolist() == matrix and ops2 == node_ops
    from dagfilter.metrics import path_stats

    # paths 0-1-3-4 (2 convs), 0-2-3-4 (1 conv), 0-2-4 (0 convs)
    assert sorted(path_stats(c101).path_depths) == [0, 1, 2]


def test_networkx_round_trip_with_named_nodes():
    g = nx.MultiDiGraph()
    g.add_edge("in", "a", op="nor_conv_3x3")
    g.add_edge("in", "a", op="skip_connect")
    g.add_edge("a", "out", op="avg_pool_3x3")
    g.add_edge("in", "out", op="nor_conv_1x1")
    cell = Cell.from_networkx(g)
    assert cell.inputs == (0,) and cell.num_nodes == 3 and len(cell.edges) == 4
    assert Cell.from_networkx(cell.to_networkx()) == cell


def test_arch_to_json_round_trip_for_generic_cells():
    cell = Cell(5, [(0, 2, "linear"), (1, 2, "skip_connect"), (2, 3, "linear"), (0, 3, "none"), (3, 4, "fc")],
                inputs=(0, 1))
    assert parse_arch(json.loads(json.dumps(arch_to_json(cell)))) == cell


def test_cell_equality_ignores_edge_order_but_keeps_it():
    a = Cell(3, [(0, 1, "linear"), (1, 2, "linear"), (0, 2, "skip_connect")])
    b = Cell(3, [(0, 2, "skip_connect"), (0, 1, "linear"), (1, 2, "linear")])
    assert a == b and hash(a) == hash(b)
    assert a.edges[0].op == "linear" and b.edges[0].op == "skip_connect"


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("text, needle", [
    ("|nor_conv_3x3~0|+|nor_conv_3x3~0|", "3 '+'-separated nodes"),
    ("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|", "needs 3 incoming"),
    ("|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|", "op~0"),
    ("nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|", "must look like"),
    ("|conv_9x9~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|", "conv_9x9"),
])
def test_malformed_nb201_strings_name_the_problem(text, needle):
    with pytest.raises(DagFilterError, match=needle.replace("|", r"\|").replace("+", r"\+")):
        Cell.from_nb201_str(text)


def test_bad_values_raise_specific_errors():
    with pytest.raises(CellFormatError, match="6 integers"):
        Cell.from_naslib((0, 1, 2))
    with pytest.raises(CellFormatError, match="outside 0..4"):
        Cell.from_naslib((0, 1, 2, 3, 4, 7))
    with pytest.raises(CellFormatError, match="needs 6 ops"):
        Cell.from_nb201_ops(["none"] * 5)
    with pytest.raises(IndexOutOfRangeError, match="15625"):
        Cell.from_nb201_index(15625)
    with pytest.raises(IndexOutOfRangeError, match="-1"):
        parse_arch(-1)
    with pytest.raises(UnknownOpError, match="'warp_conv'"):
        Cell(2, [(0, 1, "warp_conv")])
    with pytest.raises(GraphError, match="cycle"):
        Cell(4, [(0, 1, "linear"), (1, 2, "linear"), (2, 1, "linear"), (2, 3, "linear")])
    with pytest.raises(GraphError, match="input node 0"):
        Cell(3, [(1, 0, "linear"), (0, 2, "linear")])
    with pytest.raises(GraphError, match="missing output"):
        Cell(3, [(0, 1, "linear")])
    with pytest.raises(GraphError, match="no incoming edge"):
        Cell(4, [(0, 1, "linear"), (2, 3, "linear"), (1, 3, "linear")])
    with pytest.raises(GraphError, match="self loop"):
        Cell(3, [(0, 1, "linear"), (1, 1, "linear"), (1, 2, "linear")])
    with pytest.raises(GraphError, match="outside"):
        Cell(3, [(0, 5, "linear")])
    with pytest.raises(GraphError, match="node 2 can only take inputs"):
        Cell.from_genotype({"normal": [["sep_conv_3x3", 2], ["skip_connect", 0]], "normal_concat": [2],
                            "reduce": [], "reduce_concat": []})
    with pytest.raises(CellFormatError, match="two"):
        Cell.from_genotype({"normal": [["sep_conv_3x3", 0]], "normal_concat": [2], "reduce": [], "reduce_concat": []})
    with pytest.raises(CellFormatError, match="lacks key 'reduce_concat'"):
        darts.to_genotype({"normal": [], "normal_concat": [], "reduce": []})
    with pytest.raises(CellFormatError, match="square"):
        Cell.from_adjacency([[0, 1, 0]], ["linear"])
    with pytest.raises(CellFormatError, match="op list has 1 ops"):
        Cell.from_adjacency([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["linear"])
    with pytest.raises(CellFormatError, match="does not exist"):
        parse_arch("missing_result_file.json")
    with pytest.raises(GraphError, match="cycle"):
        Cell.from_networkx(nx.DiGraph([(0, 1, {"op": "linear"}), (1, 0, {"op": "linear"})]))
    with pytest.raises(CellFormatError, match="no 'op' attribute"):
        Cell.from_networkx(nx.DiGraph([(0, 1)]))


def test_registry_registration_and_unknown_op():
    reg = OpRegistry()
    reg.register("mbconv_3x3", "param")
    assert Cell(2, [(0, 1, "mbconv_3x3")], registry=reg).edge_kinds() == ("param",)
    assert "mbconv_3x3" not in DEFAULT_REGISTRY
    with pytest.raises(DagFilterError, match="already registered"):
        reg.register("mbconv_3x3", "free")
    with pytest.raises(DagFilterError, match="kind"):
        reg.register("x", "weird")  # type: ignore[arg-type]


NB201_OP = st.sampled_from(nb201.NB201_OPS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NB201_OP, min_size=6, max_size=6))
def test_property_nb201_encodings_agree(ops):
    cell = Cell.from_nb201_ops(ops)
    assert parse_arch(cell.to_nb201_str()) == cell
    assert parse_arch(cell.to_nb201_index()) == cell
    assert parse_arch(cell.to_naslib()) == cell


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), st.integers(), st.lists(st.integers(), max_size=8),
                 st.lists(st.text(max_size=12), max_size=8), st.dictionaries(st.text(max_size=8), st.integers()),
                 st.floats(allow_nan=True), st.none()))
@pytest.mark.slow
@example("²")  # str.isdigit() is True for superscripts but int() refuses them (found by this test)
@example("0,0,0,0,0,²")
@example("-٣")
def test_property_garbage_only_raises_our_errors(value):
    try:
        parse_arch(value)
    except DagFilterError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="|+~0123456789_abcdenorvkiplt ", max_size=90))
def test_property_string_mutations_raise_our_errors(text):
    try:
        cell = Cell.from_nb201_str(text)
    except DagFilterError:
        return
    assert cell.to_nb201_str() == text.strip()


@st.composite
def random_dags(draw):
    n = draw(st.integers(3, 7))
    ops = st.sampled_from(["linear", "skip_connect", "none", "avg_pool_3x3", "sep_conv_3x3"])
    edges = [(draw(st.integers(0, v - 1)), v, draw(ops)) for v in range(1, n)]   # a spanning chain-ish tree
    extra = draw(st.lists(st.tuples(st.integers(0, n - 2), st.integers(1, n - 1), ops), max_size=8))
    edges += [(s, d, o) for s, d, o in extra if s < d]
    return Cell(n, edges)


@settings(max_examples=200, deadline=None)
@given(random_dags())
def test_property_random_dags_round_trip_and_match_enumeration(cell):
    from tests.test_core_metrics import brute_force_paths
    from dagfilter.metrics import batch_depth_width, path_stats

    assert Cell.from_networkx(cell.to_networkx()) == cell
    m, ops = cell.to_adjacency()
    assert Cell.from_adjacency(m, ops) == cell
    P, depths, d_ref, m_ref = brute_force_paths(list(cell.edges), list(cell.inputs), cell.output)
    s = path_stats(cell)
    assert s.num_paths == P and s.path_depths == depths
    d, mm = batch_depth_width([cell])
    assert d[0] == pytest.approx(d_ref) and mm[0] == pytest.approx(m_ref)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 6), st.integers(-1, 6), st.sampled_from(["linear", "none", "bogus"])),
                max_size=10), st.integers(-2, 8))
def test_property_random_edge_lists_are_valid_or_rejected_clearly(edges, n):
    try:
        cell = Cell(n, edges)
    except DagFilterError:
        return
    assert cell.output == n - 1
    assert np.isfinite(parse_arch(cell).num_nodes)
