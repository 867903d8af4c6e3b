"""One-line integration: wrapped samplers / mutations, NASLib's dataset_api shape and search-space
filter, and the runnable examples (small budgets)."""
from __future__ import annotations

import random
import sys
from copy import deepcopy
from pathlib import Path

import numpy as np
import pytest

import dagfilter as dg
import dagfilter.adapters  # noqa: F401  (a subpackage: imported explicitly)
from dagfilter import bench
from dagfilter.encodings import nb201 as enc
from dagfilter.errors import BenchmarkError, ConfigError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import nats_common  # noqa: E402


@pytest.fixture(scope="module")
def nb():
    return bench.load("nb201")


def test_filtered_sampler_and_mutation_keep_the_objects_and_count(nb):
    flt = dg.DAGFilter.from_space("nb201", 0.5)
    random.seed(0)
    sample = dg.adapters.filtered_sampler(nats_common.random_topology_func(nats_common.OPS), fraction=0.5)
    mutate = dg.adapters.filtered_mutation(nats_common.mutate_topology_func(nats_common.OPS), fraction=0.5)
    cls = nats_common.cell_structure_class()
    archs = [sample() for _ in range(200)]
    assert all(isinstance(a, cls) and flt.accepts(a) for a in archs)
    assert sample.stats.calls == 200 and sample.stats.drawn == 200 + sample.stats.rejected > 200
    # the share rejected matches the window's share of the space (40.0 % kept at 0.5)
    assert abs(sample.stats.rejected / sample.stats.drawn - (1 - flt.mask(np.arange(15625)).mean())) < 0.08
    children = [mutate(a) for a in archs[:50]]
    assert all(flt.accepts(c) for c in children)
    assert all(sum(x != y for x, y in zip(enc.to_ops(enc.from_str(a.tostr())), enc.to_ops(enc.from_str(c.tostr())))) == 1
               for a, c in zip(archs, children))


def test_wrappers_report_empty_windows_and_bad_arguments():
    empty = dg.DAGFilter.from_ranges((9.0, 9.5), (9.0, 9.5), space="nb201")
    sample = dg.adapters.filtered_sampler(lambda: 6111, empty, max_tries=20)
    with pytest.raises(ConfigError, match="20 samples in a row"):
        sample()
    mutate = dg.adapters.filtered_mutation(lambda p: p, empty, max_tries=5)
    with pytest.raises(ConfigError, match="5 mutations"):
        mutate(6111)
    keep = dg.adapters.filtered_mutation(lambda p: p, empty, max_tries=5, on_exhausted="keep")
    assert keep(6111) == 6111 and keep.exhausted[0] == 1
    with pytest.raises(ConfigError):
        dg.adapters.filtered_mutation(lambda p: p, empty, on_exhausted="sample")
    with pytest.raises(ConfigError):
        dg.adapters.filtered_sampler(lambda: 0, empty, fraction=0.5)


# ---------------------------------------------------------------------------- NASLib
class NB201SearchSpace:
    """NASLib's NasBench201SearchSpace as its discrete optimizers use it: ``sample_random_architecture``,
    ``mutate``, ``clone``, ``get_op_indices``, ``get_type`` and ``query`` reading
    ``dataset_api["nb201_data"][arch_str][dataset][key][epoch]`` (NASLib op codes and edge order)."""

    OPS = ["skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3"]
    EDGES = [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)]

    def __init__(self):
        self.op_indices = None

    def get_type(self):
        return "nasbench201"

    def get_op_indices(self):
        return self.op_indices

    def set_op_indices(self, ops):
        self.op_indices = list(ops)

    def clone(self):
        return deepcopy(self)

    def sample_random_architecture(self, dataset_api=None):
        self.set_op_indices(np.random.randint(5, size=6).tolist())

    def mutate(self, parent, dataset_api=None):
        ops = list(parent.get_op_indices())
        k = np.random.randint(6)
        ops[k] = int(np.random.choice([o for o in range(5) if o != ops[k]]))
        self.set_op_indices(ops)

    def arch_str(self):
        by_edge = {e: self.OPS[o] for e, o in zip(self.EDGES, self.op_indices)}
        return "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*(by_edge[e] for e in
                                                                [(1, 2), (1, 3), (2, 3), (1, 4), (2, 4), (3, 4)]))

    def query(self, metric="eval_acc1es", dataset="cifar10", epoch=-1, full_lc=False, dataset_api=None):
        ds = "cifar10-valid" if dataset == "cifar10" else dataset
        curve = dataset_api["nb201_data"][self.arch_str()][ds][metric]
        return curve[:epoch] if full_lc else curve[epoch]


def test_naslib_dataset_api_shape(nb, nb201_csv):
    api = dg.adapters.get_dataset_api("nasbench201", "cifar10")
    space = NB201SearchSpace()
    space.set_op_indices(enc.to_naslib(enc.from_index(6111)))
    assert space.query(dataset="cifar10", dataset_api=api) == pytest.approx(nb201_csv.loc[6111, "cifar10valid_valid_200_1seed"])
    assert space.query(dataset="cifar100", epoch=199, dataset_api=api) == pytest.approx(nb201_csv.loc[6111, "cifar100_valid_200_1seed"])
    assert len(api["nb201_data"][space.arch_str()]["ImageNet16-120"]["eval_acc1es"]) == 200
    with pytest.raises(BenchmarkError, match="epoch 50 .*final epoch only"):
        space.query(dataset="cifar100", epoch=50, dataset_api=api)
    with pytest.raises(BenchmarkError, match="learning curve"):
        space.query(dataset="cifar100", epoch=10, full_lc=True, dataset_api=api)
    with pytest.raises(KeyError, match="train_losses"):
        space.query(metric="train_losses", dataset="cifar100", dataset_api=api)
    low = dg.adapters.get_dataset_api("nasbench201", "cifar100", hp=12)["nb201_data"]
    assert low[space.arch_str()]["cifar100"]["eval_acc1es"][11] == pytest.approx(nb201_csv.loc[6111, "cifar100_valid_12"])
    with pytest.raises(ConfigError, match="nasbench301"):
        dg.adapters.get_dataset_api("nasbench301", "cifar10")


def test_naslib_filter_makes_clones_sample_and_mutate_in_the_window():
    flt = dg.DAGFilter.from_space("nb201", 0.75)
    np.random.seed(0)
    space = dg.adapters.naslib_filter(NB201SearchSpace(), flt)
    kept = []
    for _ in range(100):
        arch = space.clone()
        arch.sample_random_architecture(dataset_api=None)
        child = space.clone()
        child.mutate(arch, dataset_api=None)
        kept += [flt.accepts(arch), flt.accepts(child)]
    assert all(kept)
    with pytest.raises(ConfigError, match="already filtered"):
        dg.adapters.naslib_filter(space, flt)


# ---------------------------------------------------------------------------- examples
@pytest.mark.parametrize("name", ["regularized_ea", "random_search", "local_search"])
def test_examples_run_with_and_without_the_filter(name):
    import importlib

    mod = importlib.import_module(name)
    api = bench.create(None, "tss", time_model="flops")
    flt = dg.DAGFilter.from_space("nb201", 0.5)
    plain = mod.main(["--dataset", "cifar100", "--time_budget", "6000", "--rand_seed", "3"], api=api)
    filt = mod.main(["--dataset", "cifar100", "--time_budget", "6000", "--rand_seed", "3", "--filter", "0.5"], api=api)
    for res in (plain, filt):
        assert res["time"] >= 6000 and res["evaluated"] == len(res["time_trace"]) > 5
        assert np.all(np.diff(res["time_trace"]) > 0)
        assert 0 < res["test_accuracy"] < 100 and res["time_source"].startswith("estimate")
    # every cell the filtered run evaluated lies in the window (its best-so-far trace included)
    assert all(flt.accepts(i) for i in filt["best_index_trace"])
    # the same seed evaluates other cells once the filter is on
    assert plain["best_index_trace"] != filt["best_index_trace"]


def test_example_lines_to_add_are_at_most_three():
    for name in ("regularized_ea.py", "random_search.py", "local_search.py"):
        text = (ROOT / "examples" / name).read_text()
        marked = [line for line in text.splitlines() if line.rstrip().endswith("# DAG filter")]
        assert 1 <= len(marked) <= 3 and all(not line.lstrip().startswith("#") for line in marked)


def test_bench_integrations_script_writes_its_report(tmp_path):
    from .script_loader import load_script

    script = load_script("bench_integrations")
    md = tmp_path / "integrations.md"
    summary = script.main(["--seeds", "0-2", "--algos", "random", "--work", str(tmp_path / "runs.jsonl"),
                           "--md", str(md), "--budget-scale", "0.2"])
    assert set(summary) == {("random", ds) for ds in script.DATASETS}
    text = md.read_text()
    assert "**Time is an estimate.**" in text and "| random search | cifar100 |" in text
    assert (tmp_path / "integrations_anytime.png").stat().st_size > 10_000
    e = summary[("random", "cifar10")]
    # curves count an evaluation when it finishes; the loops' last evaluation may finish past the
    # budget (as in the public scripts) and counts in the final accuracy only
    for v in script.VARIANTS:
        assert abs(e["mean_curve"][v][-1] - e["final"][v]) < 1.0
    # rerunning resumes: nothing is recomputed, the same numbers come back
    again = script.main(["--seeds", "0-2", "--algos", "random", "--work", str(tmp_path / "runs.jsonl"),
                         "--budget-scale", "0.2"])
    assert again[("random", "cifar10")]["final"] == e["final"]
