"""Hostile input beyond the fuzzer: code in pickles, state files, input classification and its
limits, exponential-path cells, the JSON convention for -inf, and honest CLI wording."""
from __future__ import annotations

import ast
import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from dagfilter.cli import main
from dagfilter.errors import CellFormatError, DagFilterError, DataError

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- pickles and state files
class _Payload:
    """Unpickling this runs ``os.system`` - what a malicious "CIFAR batch" would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


def test_malicious_cifar_pickle_is_a_data_error_and_its_payload_never_runs(tmp_path: Path) -> None:
    from dagfilter.data.readers import read_cifar

    marker = tmp_path / "payload_ran"
    blob = pickle.dumps({"data": _Payload(marker), "labels": [0]}, protocol=4)
    pickle.loads(blob)  # the payload is live: plain pickle runs it
    assert marker.exists()
    marker.unlink()
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    (root / "data_batch_1").write_bytes(blob)
    (root / "test_batch").write_bytes(blob)
    with pytest.raises(DataError, match=r"data_batch_1.*(posix|os)\.system"):
        read_cifar(root, "cifar10", train=True)
    assert not marker.exists()


def test_restricted_unpickler_still_reads_real_cifar(cifar_dir: Path) -> None:
    from dagfilter.data.readers import read_cifar

    arr = read_cifar(cifar_dir / "cifar-10-batches-py", "cifar10", train=False)
    assert arr.images.shape == (10_000, 32, 32, 3) and arr.labels.min() == 0 and arr.labels.max() == 9


def test_every_torch_load_is_weights_only() -> None:
    calls = []
    for path in list((REPO / "dagfilter").rglob("*.py")) + list((REPO / "searchers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "load" and \
                    getattr(node.func.value, "id", None) == "torch":
                kw = {k.arg: k.value for k in node.keywords}
                calls.append((path.name, isinstance(kw.get("weights_only"), ast.Constant)
                              and kw["weights_only"].value is True))
    assert calls and all(ok for _, ok in calls), calls


def test_shipped_naswot_minus_inf_cells_are_those_the_attribution_describes() -> None:
    """ATTRIBUTION.md: -inf marks exactly the cells where no convolution reads an input-dependent node
    (201 cells, all with input-independent output); 140 other input-independent cells score finite."""
    from dagfilter.encodings.nb201 import NB201_EDGES, NB201_OPS, index_codes
    from dagfilter.proxies.shipped import load_shipped_scores

    scores = load_shipped_scores().scores
    conv = {i for i, op in enumerate(NB201_OPS) if "conv" in op}
    none = NB201_OPS.index("none")
    dep, fed = [], []
    for codes in index_codes():
        live, conv_fed = {0}, False
        for dst in (1, 2, 3):
            for (src, d), op in zip(NB201_EDGES, codes):
                if d == dst and op != none and src in live:
                    live.add(dst)
                    conv_fed |= int(op) in conv
        dep.append(3 in live)
        fed.append(conv_fed)
    dep, fed = np.array(dep), np.array(fed)
    minus_inf = np.isneginf(scores)
    assert minus_inf.sum() == 201 and (minus_inf == (~dep & ~fed)).all()
    assert (~dep).sum() == 341 and (~dep & ~minus_inf).sum() == 140
    text = (REPO / "benchmarks_data" / "ATTRIBUTION.md").read_text()
    assert "201 cells" in text and "140" in text


# --------------------------------------------------------------------------- one classifier, with limits
@pytest.mark.parametrize("text, kind", [
    ("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", "NAS-Bench-201 string"),
    ("6111", "index"), ("-3", "index"), ("DARTS_V2", "genotype name"), ("(0, 1, 2, 3, 4, 2)", "NASLib op codes"),
    ("['none', 'none', 'none', 'none', 'none', 'skip_connect']", "op names"), ('{"normal": []}', "JSON"),
    ("[[[1]]]", "JSON"), ("Genotype(normal=[])", "Genotype(...) text"), ("result.json", "file path"),
])
def test_text_is_classified_once(text: str, kind: str) -> None:
    from dagfilter.encodings.parse import classify_text

    assert classify_text(text) == kind


def test_errors_name_the_kind_that_was_tried(tmp_path: Path) -> None:
    from dagfilter.encodings.parse import MAX_JSON_DEPTH, parse_arch

    cases = {"15625": "read as index", "9" * 5000: "read as index", '{"normal": 5}': "read as JSON",
             "[" * 5000 + "]" * 5000: "nested 5000 levels", "nope.json": "read as file path.*does not exist",
             str(tmp_path): "is a directory", "x" * 300: "not a usable file name",
             "Genotype(normal=range(1000000000000), normal_concat=[], reduce=[], reduce_concat=[])": "longer than"}
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    cases[str(binary)] = "not UTF-8"
    cases['{"num_nodes": ' + "9" * 5000 + ', "edges": []}'] = "does not parse"  # beyond int-from-text limits
    for text, msg in cases.items():
        with pytest.raises(DagFilterError, match=msg):
            parse_arch(text)
    nested = {"normal": [["sep_conv_3x3", 0]]}
    for _ in range(MAX_JSON_DEPTH):
        nested = {"chosen_cell": nested}
    with pytest.raises(CellFormatError, match="nested"):
        parse_arch(json.dumps(nested))


def test_strict_types_in_cells_and_genotypes() -> None:
    from dagfilter import Cell, parse_arch

    for bad in ({"num_nodes": 3, "edges": [[0, "1", "conv_3x3"], [1, 2, "conv_3x3"]]},
                {"num_nodes": 2.5, "edges": [[0, 1, "conv_3x3"]]},
                {"num_nodes": 10 ** 30, "edges": [[0, 1, "conv_3x3"]]},
                {"num_nodes": 2, "edges": [[0, 1]]},
                {"normal": [["sep_conv_3x3", "0"], ["sep_conv_3x3", 1]], "normal_concat": [2], "reduce": [],
                 "reduce_concat": [2]},
                {"normal": [["sep_conv_3x3", 0], ["sep_conv_3x3", 1]], "normal_concat": [2.7], "reduce": [],
                 "reduce_concat": [2]}):
        with pytest.raises(DagFilterError):
            parse_arch(bad)
    with pytest.raises(DagFilterError, match="integer node id"):
        Cell(2, [(0.0, 1, "conv_3x3")])  # a float is refused, not truncated
    with pytest.raises(DagFilterError, match="more than the limit"):
        Cell(10 ** 9, [(0, 1, "conv_3x3")])  # refused before allocating per-node arrays (MAX_NODES)
    with pytest.raises(DagFilterError, match="needs at least"):
        Cell(5000, [(0, 1, "conv_3x3")])


def test_residual_fuzz_findings_are_clean_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Inputs the 20,000-call fuzz run found after the first round of fixes."""
    from dagfilter import Cell, DAGFilter
    from dagfilter.cache import ScoreCache

    for call in (lambda: ScoreCache(str(tmp_path / "a\x00b")), lambda: ScoreCache(str(tmp_path / "a\x00b.sqlite")),
                 lambda: DAGFilter((0.0, 10 ** 400), (1.0, 1.0)), lambda: DAGFilter((0.0, 1.0), (1.0, 1.0), 10 ** 400),
                 lambda: Cell.from_nb201_ops([np.array([])] * 6)):
        with pytest.raises(DagFilterError):
            call()
    with pytest.raises(SystemExit) as exit_info:
        main(["draw", "6111", "--dpi", "1", "--out", str(tmp_path / "x.png")])
    assert exit_info.value.code == 2 and "20..2400" in capsys.readouterr().err


# --------------------------------------------------------------------------- exponential paths
def fib_genotype(n: int) -> dict:
    normal = [p for i in range(n) for p in (["sep_conv_3x3", i], ["sep_conv_3x3", i + 1])]
    return {"normal": normal, "normal_concat": [n + 1], "reduce": normal, "reduce_concat": [n + 1]}


def test_fibonacci_cell_path_counts_are_exact_and_histogram_sized() -> None:
    from dagfilter import Cell
    from dagfilter.metrics import nngp_bound_from_depths, nngp_bound_from_hist, path_stats

    fib = [1, 1]
    for _ in range(60):
        fib.append(fib[-1] + fib[-2])
    for n in (5, 20, 40):
        st = path_stats(Cell.from_genotype(fib_genotype(n)))
        # node 2+i is reached by P_i + P_{i+1} paths (P_0 = P_1 = 1), so the last node by F(n+2)
        assert st.num_paths == fib[n + 1] and sum(st.depth_hist) == st.num_paths
        assert sum(d * c for d, c in enumerate(st.depth_hist)) == st.depth_sum
        assert len(st.depth_hist) == n + 1  # a histogram over depths, not a list over paths
    small = path_stats(Cell.from_genotype(fib_genotype(8)))
    assert nngp_bound_from_hist(small.depth_hist, 0.3) == pytest.approx(
        nngp_bound_from_depths(small.path_depths, 0.3), rel=1e-12)
    with pytest.raises(DagFilterError, match="too many to list"):
        st.path_depths  # noqa: B018 - 10^8 paths are never listed one by one


def test_cli_metrics_of_exponential_and_huge_cells(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", json.dumps(fib_genotype(40)), "--part", "normal", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["normal"]
    a, b = 1, 1  # P_0 = P_1 = 1, P_{i+2} = P_i + P_{i+1}
    for _ in range(40):
        a, b = b, a + b
    assert out["num_paths"] == b and sum(out["path_depth_counts"].values()) == out["num_paths"]
    assert math.isfinite(out["nngp_bound"]) and 1 <= out["d_bar"] <= 40
    # 10,000 nodes: d_bar/m_bar from the linear DP; the O(E * depth) histogram is declined with a reason
    assert main(["metrics", json.dumps(fib_genotype(10_000)), "--part", "normal", "--json"]) == 0
    big = json.loads(capsys.readouterr().out)["normal"]
    assert big["path_depth_counts"] is None and "limit" in big["path_depth_counts_status"]
    assert isinstance(big["num_paths"], int) and big["num_paths"] > 10 ** 2000 and big["d_bar"] > 1


# --------------------------------------------------------------------------- JSON convention
def test_json_convention_null_plus_status_round_trips() -> None:
    from dagfilter.jsonio import restore, strict

    obj = {"score": -math.inf, "rows": [{"score": float("nan"), "x": 1}], "vals": [1.0, math.inf],
           "v": np.float64(-np.inf)}
    text = json.dumps(strict(obj), allow_nan=False)
    back = json.loads(text)
    assert back["score"] is None and back["score_status"] == "-inf" and back["v_status"] == "-inf"
    assert back["rows"][0]["score_status"] == "nan" and back["vals"] == [1.0, None]
    again = restore(back)
    assert again["score"] == -math.inf and math.isnan(again["rows"][0]["score"]) and "score_status" not in again


def test_rank_cache_only_does_not_claim_forward_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dagfilter import Cell

    dead = str(Cell.from_nb201_str("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|").to_nb201_index())
    assert main(["data", "import-scores", "--cache-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["rank", "--score", "naswot", "--cache-only", "--cache-dir", str(tmp_path), "--batch", "128",
                 "--quiet", dead, "1", "6111", "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "forward passes run now: 0" in text and "3 read from the score cache" in text
    assert main(["rank", "--score", "naswot", "--cache-only", "--cache-dir", str(tmp_path), "--batch", "128",
                 "--quiet", dead, "1", "6111", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    none_cell = [r for r in rows if r["index"] == int(dead)][0]  # the all-'none' cell: a singular kernel
    assert none_cell["score"] is None and none_cell["score_status"] == "-inf"
