"""DAGFilter behaviour as a drop-in, and the core CLI commands."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dagfilter import DARTS_V2, Cell, DAGFilter, depth_width
from dagfilter.cli import main
from dagfilter.encodings import nb201
from dagfilter.errors import ConfigError
from dagfilter.filter import REJECTED
from dagfilter.spaces import get_space

GOOD = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
CHAIN = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|"   # d_bar 3: too deep


def test_accepts_and_mask_agree_on_every_encoding():
    flt = DAGFilter.from_space("nb201")
    idx = np.arange(0, nb201.NUM_ARCHS, 7)
    m_idx = flt.mask(idx)
    cells = [Cell.from_nb201_index(int(i)) for i in idx]
    assert (flt.mask(cells) == m_idx).all()
    assert (flt.mask([c.to_nb201_str() for c in cells[:200]]) == m_idx[:200]).all()
    assert [flt.accepts(c.to_naslib()) for c in cells[:200]] == list(m_idx[:200])
    assert flt.accepts(GOOD) and not flt.accepts(CHAIN)


def test_filter_is_lazy_and_guard_never_calls_the_scorer():
    flt = DAGFilter.from_space("nb201")
    pulled = []

    def stream():
        for i in range(nb201.NUM_ARCHS):
            pulled.append(i)
            yield i

    gen = flt.filter(stream())
    first = next(gen)
    assert pulled[-1] == first and flt.accepts(first)
    assert len(pulled) == first + 1   # nothing beyond the first accepted cell was drawn

    calls = []

    @flt.guard(sentinel=float("-inf"))
    def score(cell):
        calls.append(cell)
        return 1.0

    assert score(CHAIN) == float("-inf") and not calls
    assert score(GOOD) == 1.0 and calls == [GOOD]
    assert flt.guard(lambda c: 0)(CHAIN) is REJECTED


def test_wrap_sampler_only_returns_accepted_and_errors_on_empty_window():
    flt = DAGFilter.from_space("nb201")
    space = get_space("nb201")
    rng = np.random.default_rng(0)
    sample = flt.wrap_sampler(space.sample)
    draws = [sample(rng) for _ in range(50)]
    assert all(flt.accepts(c) for c in draws)
    empty = DAGFilter.from_ranges((10, 11), (10, 11))
    with pytest.raises(ConfigError, match="rejected"):
        empty.wrap_sampler(space.sample, max_tries=50)(rng)


def test_fraction_sweep_is_monotone_and_from_ranges_is_explicit():
    base = DAGFilter.from_space("nb201")
    kept = [base.with_fraction(f).summary("nb201")["kept"] for f in (0.25, 0.5, 0.75, 1.0)]
    assert kept == sorted(kept) and kept[-1] <= nb201.NUM_ARCHS
    d, m = get_space("nb201").all_depth_width()
    assert kept[-1] == int((d > 0).sum())   # the full window keeps exactly the cells with d_bar > 0
    explicit = DAGFilter.from_ranges((1.0, 2.0), (1.5, 3.0))
    assert explicit.window == ((1.0, 2.0), (1.5, 3.0))
    assert explicit.accepts_metrics(1.0, 3.0) and not explicit.accepts_metrics(0.99, 2.0)
    assert DAGFilter.from_dict(json.loads(json.dumps(explicit.to_dict()))) == explicit


def test_genotype_parts(shared_dir):
    normal = Cell.from_genotype(DARTS_V2, "normal")
    d, m = depth_width(normal)
    window_around_normal = DAGFilter.from_ranges((d - 0.1, d + 0.1), (m - 0.1, m + 0.1))
    assert window_around_normal.accepts(DARTS_V2)
    both = DAGFilter(window_around_normal.center, window_around_normal.radius, 1.0, part="both")
    assert not both.accepts(DARTS_V2)   # the reduce cell is all pooling/skip: d_bar = 0
    df = pd.read_csv(shared_dir / "data/darts/darts_space_725.csv")
    flt = DAGFilter.paper("darts")
    mask = flt.mask(list(df["genotype_json"]))
    assert mask.dtype == bool and len(mask) == 725
    assert mask.tolist() == [flt.accepts(g) for g in df["genotype_json"]]


def test_bad_filter_config():
    with pytest.raises(ConfigError):
        DAGFilter((1.0, 1.0), (-1.0, 1.0))
    with pytest.raises(ConfigError):
        DAGFilter.from_metrics([0.0, 0.0], [0.0, 0.0])
    with pytest.raises(ConfigError, match="part"):
        DAGFilter((1.0, 1.0), (1.0, 1.0), part="left")
    with pytest.raises(ConfigError):
        DAGFilter.paper("nb101")


def test_cli_metrics_filter_spaces(capsys, tmp_path):
    assert main(["metrics", GOOD, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["num_paths"] == 4 and out["path_depth_counts"] == {"0": 1, "2": 2, "3": 1}
    assert out["d_bar"] == pytest.approx(1.75)

    csv = tmp_path / "kept.csv"
    assert main(["filter", "--space", "nb201", "--fraction", "0.5", "--out", str(csv), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    kept = pd.read_csv(csv)
    assert len(kept) == info["kept"]
    flt = DAGFilter.from_space("nb201")
    assert all(flt.accepts(a) for a in kept["arch"].head(100))
    assert (round(info["center"][0], 1), round(info["center"][1], 1)) == (1.6, 2.2)

    assert main(["spaces", "--json"]) == 0
    names = {r["name"] for r in json.loads(capsys.readouterr().out)}
    assert {"nb201", "darts", "enas", "pnas", "amoeba", "nasnet"} <= names

    assert main(["metrics", "|nor_conv_3x3~0|+|oops|"]) == 2
    assert "3 '+'-separated nodes" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["filter", "--help"])
    assert "examples" in capsys.readouterr().out
