"""Architecture objects of other NAS code (xautodl, NASLib, NNI, DARTS repos) at every entry point.

xautodl's ``Structure`` is the real class from the real package (``pip install --no-deps
xautodl``: its metadata pins numpy<=1.19.5, which has no build for Python >= 3.10, so it cannot be
installed with its dependencies; the class itself needs none). NASLib is not on PyPI and NNI 3.0 is
a 61 MB wheel with ~20 dependencies (filelock<3.12, typeguard<4.1.3, scikit-learn, ...): their
objects are built here in their documented shapes (NASLib ``get_op_indices``/``get_compact``/
``get_type``; NNI's ``{"0_1": "conv_3x3", ...}`` dict as its NAS-Bench-201 benchmark stores it).
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import dagfilter as dg
from dagfilter import bench
from dagfilter.encodings import nb201 as enc
from dagfilter.errors import CellFormatError, DagFilterError

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


@pytest.fixture(scope="module")
def Structure():
    mod = pytest.importorskip("xautodl.models.cell_searchs.genotypes",
                              reason="xautodl is not installed (pip install --no-deps xautodl)")
    return mod.Structure


@pytest.fixture(scope="module")
def nb():
    return bench.load("nb201")


@pytest.fixture(scope="module")
def flt():
    return dg.DAGFilter.from_space("nb201", 0.5)


class NaslibNB201:
    """NASLib's NasBench201SearchSpace as its optimizers see it (documented methods only)."""

    def __init__(self, op_indices):
        self.op_indices = list(op_indices)

    def get_op_indices(self):
        return self.op_indices

    def get_hash(self):
        return tuple(self.op_indices)

    def get_type(self):
        return "nasbench201"


class NaslibNB301:
    def __init__(self, compact):
        self.compact = compact

    def get_compact(self):
        return self.compact

    def get_type(self):
        return "nasbench301"


def test_xautodl_structure_everywhere(Structure, nb, flt):
    for idx in (0, 6111, 9930, 15624):
        s = nb.arch(idx)
        st = Structure.str2structure(s)
        assert nb.query_index_by_arch(st) == idx
        assert flt.accepts(st) == flt.accepts(s)
        assert nb.simulate_train_eval(st, "cifar100", hp=12).accuracy == nb.simulate_train_eval(s, "cifar100", hp=12).accuracy
    structs = [Structure.str2structure(nb.arch(i)) for i in range(0, 15625, 97)]
    assert (flt.mask(structs) == flt.mask(np.arange(0, 15625, 97))).all()


def test_xautodl_structure_after_mutation_as_the_rea_script_does(Structure, nb):
    from copy import deepcopy

    parent = Structure.str2structure(BEST)
    child = deepcopy(parent)
    node = list(child.nodes[2])
    node[0] = ("avg_pool_3x3", node[0][1])
    child.nodes[2] = tuple(node)
    want = BEST.replace("|skip_connect~0|", "|avg_pool_3x3~0|")
    assert nb.query_index_by_arch(child) == nb.query_index_by_arch(want) != nb.query_index_by_arch(parent)


def test_structure_of_another_space_is_a_clear_error(Structure, nb, flt):
    five = Structure([(("nor_conv_3x3", 0),), (("nor_conv_3x3", 0), ("skip_connect", 1)),
                      (("skip_connect", 0), ("nor_conv_3x3", 1), ("none", 2)),
                      (("none", 0), ("none", 1), ("none", 2), ("nor_conv_1x1", 3))])
    for call in (flt.accepts, nb.query_index_by_arch, lambda a: nb.simulate_train_eval(a, "cifar10")):
        with pytest.raises(CellFormatError, match="Structure is not a NAS-Bench-201 cell"):
            call(five)
    odd_op = Structure([(("conv_7x7", 0),), (("none", 0), ("none", 1)), (("none", 0), ("none", 1), ("none", 2))])
    with pytest.raises(DagFilterError, match="conv_7x7"):
        flt.accepts(odd_op)


def test_naslib_graph_and_op_indices(nb, flt):
    for idx in (0, 6111, 12000):
        codes = enc.to_naslib(enc.from_index(idx))
        g = NaslibNB201(codes)
        assert nb.query_index_by_arch(g) == nb.query_index_by_arch(list(codes)) == idx
        assert flt.accepts(g) == flt.accepts(idx)


def test_naslib_graph_of_an_unsupported_space_names_it(nb):
    class Graph101:
        def get_op_indices(self):
            return [0, 1]

        def get_type(self):
            return "nasbench101"

    with pytest.raises(CellFormatError, match="nasbench101"):
        nb.query_index_by_arch(Graph101())


def test_naslib_compact_darts_and_genotypes_of_any_repo():
    darts_v2 = dg.genotypes.NAMED_GENOTYPES["DARTS_V2"]
    ops = list(dg.encodings.darts.DARTS_OPS)
    compact = tuple(tuple((node, ops.index(op)) for op, node in getattr(darts_v2, part)) for part in ("normal", "reduce"))
    flt = dg.DAGFilter.recommended("darts")
    g = dg.parse_arch(compact)
    assert g.normal == [tuple(p) for p in darts_v2.normal] and g.normal_concat == [2, 3, 4, 5]
    assert flt.accepts(compact) == flt.accepts(darts_v2) == flt.accepts(NaslibNB301(compact))
    # a Genotype namedtuple defined by some other repository, with range() concat
    Other = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")
    other = Other(normal=list(darts_v2.normal), normal_concat=range(2, 6), reduce=list(darts_v2.reduce),
                  reduce_concat=range(2, 6))
    assert dg.depth_width(dg.encodings.darts.cell_from_genotype(other)) == \
        dg.depth_width(dg.encodings.darts.cell_from_genotype(darts_v2))
    with pytest.raises(CellFormatError, match="op code 9"):
        dg.parse_arch(((( 0, 9), (1, 0)), ((0, 0), (1, 0))))
    with pytest.raises(CellFormatError, match="input node 5"):
        dg.parse_arch((((5, 0), (1, 0)), ((0, 0), (1, 0))))


def test_nni_nb201_dict_forms(nb, flt):
    s = nb.arch(6111)
    ops = enc.to_ops(enc.from_str(s))
    nni_names = {"nor_conv_3x3": "conv_3x3", "nor_conv_1x1": "conv_1x1"}
    plain = {k: nni_names.get(op, op) for k, op in zip(("0_1", "0_2", "1_2", "0_3", "1_3", "2_3"), ops)}
    scoped = {f"cell/{k}": v for k, v in plain.items()}
    assert nb.query_index_by_arch(plain) == nb.query_index_by_arch(scoped) == 6111
    assert flt.accepts(plain) == flt.accepts(6111)
    with pytest.raises(DagFilterError, match="conv_5x5"):
        nb.query_index_by_arch({**plain, "0_1": "conv_5x5"})


def test_objects_that_are_not_architectures_are_named(nb, flt):
    class Nothing:
        pass

    class BadTostr:
        def tostr(self):
            raise RuntimeError("boom")

    with pytest.raises(CellFormatError, match="Nothing"):
        flt.accepts(Nothing())
    with pytest.raises(CellFormatError, match=r"tostr\(\) failed: RuntimeError: boom"):
        nb.query_index_by_arch(BadTostr())
    with pytest.raises(CellFormatError):
        flt.accepts({"0_1": "conv_3x3"})


# ---------------------------------------------------------------------------- nats_bench facade
def test_facade_refuses_times_it_does_not_have(Structure):
    api = bench.create(None, "tss", fast_mode=True, verbose=False)
    arch = Structure.str2structure(BEST)
    with pytest.raises(dg.errors.BenchmarkError, match="no training times.*create\\('/path/to/NATS-tss"):
        api.simulate_train_eval(arch, "cifar10", hp="12")
    with pytest.raises(dg.errors.BenchmarkError, match="time_model='flops'"):
        api.get_latency(6111, "cifar10")
    info = api.get_more_info(arch, "cifar100", hp="200", is_random=False)
    with pytest.raises(KeyError, match="train-all-time"):
        info["train-all-time"]
    with pytest.raises(dg.errors.BenchmarkError, match="final epoch only"):
        api.get_more_info(6111, "cifar10", iepoch=5, hp="12")
    with pytest.raises(dg.errors.BenchmarkError, match="seed"):
        api.get_more_info(6111, "cifar10", hp="200", is_random=777)


def test_facade_accounts_time_like_nats_bench(Structure, nb201_csv):
    api = bench.create(None, "tss", time_model="flops", seed=0)
    assert api.used_time == 0 and api.full_train_epochs == 200 and len(api) == 15625
    arch = Structure.str2structure(BEST)
    with pytest.warns(UserWarning, match="cannot draw a different training trial"):
        acc, lat, cost, total = api.simulate_train_eval(arch, "cifar10", hp="12")
    assert acc == pytest.approx(nb201_csv.loc[6111, "cifar10valid_valid_12"])
    acc2, _, cost2, total2 = api.simulate_train_eval(6111, "cifar100", hp=api.full_train_epochs)
    assert acc2 == pytest.approx(nb201_csv.loc[6111, "cifar100_valid_200_1seed"])  # the one stored trial
    assert total == cost > 0 and total2 == pytest.approx(cost + cost2) == pytest.approx(api.used_time)
    r = api.simulate_train_eval(0, "ImageNet16-120", hp="12", account_time=False)
    assert r.estimated and r.time_source.startswith("estimate") and api.used_time == pytest.approx(total2)
    assert all(isinstance(v, float) for v in r)
    api.reset_time()
    assert api.used_time == 0
    # FLOPs order the estimated costs; cifar10 trains on cifar10-valid (25k images) for 12 epochs
    small = api.simulate_train_eval(284, "cifar10", hp="12", account_time=False).time_cost
    assert small < cost
    info = api.get_more_info(6111, "cifar10-valid", hp="200", is_random=False)
    assert info["valid-accuracy"] == pytest.approx(nb201_csv.loc[6111, "cifar10valid_valid_200"])
    assert "train-all-time" in info.estimated and "estimate" in info["comment"]
    with pytest.raises(dg.errors.BenchmarkError):
        api.simulate_train_eval(6111, "cifar10-valid")  # nats_bench's simulate_train_eval refuses it too


def test_facade_lookups(Structure, nb201_csv):
    api = bench.create()
    arch = Structure.str2structure(BEST)
    assert api.query_index_by_arch(arch) == 6111 and api.arch(6111) == BEST == api[6111] == api.meta_archs[6111]
    assert api.find_best("cifar10", "test", hp="200") == (6111, pytest.approx(nb201_csv.loc[6111, "cifar10_test_200"]))
    text = api.query_info_str_by_arch(arch, "200")
    assert "arch-index= 6111" in text and f"{nb201_csv.loc[6111, 'cifar100_test_200']:.2f}" in text
    meta = api.query_meta_info_by_index(6111, hp="200")
    assert meta.get_metrics("cifar10-valid", "x-valid")["accuracy"] == pytest.approx(nb201_csv.loc[6111, "cifar10valid_valid_200"])
    assert api.get_net_config(6111, "cifar100") == {"name": "infer.tiny", "C": 16, "N": 5, "arch_str": BEST, "num_classes": 100}
    assert set(api.get_cost_info(arch, "cifar10")) == {"flops", "params"}
    seeded = [bench.create(seed=3).random() for _ in range(2)]
    assert seeded[0] == seeded[1] and 0 <= seeded[0] < 15625
    with pytest.raises(dg.errors.BenchmarkError, match="topology"):
        bench.create(None, "sss")
    with pytest.raises(dg.errors.BenchmarkError, match="hp='12' and hp='200'"):
        api.get_more_info(0, "cifar10", hp="90")


def test_facade_over_official_files_draws_trials_and_times(tmp_path, shared_dir, Structure):
    nats_bench = pytest.importorskip("nats_bench")
    from .test_bench_official import INDICES, write_fast_mode_archive

    archive = write_fast_mode_archive(tmp_path / "NATS-tss-v1_0-3ffb9-simple", shared_dir)
    api = bench.create(str(archive), "tss", fast_mode=True, verbose=False, seed=1)
    assert api.time_source == "official"
    wrapped = bench.create(nats_bench.create(str(archive), "tss", fast_mode=True, verbose=False))  # the real API object
    assert wrapped.query_index_by_arch(Structure.str2structure(api.arch(INDICES[2]))) == INDICES[2]
    with pytest.raises(dg.errors.BenchmarkError, match="not mixed"):
        bench.create(str(archive), "tss", time_model="flops")
    arch = Structure.str2structure(api.arch(INDICES[1]))
    seen = set()
    api.reset_time()
    for _ in range(12):
        acc, lat, cost, total = api.simulate_train_eval(arch, "cifar100", hp="12")
        seen.add(acc)
    assert len(seen) == 2  # the archive's two trials (+-0.5 around the mean), drawn per call
    assert api.used_time == pytest.approx(total) and cost > 0 and lat == pytest.approx(0.01)
    mean = api.get_more_info(arch, "cifar100", hp="12", is_random=False)
    assert mean["valid-accuracy"] == pytest.approx(sum(seen) / 2) and mean.trials["valid-accuracy"] == "mean"
    assert api.get_more_info(arch, "cifar100", hp="12", is_random=777).trials["valid-accuracy"] == "seed 777"
    # the official-file adapter itself: reset_time, arch, used_time, and its time metrics
    official = bench.from_nats(archive)
    official.reset_time()
    official.simulate_train_eval(INDICES[0], "cifar10", hp=12)
    assert official.used_time > 0 and official.arch(INDICES[0]) == api.arch(INDICES[0])
    assert official.query(INDICES[0], "cifar100", "train-all-time", hp=12).value > 0


def test_official_adapter_takes_nats_bench_keywords(tmp_path, shared_dir):
    pytest.importorskip("nats_bench")
    from .test_bench_official import INDICES, write_fast_mode_archive

    official = bench.from_nats(write_fast_mode_archive(tmp_path / "NATS-tss-v1_0-3ffb9-simple", shared_dir))
    idx = INDICES[0]
    mean = official.get_more_info(idx, "cifar100", hp="12", iepoch=None, is_random=False)["valid-accuracy"]
    draws = {official.get_more_info(idx, "cifar100", hp="12", is_random=True)["valid-accuracy"] for _ in range(16)}
    assert draws == {mean - 0.5, mean + 0.5}
    assert official.get_more_info(idx, "cifar100", hp="12", is_random=888)["valid-accuracy"] == mean + 0.5
    # iepoch reaches the official files: the archive's non-final epochs hold half the final accuracy
    assert official.get_more_info(idx, "cifar100", hp="12", iepoch=5, is_random=False)["valid-accuracy"] == mean / 2
    official.reset_time()
    acc, _, cost, total = official.simulate_train_eval(idx, "cifar100", hp="12", iepoch=None, account_time=True)
    assert acc in (mean - 0.5, mean + 0.5) and total == cost == official.used_time > 0
