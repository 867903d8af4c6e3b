"""Hostile and careless inputs for the fuzzer: CLI argument lists and Python API calls.

One generator serves two drivers: the hypothesis tests in ``tests/fuzz`` (derandomized in CI,
``HYPOTHESIS_PROFILE=explore`` for fresh draws) and ``scripts/fuzz_report.py`` (large counts with
a per-call time limit). Generators take a :class:`Draw` - a tiny interface over either a
``random.Random`` or hypothesis' ``data.draw`` - so both drivers explore the same input space.

Every generated call must end in success or a :class:`dagfilter.errors.DagFilterError`
(exit code 2 with one line on stderr for the CLI) within a bounded time.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Callable, Sequence

NB201 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
NONE201 = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
DARTS_OPS = ("sep_conv_3x3", "skip_connect", "max_pool_3x3", "dil_conv_5x5", "none")


# --------------------------------------------------------------------------- draw interface
class Draw:
    """Random choices from a ``random.Random`` (the report's driver)."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd

    def int(self, lo: int, hi: int) -> int:
        return self.rnd.randint(lo, hi)

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.int(0, len(seq) - 1)]

    def bool(self) -> bool:
        return self.int(0, 1) == 1

    def text(self, max_len: int = 40) -> str:
        n = self.int(0, max_len)
        alphabet = self.pick(_ALPHABETS)
        return "".join(self.pick(alphabet) for _ in range(n))

    def blob(self, max_len: int = 200) -> bytes:
        return bytes(self.int(0, 255) for _ in range(self.int(0, max_len)))


class HypothesisDraw(Draw):
    """The same choices drawn through hypothesis (shrinkable, derandomized by the CI profile)."""

    def __init__(self, data: Any) -> None:  # noqa: D107 - hypothesis' st.data() object
        self.data = data

    def int(self, lo: int, hi: int) -> int:
        from hypothesis import strategies as st

        return self.data.draw(st.integers(lo, hi))


_ALPHABETS = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz_~|+-",
    "{}[]\"':,0123456789 -.eE",
    "\x00\t\n\r \x7f\u00e9\u2028\ud7ff\ufeff\u202e\U0001f600\u0663\u00b2",
    "|nor_conv_3x3~0+skip_connect~1none~2avg_pool_3x3",
)


# --------------------------------------------------------------------------- value pools
def fib_genotype(n: int, op: str = "sep_conv_3x3") -> dict:
    """A genotype of ``n`` intermediate nodes, each fed by the two previous nodes (Fibonacci paths)."""
    normal = [pair for i in range(n) for pair in ([op, i], [op, i + 1])]
    return {"normal": normal, "normal_concat": [n + 1], "reduce": normal, "reduce_concat": [n + 1]}


def chain_genotype(n: int) -> dict:
    """A long genotype: node k takes nodes 0 and k-1 (n intermediate nodes)."""
    normal = [p for i in range(n) for p in (["sep_conv_3x3", 0], ["skip_connect", i + 1])]
    return {"normal": normal, "normal_concat": list(range(2, n + 2))[-4:], "reduce": normal,
            "reduce_concat": [n + 1]}


def parallel_cell(n: int, k: int = 2) -> dict:
    """A chain of ``n`` nodes with ``k`` parallel convolutions per step: k**(n-1) paths."""
    edges = [[i, i + 1, "nor_conv_3x3"] for i in range(n - 1) for _ in range(k)]
    return {"num_nodes": n, "edges": edges}


def deep_json(d: Draw) -> str:
    depth = d.pick((50, 1000, 100_000))
    kind = d.int(0, 2)
    if kind == 0:
        return "[" * depth + "]" * depth
    if kind == 1:
        return '{"normal": ' * depth + "1" + "}" * depth
    return '{"chosen_cell": ' * depth + json.dumps(NB201) + "}" * depth


def wrong_json(d: Draw) -> Any:
    """JSON objects of the right shape with wrong types in them."""
    good = {"normal": [["sep_conv_3x3", 0], ["skip_connect", 1]], "normal_concat": [2],
            "reduce": [["max_pool_3x3", 0], ["skip_connect", 1]], "reduce_concat": [2]}
    bad_vals = [5, "0", -1, 10 ** 30, 1.5, None, True, [], {}, ["a"], [["sep_conv_3x3", 0, 1]],
                [["sep_conv_3x3", "0"]], [[0, 1]], float("nan"), float("inf"), "x" * 300, [[None, None]],
                [["sep_conv_3x3", 0], ["sep_conv_3x3", 5]], [["sep_conv_3x3", -3], ["sep_conv_3x3", 1]]]
    kind = d.int(0, 4)
    if kind == 0:
        g = dict(good)
        g[d.pick(list(good))] = d.pick(bad_vals)
        return g
    if kind == 1:
        g = dict(good)
        del g[d.pick(list(good))]
        return g
    if kind == 2:  # cell dicts: cycles, self loops, edges into inputs, bad ids
        edges = d.pick([[[0, 1, "conv_3x3"], [1, 0, "conv_3x3"]], [[0, 0, "conv_3x3"]],
                        [[0, 1, "conv_3x3"], [1, 2, "conv_3x3"], [2, 1, "skip"]],
                        [[1, 0, "conv_3x3"], [0, 1, "conv_3x3"]], [[0, 1]], [[0, 1, 2, 3]], "x",
                        [[0, 10 ** 30, "conv_3x3"]], [[-1, 1, "conv_3x3"]], [[0.5, 1, "conv_3x3"]],
                        [["a", "b", "conv_3x3"]], [[0, 1, 7]], [[0, 1, "conv_3x3"]], 7, None])
        return {"num_nodes": d.pick([2, 3, 0, -1, 10 ** 30, "3", 2.5, None, 10 ** 9]), "edges": edges,
                **({"inputs": d.pick([[], [0, 0], [5], "0", [1], 0])} if d.bool() else {}),
                **({"output": d.pick([0, 1, 99, "1", None])} if d.bool() else {})}
    if kind == 3:
        return d.pick([None, 1, -1, 1e308, [], {}, "", [1, 2, 3], list(range(6)), ["none"] * 6, [True] * 6,
                       {"chosen_cell": None}, {"chosen_cell": {"chosen_cell": 3}}, {"edges": 1},
                       [-1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 99]])
    return {"chosen_cell": d.pick([NB201, 6111, "6111", -5, 15625, [0, 1, 2, 3, 4, 0]])}


def big_structure(d: Draw) -> Any:
    """Huge and exponential-path architectures (10,000-node genotypes, Fibonacci DAGs)."""
    kind = d.int(0, 3)
    if kind == 0:
        return fib_genotype(d.pick((20, 30, 40, 64, 300, 2000)))
    if kind == 1:
        return fib_genotype(10_000) if d.bool() else chain_genotype(10_000)
    if kind == 2:
        return parallel_cell(d.pick((10, 64, 500, 4000)), d.pick((2, 3)))
    return {"num_nodes": 10_000, "edges": [[i, i + 1, "nor_conv_3x3"] for i in range(9999)]}


def mutate(d: Draw, s: str) -> str:
    chars = list(s)
    for _ in range(d.int(1, 4)):
        op = d.int(0, 2)
        i = d.int(0, max(0, len(chars) - 1))
        if op == 0 and chars:
            del chars[i]
        elif op == 1:
            chars.insert(i, d.pick(d.pick(_ALPHABETS)))
        elif chars:
            chars[i] = d.pick(d.pick(_ALPHABETS))
    return "".join(chars)


NUMBERS = ("0", "1", "-1", "2", "6111", "15624", "15625", "-15626", "9" * 30, "9" * 5000, "1e400", "-1e400",
           "nan", "inf", "-inf", "NaN", "0x10", "1_000", " 7 ", "\u0663", "\u00b2", "1.5", "-0", "+3", "")


class Workspace:
    """A scratch folder holding the path-like arguments of one call (created lazily)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.n = 0

    def _new(self, suffix: str = "") -> Path:
        self.n += 1
        return self.root / f"f{self.n}{suffix}"

    def file(self, data: bytes | str, suffix: str = ".json") -> str:
        p = self._new(suffix)
        if isinstance(data, str):
            p.write_text(data, encoding="utf-8", errors="surrogatepass")
        else:
            p.write_bytes(data)
        return str(p)

    def dir(self) -> str:
        p = self._new("")
        p.mkdir()
        (p / "data_batch_1").write_bytes(b"\x80\x04garbage")
        (p / "x.json").write_text("{}")
        return str(p)


def path_like(d: Draw, ws: Workspace) -> str:
    """Paths users get wrong: folders, binary files, missing files, over-long names, junk content."""
    kind = d.int(0, 11)
    if kind == 0:
        return ws.dir()
    if kind == 1:
        return ws.file(d.blob(300), d.pick((".json", ".txt", ".npz", ".sqlite", "")))
    if kind == 2:
        return str(ws.root / d.pick(("missing.json", "missing/deeper/x.json", "nope")))
    if kind == 3:
        return str(ws.root / ("n" * 300 + d.pick((".json", ".svg", ""))))
    if kind == 4:
        return ws.file(deep_json(d))
    if kind == 5:
        return ws.file(json.dumps(wrong_json(d)))
    if kind == 6:
        return ws.file(json.dumps(big_structure(d)))
    if kind == 7:
        return ws.file("")
    if kind == 8:
        return d.pick((".", "/dev/null", "/proc/self/status", str(ws.root), "~", "-"))  # never "/": tests run as root
    if kind == 9:
        return ws.file("\n".join(d.pick(NUMBERS) for _ in range(d.int(0, 5))), ".txt")
    if kind == 10:
        return ws.file(d.text(60), d.pick((".txt", ".json", ".csv")))
    return ws.file(json.dumps({"chosen_cell": NB201, "runs": d.pick([1, [], None])}))


def cell_text(d: Draw, ws: Workspace) -> str:
    """A CLI CELL argument: valid, almost valid, or hostile."""
    kind = d.int(0, 9)
    if kind == 0:
        return d.pick((NB201, NONE201, "6111", "0", "DARTS_V2", "(0, 1, 2, 3, 4, 2)",
                       "nor_conv_3x3,none,skip_connect,none,none,avg_pool_3x3"))
    if kind == 1:
        return mutate(d, d.pick((NB201, "(0, 1, 2, 3, 4, 2)", json.dumps(fib_genotype(3)), "Genotype(normal=[])")))
    if kind == 2:
        return d.pick(NUMBERS)
    if kind == 3:
        return d.text(60)
    if kind == 4:
        return path_like(d, ws)
    if kind == 5:
        return deep_json(d)
    if kind == 6:
        return json.dumps(wrong_json(d))
    if kind == 7:
        return json.dumps(big_structure(d)) if d.int(0, 3) == 0 else json.dumps(fib_genotype(d.pick((20, 30, 40))))
    if kind == 8:
        return d.pick(("Genotype(normal=__import__('os').system('true'))", "Genotype(" * 200,
                       "Genotype(normal=[('sep_conv_3x3', 0)] * 10**9, normal_concat=[], reduce=[], reduce_concat=[])",
                       "Genotype(normal=range(10**12), normal_concat=range(10**12), reduce=[], reduce_concat=[])",
                       "Genotype(normal=[('sep_conv_3x3', -" + "-" * 200 + "1)], normal_concat=[2], reduce=[], reduce_concat=[])",
                       "Genotype(1, 2, 3, 4)", "Genotype(normal=[(1e999, 0)], normal_concat=[2], reduce=[], reduce_concat=[])"))
    return d.pick(("-", "--", "-h", "--help", "@file", "nan", " ", "|", "|+|", "{}", "[]", "null", "true"))


# --------------------------------------------------------------------------- CLI argument lists
def _num(d: Draw, valid: Sequence[str]) -> str:
    return d.pick(valid) if d.bool() else d.pick(NUMBERS)


def _word(d: Draw, valid: Sequence[str]) -> str:
    k = d.int(0, 3)
    if k <= 1:
        return d.pick(valid)
    if k == 2:
        return mutate(d, d.pick(valid))
    return d.text(30)


def _opt(d: Draw, ws: Workspace, kind: Any) -> str:
    if isinstance(kind, tuple):
        return _word(d, kind)
    if kind == "cell":
        return cell_text(d, ws)
    if kind == "cells":
        return cell_text(d, ws)
    if kind == "path":
        return path_like(d, ws)
    if kind == "out":
        return d.pick((str(ws.root / "out.x"), str(ws.root / "o.svg"), str(ws.root / "o.png"), str(ws.root / "o.csv"),
                       str(ws.root / "o.json"), str(ws.root / "o.npz"), path_like(d, ws)))
    if kind == "float":
        return _num(d, ("0.5", "0.25", "1", "0.1"))
    if kind == "int":
        return _num(d, ("1", "2", "3", "0"))
    if kind == "small":  # options whose large valid values would only mean a long, correct run
        return d.pick(("-1", "0", "1", "2", "x", "nan", "1e9", "9" * 5000))
    if kind == "seed":
        return _num(d, ("0", "1", "7"))
    if kind == "spec":
        return _word(d, ("prior", "params", "naswot", "naswot+prior", "2*naswot+prior", "zscore(naswot+prior)",
                         "prior:params,d_bar", "d_bar", "flops", "nn_mass", "window_distance"))
    if kind == "text":
        return d.text(30)
    raise AssertionError(kind)


SPACES = ("nb201", "darts", "nds_darts", "enas", "nb101")
DATASETS = ("cifar10", "cifar100", "ImageNet16-120", "cifar10-valid")
METRICS = ("x-valid", "x-test", "ori-test", "valid", "test")

# command -> (fixed leading words, positional kind or None, {option: kind}, trailing fixed args that
# bound the work of a *valid* call, so that a long run is never mistaken for a hang)
COMMANDS: dict[str, tuple] = {
    "metrics": ([], "cells", {"--file": "path", "--part": ("normal", "reduce", "both"), "--rho": "float",
                              "--json": None}, []),
    "filter": ([], None, {"--space": SPACES, "--fraction": "float", "--part": ("normal", "reduce", "both"),
                          "--paper": None, "--out": "out", "--check": "cells", "--json": None}, []),
    "query": ([], "cell", {"--dataset": DATASETS, "--metric": METRICS, "--hp": ("200", "12", "0", "-1"),
                           "--benchmark": ("nb201", "darts725"), "--json": None}, []),
    "best": ([], None, {"--dataset": DATASETS, "--metric": METRICS, "--hp": ("200", "12", "1"),
                        "--flop-max": "float", "--param-max": "float", "--benchmark": ("nb201", "darts725"),
                        "--json": None}, []),
    "draw": ([], "cell", {"--out": "out", "--omit-none": None, "--title": "text", "--dpi": "small"}, []),
    "spaces": ([], None, {"--json": None, "--no-ranges": None}, []),
    "theory": ([], "theory", {"--rho": "float", "--json": None}, []),
    "rank": ([], "cells", {"--indices": "path", "--score": "spec", "--combine": ("rank", "zscore"),
                           "--space": SPACES, "--filter": "float", "--top": "int", "--score-seed": "seed",
                           "--iso": ("search", "cache", "off"), "--csv": "out", "--json": None, "--list": None},
             ["--cache-only"]),
    "score": ([], "cells", {"--indices": "path", "--proxy": ("naswot", "ntk", "x"), "--space": SPACES,
                            "--seed": "seed", "--dataset": DATASETS, "--data-dir": "path", "--batch": "small",
                            "--cache-dir": "path", "--json": None}, ["--quiet", "--no-cache"]),
    "search": ([], None, {"--space": SPACES, "--searcher": ("random", "naswot", "ranked", "tenas", "fpnas"),
                          "--samples": "small", "--filter": "float", "--seed": "seed", "--runs": "small",
                          "--score": ("prior", "params", "d_bar"), "--combine": ("rank", "zscore"),
                          "--out": "out", "--json": None, "--budget-mode": ("drawn", "scored")},
               ["--quiet", "--no-cache", "--score", "prior"]),
    "design": ([], None, {"--nn-mass": "float", "--width": "small", "--widths": "small", "--cells": "small",
                          "--growth": "small", "--kind": ("cnn", "mlp"), "--tol": "float", "--min-depth": "small",
                          "--max-depth": "small", "--grid": "small", "--limit": "int", "--per-depth": "small",
                          "--depth": "small", "--tcs": "small", "--num-classes": "small", "--seed": "seed",
                          "--json": None}, []),
    "data": ([], "data", {}, []),
    "report": ([], None, {"--space": SPACES, "--results": "path", "--cache": "path", "--fraction": "float",
                          "--format": ("png", "svg"), "--dpi": "small", "--seed": "seed"},
               None),  # a valid report takes ~a minute: only invalid argument lists are drawn
    "train": ([], "cell", {"--protocol": ("nb201", "darts", "darts-imagenet"), "--dataset": DATASETS,
                           "--data-dir": "path", "--out": "out", "--lr": "float", "--seed": "seed",
                           "--set": ("epochs=1", "lr=x", "nope=1", "=", "batch_size=-1"), "--device": ("cpu", "cuda:9", "tpu"),
                           "--resume": None}, None),
    "zc": ([], "cell", {"--proxy": ("meco", "zico", "naswot", "x"), "--coverage": None, "--json": None}, []),
    "funnel": ([], "path1", {"--k": "small", "--epochs": "small", "--rank": ("capacitance", "criticality"),
                             "--data-dir": "path", "--dataset": DATASETS, "--out": "out", "--seed": "seed"}, None),
}


def cli_args(command: str, d: Draw, ws: Workspace) -> list[str]:
    """A hostile argument list for ``dagfilter COMMAND``."""
    lead, pos, opts, tail = COMMANDS[command]
    argv = [command, *lead]
    if pos == "cells":
        argv += [cell_text(d, ws) for _ in range(d.int(0, 3))]
    elif pos in ("cell", "path1"):
        if d.int(0, 7):
            argv.append(cell_text(d, ws) if pos == "cell" else path_like(d, ws))
    elif pos == "theory":
        sub = _word(d, ("bound", "compare"))
        argv += [sub] + [cell_text(d, ws) for _ in range(d.int(0, 2))]
    elif pos == "data":
        sub = _word(d, ("import", "import-scores", "info"))
        argv.append(sub)
        extra = [("--from-nats", "path"), ("--from-nds", "path"), ("--out", "out"), ("--checkpoint-every", "small"),
                 ("--cache-dir", "path"), ("--proxy", ("naswot", "x")), ("--json", None)]
        if d.bool():
            argv.append(path_like(d, ws) if d.bool() else d.pick(("nb201", "darts725", "x")))
        for _ in range(d.int(0, 3)):
            name, kind = d.pick(extra)
            argv += [name] if kind is None else [name, _opt(d, ws, kind)]
    names = list(opts)
    for _ in range(d.int(0, 4) if names else 0):
        name = d.pick(names)
        kind = opts[name]
        argv += [name] if kind is None else [name, _opt(d, ws, kind)]
    if d.int(0, 9) == 0:
        argv.insert(d.int(1, len(argv)), d.pick(("--bogus", "--json=1", "-x", "--", "--space")))
    if tail is None:  # expensive command: make sure the call cannot be a valid long run
        argv += ["--definitely-not-an-option"] if d.int(0, 2) == 0 else []
        if command == "train":
            argv += ["--max-steps", "1", "--subset", "8", "--test-subset", "8", "--channels", "2", "--layers", "1",
                     "--epochs", "1", "--batch-size", "4", "--quiet"]
        if command == "funnel":
            argv += ["--subset", "8", "--val-subset", "8", "--channels", "2", "--batch-size", "4", "--k", "1",
                     "--epochs", "1", "--quiet"]
        if command == "report":
            argv += ["--out", str(ws.root / "rep"), "--sim-budget", "x"] if d.bool() else ["--out", path_like(d, ws)]
    else:
        argv += tail
    return argv


# --------------------------------------------------------------------------- Python API calls
def hostile_value(d: Draw, ws: Workspace, depth: int = 0) -> Any:
    """Any Python value a careless caller might pass."""
    import numpy as np

    kind = d.int(0, 13)
    if kind == 0:
        return d.pick((None, True, False, 0, -1, 1, 6111, 15625, 10 ** 30, -10 ** 30, 2 ** 63))
    if kind == 1:
        return d.pick((float("nan"), float("inf"), -float("inf"), 1e308, -0.0, 0.5, 1e-320))
    if kind == 2:
        return d.text(40)
    if kind == 3:
        return d.blob(40)
    if kind == 4:
        return cell_text(d, ws)
    if kind == 5:
        return wrong_json(d)
    if kind == 6:
        return big_structure(d) if d.int(0, 2) == 0 else fib_genotype(d.pick((20, 40)))
    if kind == 7 and depth < 2:
        return [hostile_value(d, ws, depth + 1) for _ in range(d.int(0, 6))]
    if kind == 8:
        return d.pick((np.array([np.nan, 1.0]), np.zeros((0, 6)), np.ones((3, 3)), np.array(["a"] * 6),
                       np.int8(-1), np.float32("nan"), np.array([[0, 1], [0, 0]]), np.eye(4, dtype=int)))
    if kind == 9:
        nested: Any = 0
        for _ in range(d.pick((10, 2000))):
            nested = [nested]
        return nested
    if kind == 10:
        return Path(path_like(d, ws))
    if kind == 11:
        return d.pick((object(), int, print, range(10 ** 12), iter([1]), {1, 2}, slice(1), Ellipsis))
    if kind == 12:
        return d.pick((NB201, 6111, [0, 1, 2, 3, 4, 2], ("none",) * 6))
    return {"normal": hostile_value(d, ws, depth + 1) if depth < 2 else 1, "normal_concat": [2],
            "reduce": [], "reduce_concat": [2]}


def _api_targets() -> dict[str, Callable[[Draw, Workspace], Any]]:
    import dagfilter as dg

    def v(d: Draw, ws: Workspace) -> Any:
        return hostile_value(d, ws)

    def cell_or_value(d: Draw, ws: Workspace) -> Any:
        if d.bool():
            try:
                return dg.parse_arch(d.pick((NB201, "DARTS_V2", 6111, NONE201)))
            except dg.DagFilterError:  # pragma: no cover - constants above are valid
                raise
        return v(d, ws)

    def edges(d: Draw, ws: Workspace) -> Any:
        if d.bool():
            return v(d, ws)
        n = d.int(0, 6)
        return [(d.pick((0, 1, 2, 3, -1, 10 ** 20, "1", 1.5, None)), d.pick((0, 1, 2, 3, 9, "2")),
                 d.pick(("nor_conv_3x3", "skip_connect", "none", "x", 3, None))) for _ in range(n)]

    def lazy_bench_query(d: Draw, ws: Workspace) -> Any:
        from dagfilter import bench

        api = bench.load(d.pick(("nb201", "darts725")))
        return api.query(v(d, ws), d.pick(DATASETS + (d.text(10),)), d.pick(METRICS + (None, d.text(5))),
                         hp=d.pick((None, 200, 12, "200", -1, float("nan"))))

    def ranker(d: Draw, ws: Workspace) -> Any:
        from dagfilter.rankers import get_ranker

        r = get_ranker(_word(d, ("prior", "params", "d_bar", "flops", "nn_mass", "prior:params,d_bar", "x+y")))
        return r.scores(d.pick(("nb201", "darts", d.text(8))), d.pick((range(5), [v(d, ws)], [6111, 1], [])))

    def score_cache(d: Draw, ws: Workspace) -> Any:
        from dagfilter.cache import ScoreCache

        return ScoreCache(d.pick((path_like(d, ws), v(d, ws))))

    def searcher(d: Draw, ws: Workspace) -> Any:
        import searchers

        return searchers.get(_word(d, ("random", "naswot", "ranked", "tenas", "fpnas")),
                             **({"dataset": v(d, ws)} if d.bool() else {}))

    def cifar_reader(d: Draw, ws: Workspace) -> Any:
        from dagfilter.data import readers

        root = path_like(d, ws) if d.bool() else v(d, ws)
        if d.bool():
            return readers.read_cifar(root, d.pick(("cifar10", "cifar100", d.text(5))), d.bool())
        return readers.read_imagenet16(root, d.bool(), d.pick((120, 0, -1, 10 ** 9)))

    return {
        "Cell": lambda d, ws: dg.Cell(v(d, ws) if d.int(0, 3) == 0 else d.int(-2, 6), edges(d, ws),
                                      *([v(d, ws)] if d.int(0, 3) == 0 else [])),
        "Cell.from_nb201_str": lambda d, ws: dg.Cell.from_nb201_str(v(d, ws) if d.bool() else mutate(d, NB201)),
        "Cell.from_nb201_index": lambda d, ws: dg.Cell.from_nb201_index(v(d, ws)),
        "Cell.from_naslib": lambda d, ws: dg.Cell.from_naslib(v(d, ws)),
        "Cell.from_nb201_ops": lambda d, ws: dg.Cell.from_nb201_ops(v(d, ws)),
        "Cell.from_genotype": lambda d, ws: dg.Cell.from_genotype(v(d, ws), d.pick(("normal", "reduce", "x", None))),
        "Cell.from_adjacency": lambda d, ws: dg.Cell.from_adjacency(v(d, ws), v(d, ws)),
        "Cell.from_networkx": lambda d, ws: dg.Cell.from_networkx(v(d, ws)),
        "parse_arch": lambda d, ws: dg.parse_arch(v(d, ws)),
        "path_stats": lambda d, ws: dg.path_stats(cell_or_value(d, ws)).depth_hist,
        "depth_width": lambda d, ws: dg.depth_width(cell_or_value(d, ws)),
        "nngp_bound": lambda d, ws: dg.nngp_bound(cell_or_value(d, ws), v(d, ws)),
        "nn_mass": lambda d, ws: dg.nn_mass(v(d, ws), v(d, ws), v(d, ws)),
        "expected_depth_width": lambda d, ws: dg.expected_depth_width(cell_or_value(d, ws), v(d, ws)),
        "batch_depth_width": lambda d, ws: dg.batch_depth_width(v(d, ws)),
        "DAGFilter": lambda d, ws: dg.DAGFilter(v(d, ws), v(d, ws)),
        "DAGFilter.from_space": lambda d, ws: dg.DAGFilter.from_space(
            d.pick(SPACES + (d.text(8),)), v(d, ws) if d.bool() else 0.5, d.pick(("normal", "both", 3))
        ).accepts(v(d, ws)),
        "get_space": lambda d, ws: dg.get_space(v(d, ws)),
        "register_op": lambda d, ws: dg.OpRegistry().register(v(d, ws), v(d, ws)),
        "bench.load+query": lazy_bench_query,
        "get_ranker": ranker,
        "ScoreCache": score_cache,
        "searchers.get": searcher,
        "data.readers": cifar_reader,
    }


API_TARGETS: dict[str, Callable[[Draw, Workspace], Any]] = {}


def api_targets() -> dict[str, Callable[[Draw, Workspace], Any]]:
    """Name -> callable(draw, workspace) that performs one hostile API call (built on first use)."""
    if not API_TARGETS:
        API_TARGETS.update(_api_targets())
    return API_TARGETS


# --------------------------------------------------------------------------- families of issue 28
# Each family draws one call: a CLI argument list or a Python API call, plus an optional check run
# after it that names a violation the exit code alone cannot show (an overwritten symlink target,
# a payload that ran, a cached score served changed, an error line echoing megabytes of input).
class Call:
    """One drawn call of a family: ``argv`` (CLI) or ``fn`` (API), and ``check(stderr) -> str | None``."""

    def __init__(self, argv: "list[str] | None" = None, fn: "Callable[[], Any] | None" = None,
                 check: "Callable[[str], str | None] | None" = None, summary: str = "") -> None:
        self.argv, self.fn, self.check, self.summary = argv, fn, check, summary


class _Payload:
    """Unpickling this runs ``touch MARKER`` - the code a malicious benchmark file would run."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


MAX_ERROR_CHARS = 4000
"""An error line longer than this echoes the input instead of naming it (a family check)."""


def _short_error(err: str) -> "str | None":
    longest = max((len(ln) for ln in err.splitlines()), default=0)
    return f"error line of {longest:,} characters" if longest > MAX_ERROR_CHARS else None


def _genotype_text(concat: str) -> str:
    return ("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=" + concat
            + ", reduce=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], reduce_concat=[2])")


def _pairs() -> list:
    return [("sep_conv_3x3", 0), ("sep_conv_3x3", 1)]


def fam_deep_nesting(d: Draw, ws: Workspace) -> Call:
    depth = d.pick((100, 2000, 100_000))
    nested = "[" * depth + "]" * depth
    k = d.int(0, 4)
    if k == 0:
        pool = ws.file(nested + "\n", ".jsonl")
        return Call(["rank", "--pool", pool, "--score", "params"])
    if k == 1:
        pool = ws.file(json.dumps({"arch": 6111, "accuracy": 1.0}) + "\n" + '{"arch": ' * depth + "1" + "}" * depth
                       + "\n", ".jsonl")
        return Call(["search", "--pool", pool, "--score", "params", "--samples", "2", "--quiet", "--no-cache"])
    if k == 2:
        return Call(["metrics", ws.file('{"chosen_cell": ' * depth + json.dumps(NB201) + "}" * depth)])

    def api() -> Any:
        import dagfilter as dg

        value: Any = 0
        for _ in range(depth):
            value = [value]
        if k == 3:
            return dg.parse_arch(value)
        from dagfilter.pools import load_pool

        return load_pool(ws.file(nested + "\n", ".jsonl"))
    return Call(fn=api)


def fam_huge_integers(d: Draw, ws: Workspace) -> Call:
    big = d.pick((2 ** 63, 2 ** 64, 2 ** 70, 10 ** 22, 10 ** 400, 10 ** 4000))
    k = d.int(0, 8)
    if k == 0:
        return Call(["metrics", _genotype_text(f"range({big if big < 10 ** 30 else 10 ** 22})")])
    if k == 1:
        pool = ws.file('{"arch": 6111, "accuracy": ' + "9" * d.pick((400, 5000)) + "}\n", ".jsonl")
        return Call(["rank", "--pool", pool, "--score", "params"])
    if k == 2:
        seed = str(d.pick((-1, big, -big)))
        if d.bool():
            return Call(["score", "6111", "--seed", seed, "--no-cache", "--quiet"])
        return Call(["search", "--score", "prior", "--seed", seed, "--no-cache", "--quiet"])
    if k == 3:
        return Call(["metrics", "1" + "0" * d.pick((19, 400, 4400, 100_000))])

    def api() -> Any:
        import dagfilter as dg

        if k == 4:
            return dg.Cell.from_adjacency([[0, 1, big], [0, 0, 1], [0, 0, 0]], ["nor_conv_3x3"] * 2)
        if k == 5:
            return dg.Cell.from_naslib((big, 1, 2, 3, 4, 2))
        if k == 6:
            from dagfilter.proxies import ScoringSetup

            return ScoringSetup(seed=d.pick((-1, big)))
        if k == 7:
            from dagfilter.genotypes import Genotype

            return dg.Cell.from_genotype(Genotype(_pairs(), range(big), _pairs(), [2]))
        return dg.Cell(3, [(0, 1, "nor_conv_3x3"), (1, big, "nor_conv_3x3")])
    return Call(fn=api)


def fam_non_finite(d: Draw, ws: Workspace) -> Call:
    import numpy as np

    x = d.pick((float("inf"), -float("inf"), float("nan"), np.float64("nan"), 1e308 * 10, complex(1, 1)))
    k = d.int(0, 6)
    if k == 0:
        lit = d.pick(("NaN", "Infinity", "-Infinity", "1e999"))
        return Call(["rank", "--pool", ws.file('{"arch": 6111, "accuracy": ' + lit + "}\n", ".jsonl"),
                     "--score", "params"])
    if k == 1:
        return Call(["filter", "--fraction", d.pick(("nan", "inf", "-inf", "1e999"))])

    def api() -> Any:
        import dagfilter as dg

        if k == 2:
            return dg.Cell.from_naslib((x, 1, 2, 3, 4, 2))
        if k == 3:
            m = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
            m[0][2] = x
            return dg.depth_width(dg.Cell.from_adjacency(m, ["nor_conv_3x3"] * 2))
        if k == 4:
            from dagfilter.cache import ScoreCache, ScoreKey

            return ScoreCache(ws.root / "c").put(NB201, ScoreKey("naswot", "cifar10", 2, 0), d.pick((x, "abc", None)))
        if k == 5:
            return dg.nngp_bound(dg.parse_arch(NB201), x)
        return dg.DAGFilter.from_space("nb201", x)
    return Call(fn=api)


def fam_oversized_fields(d: Draw, ws: Workspace) -> Call:
    n = d.pick((131_073, 200_000, 5_000_000))
    k = d.int(0, 5)
    if k == 0:
        return Call(["draw", "6111", "--out", str(ws.root / "t.png"), "--title", "a" * min(n, 200_000)],
                    check=_short_error)
    if k == 1:
        pool = ws.file("arch,accuracy\n" + "6111," + "1" * n + "\n", ".csv")
        return Call(["rank", "--pool", pool, "--score", "params"], check=_short_error)
    if k == 2:
        text = d.pick(("|x~0|+" * (n // 6), "|" + "z" * n + "~0|+|none~0|none~1|+|none~0|none~1|none~2|"))
        return Call(["metrics", ws.file(text, ".txt") if d.bool() else text[:MAX_ARG_CHARS]], check=_short_error)

    def api() -> Any:
        import dagfilter as dg

        if k == 3:
            return dg.Cell.from_nb201_str("|" + "z" * n + "~0|+|none~0|none~1|+|none~0|none~1|none~2|")
        if k == 4:
            from dagfilter.pools import load_pool

            return load_pool("x" * 5000 + ".jsonl")
        return dg.Cell.from_nb201_ops(["y" * n] + ["none"] * 5)

    def api_checked() -> Any:
        from dagfilter.errors import DagFilterError

        try:
            return api()
        except DagFilterError as exc:
            if len(str(exc)) > MAX_ERROR_CHARS:
                raise AssertionError(f"error message of {len(str(exc)):,} characters") from None
            raise
    return Call(fn=api_checked)


MAX_ARG_CHARS = 131_000
"""Longest single argument a real command line can pass (Linux MAX_ARG_STRLEN is 128 KiB)."""


def fam_self_referencing(d: Draw, ws: Workspace) -> Call:
    k = d.int(0, 3)
    a, b = ws.root / "a.json", ws.root / "b.json"
    if k in (0, 1):
        a.write_text(json.dumps({"chosen_cell": str(a)}))
    else:
        a.write_text(json.dumps({"chosen_cell": str(b)}))
        b.write_text(json.dumps({"chosen_cell": str(a)}))
    if k == 3:
        lst = ws.root / "list.txt"
        lst.write_text(f"{lst}\n{a}\n")
        return Call(["rank", "--indices", str(lst), "--score", "params"])
    if k == 1:
        def api() -> Any:
            import dagfilter as dg

            return dg.parse_arch(a)
        return Call(fn=api)
    command = d.pick(("metrics", "draw", "query"))
    return Call([command, str(a)] + (["--out", str(ws.root / "o.png")] if command == "draw" else []))


def fam_unbounded_sizes(d: Draw, ws: Workspace) -> Call:
    k = d.int(0, 8)
    if k == 0:
        return Call(["search", "--runs", d.pick(("100000000", "10001")), "--score", "prior", "--quiet", "--no-cache"])
    if k == 1:
        return Call(["search", "--samples", d.pick(("1000000000000", "1000001")), "--space", "darts", "--score",
                     "prior", "--quiet", "--no-cache"])
    if k == 2:
        return Call(["draw", "6111", "--out", str(ws.root / "t.svg"), "--title", "b" * d.pick((1001, 100_000))])

    def api() -> Any:
        import dagfilter as dg
        from dagfilter.genotypes import Genotype

        if k == 3:
            return dg.parse_arch(Genotype(_pairs(), [2], _pairs(), range(d.pick((10 ** 18, 10 ** 22)))))
        if k == 4:
            return dg.parse_arch(Genotype(_pairs(), [2] * 5_000_000, _pairs(), [2]))
        if k == 5:
            return dg.Cell.from_adjacency([[0, 10 ** 18], [0, 0]], ["nor_conv_3x3"])
        if k == 6:
            return dg.Cell(3, [(0, 1, "nor_conv_3x3")] * 10 ** 7 + [(1, 2, "nor_conv_3x3")])
        if k == 7:
            return dg.get_space(d.pick(("nb201", "darts"))).samples(10 ** 12)
        return dg.parse_arch(Genotype(_pairs(), [2], _pairs() * 50_000, [2]))
    return Call(fn=api)


def fam_symlinked_outputs(d: Draw, ws: Workspace) -> Call:
    """Outputs named by a symlink to another file: that file must stay as it was."""
    victim = ws.root / "victim.txt"
    victim.write_text("VICTIM\n")
    suffix = d.pick((".json", ".csv", ".png", ".svg"))
    link = ws.root / f"out{suffix}"
    link.symlink_to(victim)
    k = d.int(0, 3)
    if k == 0:
        argv = ["search", "--score", "prior", "--samples", "3", "--quiet", "--no-cache", "--out", str(link)]
    elif k == 1:
        argv = ["filter", "--space", "nb201", "--fraction", "0.5", "--out", str(link)]
    elif k == 2:
        argv = ["rank", "6111", "1", "--score", "params", "--csv", str(link)]
    else:
        argv = ["draw", "6111", "--out", str(link)]

    def check(err: str) -> "str | None":
        return None if victim.read_text() == "VICTIM\n" else f"wrote through the symlink {link.name} into its target"
    return Call(argv, check=check)


def _evil_pbz2(path: Path, marker: Path) -> None:
    import bz2
    import pickle

    path.write_bytes(bz2.compress(pickle.dumps({"meta_archs": [], "payload": _Payload(str(marker))}, protocol=4)))


def fam_malicious_official(d: Draw, ws: Workspace) -> Call:
    """NATS-Bench files (``.pickle.pbz2``, fast-mode folders) whose pickle runs code."""
    marker = ws.root / "payload_ran"
    if d.bool():
        evil = ws.root / "evil.pickle.pbz2"
        _evil_pbz2(evil, marker)
    else:
        evil = ws.root / "NATS-tss-v1_0-3ffb9-simple"
        evil.mkdir()
        _evil_pbz2(evil / "meta.pickle.pbz2", marker)
        if d.bool():
            _evil_pbz2(evil / "0.pickle.pbz2", marker)

    def check(err: str) -> "str | None":
        return "the pickle's payload ran" if marker.exists() else None
    k = d.int(0, 4)
    if k == 0:
        return Call(["query", "6111", "--dataset", "cifar10", "--benchmark", str(evil)], check=check)
    if k == 1:
        return Call(["data", "import", "--from-nats", str(evil), "--out", str(ws.root / "t.npz")], check=check)
    if k == 2:
        return Call(["data", "info", str(evil)], check=check)
    if k == 3:
        return Call(["report", "--space", str(evil), "--out", str(ws.root / "rep"), "--no-progress"], check=check)

    def api() -> Any:
        from dagfilter import bench

        return bench.load(evil).query(6111, "cifar10")
    return Call(fn=api, check=check)


def fam_bitflip_cache(d: Draw, ws: Workspace) -> Call:
    """A score cache with one bit flipped inside a stored score: it must never be served changed."""
    import struct

    def api() -> Any:
        import warnings

        from dagfilter.cache import ScoreCache, ScoreKey

        key = ScoreKey("naswot", "cifar10", 2, 0)
        cells = [NB201, NONE201]
        scores = [94.30418938347393, 47.15209469173696]
        path = ws.root / "c.sqlite"
        cache = ScoreCache(path)
        cache.put_many([(c, s, 1.0, None) for c, s in zip(cells, scores)], key)
        del cache
        raw = bytearray(path.read_bytes())
        i = d.int(0, 1)
        pos = raw.find(struct.pack(">d", scores[i]))  # SQLite stores REAL as big-endian IEEE 754
        if pos < 0:
            return None  # the file holds the score elsewhere (WAL not checkpointed): nothing to flip
        bit = d.int(0, 63)
        raw[pos + bit // 8] ^= 1 << (7 - bit % 8)
        path.write_bytes(bytes(raw))
        for side in ("-wal", "-shm"):
            p = path.with_name(path.name + side)
            if p.exists():
                p.unlink()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = ScoreCache(path).get_many(cells, key)
        for c, s in zip(cells, scores):
            if c in got and got[c][0] != s:
                raise AssertionError(f"served a flipped cached score: {got[c][0]!r} instead of {s!r}")
        return got
    return Call(fn=api)


FAMILIES: dict[str, Callable[[Draw, Workspace], Call]] = {
    "deep nesting": fam_deep_nesting,
    "huge integers": fam_huge_integers,
    "non-finite numbers": fam_non_finite,
    "oversized fields": fam_oversized_fields,
    "self-referencing files": fam_self_referencing,
    "unbounded sizes": fam_unbounded_sizes,
    "symlinked outputs": fam_symlinked_outputs,
    "malicious official files": fam_malicious_official,
    "bit-flipped cache rows": fam_bitflip_cache,
}
"""The input families of issue 28's second pass; ``scripts/fuzz_report.py --families N`` runs them."""
