"""The README's main job on the embedded default: the shipped CIFAR-10 images are the shipped scores'
minibatch, so the shipped scores serve it (issue 29, item 3)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from dagfilter.proxies import CellScorer, Execution, ScoringSetup, score_cells
from dagfilter.proxies.scoring import embedded_batch, embedded_batch_is_exact
from dagfilter.proxies.shipped import darts725_setup, load_darts725_scores, load_shipped_scores, serve_shipped


@pytest.fixture
def no_data_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DAGFILTER_DATA_DIR", "DAGFILTER_CIFAR10_DIR"):
        monkeypatch.delenv(var, raising=False)


def test_embedded_images_are_the_data_directory_minibatch_bit_for_bit(cifar_dir: Path) -> None:
    from dagfilter.data import fixed_batch

    for seed in (0, 1):
        assert embedded_batch_is_exact(128, seed)
        x, y = embedded_batch(128, seed)
        fx, fy = fixed_batch("cifar10", cifar_dir, 128, seed)
        assert torch.equal(x, fx) and torch.equal(y, fy)
    assert not embedded_batch_is_exact(16, 0)


def test_embedded_default_keys_like_the_shipped_scores(no_data_env: None) -> None:
    sc = CellScorer(ScoringSetup())
    assert sc.embedded and sc.embedded_exact
    assert sc.key == load_shipped_scores().key  # same images, same key
    other = CellScorer(ScoringSetup(batch_size=16))
    assert other.embedded and not other.embedded_exact
    assert other.key.dataset.startswith("cifar10:embedded") and other.key != ScoringSetup(batch_size=16).key


def test_main_job_cells_are_served_by_the_shipped_scores(no_data_env: None) -> None:
    shipped = load_shipped_scores().scores
    cells = [6111, 0, 14000]
    got = score_cells(cells, ScoringSetup(), None, Execution(progress=False))
    assert [g.score for g in got] == [shipped[i] for i in cells]
    assert all(g.cached and g.source == "benchmarks_data/naswot_nb201_cifar10.npz" for g in got)
    # another setup (batch 16: not the shipped minibatch) is computed live
    live = score_cells([6111], ScoringSetup(batch_size=16), None, Execution(progress=False))[0]
    assert live.source == "computed" and not live.cached and np.isfinite(live.score)


def test_darts725_pool_cells_are_served_without_a_data_dir(no_data_env: None) -> None:
    from dagfilter.pools import load_pool

    pool = load_pool("darts725")
    got = score_cells([pool.archs[5], pool.archs[700]], darts725_setup(), None, Execution(progress=False))
    assert [g.score for g in got] == [load_darts725_scores().scores[r] for r in (5, 700)]
    assert {g.source for g in got} == {"benchmarks_data/naswot_darts725_cifar10.npz"}


def test_other_images_are_never_served_shipped_scores(no_data_env: None) -> None:
    from dagfilter.encodings.nb201 import index_strings

    images, labels = embedded_batch(128, 0)
    flipped = CellScorer(ScoringSetup(), images=images.flip(-1).contiguous(), labels=labels)
    assert serve_shipped(index_strings([6111]), flipped) == ("", {})
    same = CellScorer(ScoringSetup(), images=images.clone(), labels=labels)
    assert serve_shipped(index_strings([6111]), same)[1] == {index_strings([6111])[0]: load_shipped_scores().scores[6111]}
