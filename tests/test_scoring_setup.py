"""ScoringSetup / Execution: the one scoring configuration, its cache key (unchanged for existing
setups), its JSON record, a non-default network, the deprecated old call forms; and the
``dagfilter.rank`` -> ``dagfilter.trained`` rename."""
from __future__ import annotations

import importlib
import json
import sys
import warnings
from pathlib import Path

import pytest

from dagfilter.cache import ScoreCache, ScoreKey
from dagfilter.errors import ConfigError
from dagfilter.proxies import CellScorer, Execution, ScoringSetup, score_cells
from dagfilter.proxies.shipped import load_shipped_scores

POOL = "|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|"
TINY = {"C": 8, "N": 1}
QUIET = Execution(progress=False)


def test_keys_of_existing_setups_are_unchanged() -> None:
    # the four cache columns as they were written before ScoringSetup existed
    assert ScoringSetup().key == ScoreKey("naswot", "cifar10", 128, 0) == ("naswot", "cifar10", 128, 0)
    assert tuple(ScoringSetup("ntk", "cifar100", "/somewhere", 16, 3, "darts").key) == ("ntk", "cifar100", 16, 3)
    assert ScoringSetup().cache_key(embedded=True).dataset == "cifar10:embedded"
    # the shipped NAS-WOT scores import under the key a live computation with a data directory uses
    shipped = load_shipped_scores()
    assert shipped.key == ScoringSetup("naswot", "cifar10", "/data/cifar10", 128, 0).key
    # naming the benchmark network explicitly is the default network: same setup, same key
    explicit = ScoringSetup(network={"C": 16, "N": 5})
    assert explicit == ScoringSetup() and explicit.network == () and explicit.key == ScoringSetup().key


def test_non_default_network_and_proxy_tuples_key_apart() -> None:
    small = ScoringSetup(network=TINY)
    assert small.network == (("C", 8), ("N", 1)) and small.key.dataset == "cifar10[C=8,N=1]"
    assert ScoringSetup(network={"N": 1, "C": 8}).key == small.key         # order-free
    assert ScoringSetup(network={"C": 8, "N": 5}).key.dataset == "cifar10[C=8]"  # defaults dropped
    both = ScoringSetup(("naswot", "ntk"))
    assert both.proxies == ("naswot", "ntk") and ScoringSetup(["naswot"]).proxy == "naswot"
    assert [both.for_proxy(p).key.proxy for p in both.proxies] == ["naswot", "ntk"]
    with pytest.raises(ConfigError, match="ntk"):
        both.key  # noqa: B018  (keys are per proxy)


def test_setup_is_a_json_record_and_hashable(tmp_path: Path) -> None:
    setup = ScoringSetup(("naswot", "ntk"), "cifar100", tmp_path, 16, 7, network=TINY)
    record = json.loads(json.dumps(setup.to_dict()))
    assert record == {"proxy": ["naswot", "ntk"], "dataset": "cifar100", "data_dir": str(tmp_path),
                      "batch_size": 16, "seed": 7, "space": "nb201", "network": TINY}
    assert ScoringSetup.from_dict(record) == setup and len({setup, ScoringSetup.from_dict(record)}) == 1
    assert Execution(n_jobs=2, postfix={"skipped": 3}).postfix == (("skipped", 3),)
    assert Execution(n_jobs=2).to_dict() == {"n_jobs": 2, "backend": "loky", "scheduler": None, "chunk_size": 4}


@pytest.mark.parametrize("kwargs, match", [
    ({"proxy": "nope"}, "'nope'"), ({"proxy": ()}, r"\(\)"), ({"batch_size": 1}, "batch_size.*1"),
    ({"seed": "x"}, "'x'"), ({"network": {"width": 3}}, "'width'"), ({"network": {"C": [8]}}, "'C'"),
    ({"network": 5}, "5"),
])
def test_bad_setups_name_the_value(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        ScoringSetup(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"backend": "spark"}, "spark"), ({"n_jobs": 0}, "n_jobs.*0"), ({"chunk_size": 0}, "chunk_size.*0"),
])
def test_bad_executions_name_the_value(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Execution(**kwargs)


def test_from_dict_refuses_unknown_fields() -> None:
    with pytest.raises(ConfigError, match="colour"):
        ScoringSetup.from_dict({"proxy": "naswot", "colour": "red"})


def test_network_option_reaches_the_network_and_its_own_cache_rows(cifar_dir: Path, tmp_path: Path) -> None:
    default = ScoringSetup(data_dir=cifar_dir, batch_size=8)
    small = ScoringSetup(data_dir=cifar_dir, batch_size=8, network=TINY)
    net = CellScorer(small).build(POOL)
    ref = CellScorer(default).build(POOL)
    assert (net.C, net.N) == (8, 1) and (ref.C, ref.N) == (16, 5)
    cache = ScoreCache(tmp_path)
    a = score_cells([POOL], small, cache, QUIET)[0]
    b = score_cells([POOL], default, cache, QUIET)[0]
    assert not a.cached and not b.cached and a.score != b.score  # two networks, two rows
    assert score_cells([POOL], small, cache, QUIET)[0].cached
    assert {r.dataset for r in cache.items()} == {"cifar10", "cifar10[C=8,N=1]"}
    with pytest.raises(ConfigError, match="one proxy"):
        score_cells([POOL], ScoringSetup(("naswot", "ntk"), data_dir=cifar_dir, batch_size=8), cache, QUIET)


def test_old_keyword_forms_warn_and_give_the_same_scores(cifar_dir: Path) -> None:
    new = score_cells([POOL], ScoringSetup(data_dir=cifar_dir, batch_size=8, network=TINY), None, QUIET)
    with pytest.warns(DeprecationWarning, match="ScoringSetup"):
        old = score_cells([POOL], data_dir=cifar_dir, batch_size=8, network=TINY, progress=False)
    with pytest.warns(DeprecationWarning, match="ScoringSetup"):
        one = CellScorer("naswot", "cifar10", cifar_dir, batch_size=8, network=TINY).score(POOL)
    assert old[0].score == new[0].score == one
    with pytest.raises(TypeError, match="colour"):
        score_cells([POOL], colour="red")
    with pytest.raises(ConfigError, match="ScoringSetup"):
        score_cells([POOL], ScoringSetup(), batch_size=8)


def test_old_rank_package_still_imports_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import dagfilter
    import dagfilter.trained as trained

    trained_funnel = importlib.import_module("dagfilter.trained.funnel")  # the module (trained.funnel is a function)

    for name in [m for m in sys.modules if m == "dagfilter.rank" or m.startswith("dagfilter.rank.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(dagfilter, "rank", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("dagfilter.rank")
        old_funnel = importlib.import_module("dagfilter.rank.funnel")
    assert any(issubclass(w.category, DeprecationWarning) and "dagfilter.trained" in str(w.message) for w in caught)
    assert old_funnel is trained_funnel                      # the very module, not a copy
    assert old.funnel is trained.funnel and old.neural_capacitance is trained.neural_capacitance
    assert set(old.__all__) == set(trained.__all__)


def test_ranker_context_carries_one_execution_and_one_setup_per_proxy() -> None:
    from dagfilter.rankers import RankerContext, get_ranker

    r = get_ranker("naswot", batch_size=8, score_seed=3, n_jobs=2, chunk_size=5)
    assert (r.ctx.execution.n_jobs, r.ctx.execution.chunk_size, r.ctx.execution.backend) == (2, 5, "loky")
    assert r.setup.key == ScoringSetup("naswot", batch_size=8, seed=3).key
    assert r.ctx.execution_for(progress=False, desc="x") == Execution(2, chunk_size=5, progress=False, desc="x")
    with pytest.raises(ConfigError, match="n_jobs.*0"):
        RankerContext().with_options(n_jobs=0)
    with pytest.raises(ConfigError, match="'colour'"):
        RankerContext().with_options(colour="red")
    with pytest.raises(ConfigError, match="execution"):
        RankerContext(execution=4)


def test_cli_score_json_records_its_setup(cifar_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dagfilter.cli import main

    assert main(["score", POOL, "--batch", "8", "--seed", "2", "--data-dir", str(cifar_dir), "--no-cache",
                 "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    setup = ScoringSetup.from_dict(out["setup"])
    assert setup == ScoringSetup("naswot", "cifar10", cifar_dir, 8, 2)
    assert out["scores"][0]["score"] == CellScorer(setup).score(POOL)
