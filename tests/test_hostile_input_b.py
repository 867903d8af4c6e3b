"""Hostile input, second pass (issue 28, part B): clear errors instead of tracebacks in the
encodings, cells and CLI arguments; the documented limits of :mod:`dagfilter.limits` applied in
the API as in the CLI, before any work; adjacency and genotype values that used to give silently
wrong answers; short error echoes; NASLib entries and index digits."""
from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

import dagfilter as dg
from dagfilter.cli import main
from dagfilter.errors import CellFormatError, ConfigError, DagFilterError, DataError, GraphError
from dagfilter.genotypes import Genotype
from dagfilter.limits import MAX_EDGES, MAX_NODES, MAX_RUNS, MAX_SAMPLES, MAX_TITLE_CHARS

PAIRS = [("sep_conv_3x3", 0), ("sep_conv_3x3", 1)]


def _genotype(**kw) -> Genotype:
    return Genotype(**{"normal": PAIRS, "normal_concat": [2], "reduce": PAIRS, "reduce_concat": [2], **kw})


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    rc = main(argv)
    err = capsys.readouterr().err
    return rc, err


def _one_line_error(rc: int, err: str, *words: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2 and len(lines) == 1 and "Traceback" not in err, err[-500:]
    for w in words:
        assert w in lines[0], lines[0]


# --------------------------------------------------------------------------- 1. tracebacks -> errors
def test_genotype_text_with_a_range_longer_than_sys_maxsize_is_one_line(capsys) -> None:
    text = ("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=range(10000000000000000000000), "
            "reduce=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], reduce_concat=[2])")
    _one_line_error(*_cli(["metrics", text], capsys), "range(")


def test_genotype_object_with_a_huge_range_concat_is_refused_at_once() -> None:
    for concat in (range(10 ** 22), range(10 ** 18), range(3, 10 ** 22, 7)):
        t = time.perf_counter()
        with pytest.raises(CellFormatError, match="limit"):
            dg.Cell.from_genotype(_genotype(normal_concat=concat))
        with pytest.raises(CellFormatError, match="reduce_concat.*limit"):
            dg.parse_arch(_genotype(reduce_concat=concat))
        assert time.perf_counter() - t < 1.0


def test_naslib_tuple_of_inf_is_a_cell_format_error() -> None:
    with pytest.raises(CellFormatError, match="inf"):
        dg.Cell.from_naslib((float("inf"), 1, 2, 3, 4, 2))


@pytest.mark.parametrize("seed", ["-1", str(2 ** 70), str(2 ** 63)])
def test_score_seed_outside_0_to_2_63_is_one_line(seed: str, capsys) -> None:
    _one_line_error(*_cli(["score", "6111", "--seed", seed, "--no-cache", "--quiet"], capsys), "seed", "2**63-1")


def test_scoring_setup_refuses_bad_seeds_before_any_work() -> None:
    from dagfilter.proxies import ScoringSetup

    for seed in (-1, 2 ** 63, 2 ** 70, True, "0", 1.5):
        with pytest.raises(ConfigError, match="seed"):
            ScoringSetup(seed=seed)
    assert ScoringSetup(seed=2 ** 63 - 1).seed == 2 ** 63 - 1


def test_index_with_two_minus_signs_is_not_an_index(capsys) -> None:
    _one_line_error(*_cli(["metrics", " --5"], capsys), "--5")
    with pytest.raises(CellFormatError):
        dg.parse_arch(" --5")


def _cifar_root(tmp_path: Path, labels) -> Path:
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    batch = {"data": np.zeros((len(labels), 3072), dtype=np.uint8), "labels": labels}
    for name in ("data_batch_1", "test_batch"):
        (root / name).write_bytes(pickle.dumps(batch, protocol=4))
    return root


@pytest.mark.parametrize("labels", [["3", "1"], [1.5, 2.0], [None, 1], [2 ** 70, 1]])
def test_cifar_labels_that_are_not_integers_are_a_data_error(tmp_path: Path, labels) -> None:
    from dagfilter.data.readers import read_cifar

    with pytest.raises(DataError, match="'labels' (must hold integer class indices|holds class index)"):
        read_cifar(_cifar_root(tmp_path, labels), "cifar10", train=False)


def test_cifar_integer_labels_still_read(tmp_path: Path) -> None:
    from dagfilter.data.readers import read_cifar

    arr = read_cifar(_cifar_root(tmp_path, [3, 1, 9]), "cifar10", train=False)
    assert arr.labels.tolist() == [3, 1, 9] and arr.labels.dtype == np.int64


def _result_file(tmp_path: Path, capsys) -> Path:
    out = tmp_path / "r.json"
    rc = main(["search", "--score", "prior", "--samples", "5", "--filter", "0.5", "--quiet", "--no-cache",
               "--out", str(out)])
    capsys.readouterr()
    assert rc == 0 and out.is_file()
    return out


def test_result_with_a_string_fraction_is_refused_by_report_before_any_work(tmp_path: Path, capsys) -> None:
    from dagfilter.report.results import load_results

    path = _result_file(tmp_path, capsys)
    assert load_results(path)[0].config["filter"]["fraction"] == 0.5  # the untouched file reads
    d = json.loads(path.read_text())
    d["config"]["filter"]["fraction"] = "x"
    path.write_text(json.dumps(d))
    with pytest.raises(ConfigError, match="fraction"):
        load_results(path)
    t = time.perf_counter()
    rc, err = _cli(["report", "--results", str(path), "--out", str(tmp_path / "rep"), "--no-progress"], capsys)
    _one_line_error(rc, err, "fraction")
    assert time.perf_counter() - t < 10  # refused before the report's minute of work


@pytest.mark.parametrize("field,value", [("score", "high"), ("drawn", 1.5), ("config", []), ("chosen_index", "7")])
def test_result_fields_of_the_wrong_type_are_config_errors(tmp_path: Path, capsys, field: str, value) -> None:
    from searchers.base import SearchResult

    d = json.loads(_result_file(tmp_path, capsys).read_text())
    d[field] = value
    with pytest.raises(ConfigError, match=field):
        SearchResult.from_dict(d)


def test_draw_title_with_an_undefined_macro_is_one_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.png"
    _one_line_error(*_cli(["draw", "6111", "--out", str(out), "--title", "$\\undefinedmacro{$"], capsys),
                    "mathtext")
    assert not out.exists()
    rc, _ = _cli(["draw", "6111", "--out", str(out), "--title", r"cell $\alpha$ costs \$5"], capsys)
    assert rc == 0 and out.stat().st_size > 0


def test_cell_with_registry_none_is_a_graph_error() -> None:
    with pytest.raises(GraphError, match="registry"):
        dg.Cell(3, [(0, 1, "nor_conv_3x3"), (1, 2, "nor_conv_3x3")], registry=None)


# --------------------------------------------------------------------------- 2. unbounded work
def _fast(fn, exc: type = DagFilterError, match: str = "limit") -> None:
    """``fn`` fails with ``exc`` - in seconds, not the minutes (or memory exhaustion) of doing the work."""
    t = time.perf_counter()
    with pytest.raises(exc, match=match):
        fn()
    assert time.perf_counter() - t < 10.0


class _Counted(list):
    """A list that counts how many items were read from it."""

    reads = 0

    def __iter__(self):
        for x in super().__iter__():
            type(self).reads += 1
            yield x


def test_api_limits_are_checked_before_any_work() -> None:
    _fast(lambda: dg.parse_arch(_genotype(normal_concat=[2] * 5_000_000)))
    _fast(lambda: dg.Cell.from_genotype(_genotype(normal=[("sep_conv_3x3", 0)] * (2 * MAX_NODES + 2))))
    _fast(lambda: dg.Cell.from_adjacency([[0, 10 ** 18], [0, 0]], ["nor_conv_3x3"]))
    edges = _Counted([(0, 1, "nor_conv_3x3")] * 10 ** 7)
    _fast(lambda: dg.Cell(2, edges))
    assert _Counted.reads == 0  # refused on len() alone
    _fast(lambda: dg.Cell(2, iter(edges)))  # no len(): counted while read, stopped at the limit
    assert _Counted.reads == MAX_EDGES + 1
    _fast(lambda: dg.Cell(MAX_NODES + 1, [(0, 1, "nor_conv_3x3")]))
    _fast(lambda: dg.get_space("nb201").samples(10 ** 12))
    _fast(lambda: dg.get_space("darts").samples(MAX_SAMPLES + 1))
    _fast(lambda: dg.get_space("nb201").samples(3, seed=-1), match="seed")


def test_limits_still_let_the_largest_documented_cells_through() -> None:
    n = MAX_EDGES
    cell = dg.Cell(3, [(0, 1, "nor_conv_3x3")] * (n - 1) + [(1, 2, "nor_conv_3x3")])
    assert len(cell.edges) == n
    assert len(dg.get_space("nb201").samples(3, seed=0)) == 3


def test_searcher_budget_is_limited() -> None:
    import searchers

    s = searchers.get("random")
    _fast(lambda: s.search("darts", budget=MAX_SAMPLES + 1, seed=0, progress=False))


def test_cli_search_runs_limit_is_checked_before_any_work(capsys) -> None:
    t = time.perf_counter()
    _one_line_error(*_cli(["search", "--runs", "100000000", "--score", "prior", "--quiet", "--no-cache"], capsys),
                    "--runs", f"{MAX_RUNS:,}")
    _one_line_error(*_cli(["search", "--seed", str(2 ** 63 - 1), "--runs", "2", "--score", "prior", "--quiet",
                           "--no-cache"], capsys), "seed")
    assert time.perf_counter() - t < 5


def test_long_draw_title_is_refused_before_drawing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "y.png"
    t = time.perf_counter()
    _one_line_error(*_cli(["draw", "6111", "--out", str(out), "--title", "a" * 200_000], capsys),
                    f"{MAX_TITLE_CHARS:,}")
    assert time.perf_counter() - t < 2 and not out.exists()


# --------------------------------------------------------------------------- 3. silently wrong answers
@pytest.mark.parametrize("entry", [float("inf"), 2 ** 63, 1e19, np.uint64(2 ** 64 - 1), float("nan"), 2.5])
def test_adjacency_entries_that_wrapped_around_are_errors(entry) -> None:
    m = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=object)
    m[0, 2] = entry
    rows = m.tolist()
    with pytest.raises(CellFormatError, match=r"\[0\]\[2\]"):
        dg.Cell.from_adjacency(rows, ["nor_conv_3x3"] * 2)
    if isinstance(entry, np.uint64):
        with pytest.raises(CellFormatError, match=r"\[0\]\[2\]"):
            dg.Cell.from_adjacency(np.array([[0, 1, 2 ** 64 - 1], [0, 0, 1], [0, 0, 0]], dtype=np.uint64),
                                   ["nor_conv_3x3"] * 2)


def test_complex_adjacency_is_refused_and_whole_floats_still_read() -> None:
    with pytest.raises(CellFormatError, match="complex"):
        dg.Cell.from_adjacency([[0, 1 + 1j], [0, 0]], ["nor_conv_3x3"])
    cell = dg.Cell.from_adjacency([[0.0, 2.0], [0.0, 0.0]], ["nor_conv_3x3", "skip_connect"])
    assert sorted(e.op for e in cell.edges) == ["nor_conv_3x3", "skip_connect"]


def test_repeated_concat_nodes_are_an_error_not_a_doubled_width() -> None:
    for concat in ([2] * 1000, [2, 3, 3], (4, 2, 4)):
        g = _genotype(normal=PAIRS * 3, normal_concat=concat)
        with pytest.raises(CellFormatError, match="more than once"):
            dg.depth_width(dg.Cell.from_genotype(g))
    d, m = dg.depth_width(dg.Cell.from_genotype(_genotype(normal=PAIRS * 3, normal_concat=[2, 3, 4])))
    assert m == 6.0  # 3 concatenated nodes x 2 paths each


# --------------------------------------------------------------------------- 4. smaller
def test_nb201_string_errors_do_not_echo_a_huge_input() -> None:
    for text in ("|x~0|+" * 1_000_000, "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|" + "y" * 5_000_000 + "~2|",
                 "|" + "z" * 5_000_000 + "~0|+|none~0|none~1|+|none~0|none~1|none~2|"):
        with pytest.raises(DagFilterError) as info:
            dg.Cell.from_nb201_str(text)
        assert len(str(info.value)) < 1000, str(info.value)[:300]
        assert "chars)" in str(info.value)


def test_show_cuts_long_strings_and_names_their_length() -> None:
    from dagfilter.errors import show

    s = show("q" * 5_000_000)
    assert len(s) < 120 and "5,000,000 chars" in s
    assert show("short") == "'short'"


@pytest.mark.parametrize("entry", [True, np.bool_(False), "1", "\uff11", 2.0, float("nan"), None])
def test_naslib_entries_must_be_plain_integers(entry) -> None:
    with pytest.raises(CellFormatError, match="NASLib"):
        dg.Cell.from_naslib((entry, 1, 2, 3, 4, 2))
    assert dg.Cell.from_naslib((np.int64(0), 1, 2, 3, 4, 2)) == dg.Cell.from_naslib((0, 1, 2, 3, 4, 2))


@pytest.mark.parametrize("text", ["\uff16\uff11\uff11\uff11", "\u0666\u0661\u0661\u0661", "\uff11,1,2,3,4,2"])
def test_non_ascii_digits_are_refused_as_index_or_naslib_codes(text: str, capsys) -> None:
    with pytest.raises(CellFormatError, match="ASCII"):
        dg.parse_arch(text)
    _one_line_error(*_cli(["metrics", text], capsys), "ASCII")
    assert dg.parse_arch("6111") == dg.Cell.from_nb201_index(6111)


@pytest.mark.parametrize("pair", [False, True])
def test_chosen_cell_naming_a_file_is_not_followed(tmp_path: Path, capsys, pair: bool) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"chosen_cell": str(b if pair else a)}))
    b.write_text(json.dumps({"chosen_cell": str(a)}))
    with pytest.raises(CellFormatError, match="chosen_cell"):
        dg.parse_arch(a)
    _one_line_error(*_cli(["metrics", str(a)], capsys), "chosen_cell")
    a.write_text(json.dumps({"chosen_cell": "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"}))
    assert dg.parse_arch(a).is_nb201()


@pytest.mark.parametrize("command", [["query", "--dataset", "cifar10"], ["draw"], ["rank", "--score", "params"],
                                     ["rank-file"]])
def test_cli_index_shortcuts_take_ascii_digits_only(command: list[str], tmp_path: Path, capsys) -> None:
    fw = "\uff16\uff11\uff11\uff11"  # full-width 6111
    if command == ["rank-file"]:
        lst = tmp_path / "list.txt"
        lst.write_text(f"{fw}\n1\n")
        argv = ["rank", "--indices", str(lst), "--score", "params"]
    else:
        argv = [command[0], fw, *command[1:]] + (["--out", str(tmp_path / "x.png")] if command == ["draw"] else [])
    _one_line_error(*_cli(argv, capsys), "ASCII")
