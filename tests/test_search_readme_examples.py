"""README search examples without --data-dir and what their summaries say (issue 29, item 4)."""
from __future__ import annotations

import pytest
import torch

import searchers
from dagfilter import DAGFilter

TINY = dict(C=2, cells=1, batch_size=4, repeats=1, lr_inputs=300)


@pytest.fixture
def no_data_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DAGFILTER_DATA_DIR", "DAGFILTER_CIFAR10_DIR"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.slow
def test_tenas_runs_on_the_shipped_images_and_says_it_has_no_budget_or_score(no_data_env, tmp_path) -> None:
    from searchers.tenas import real_images

    imgs = real_images("cifar10", None, 300, 5)  # more than the 256 shipped: all of them, repeated
    assert imgs.shape == (300, 3, 32, 32) and torch.equal(imgs[256:], imgs[:44])
    s = searchers.get("tenas", state_dir=tmp_path, **TINY)
    res = s.search("nb201", budget=100, seed=0, filter=DAGFilter.from_space("nb201", 0.5), progress=False)
    assert res.chosen_index is not None and res.config["data_dir"] is None
    text = res.summary()
    assert "budget 100" not in text and "no budget" in text  # TE-NAS ignores the budget
    assert "score: nan" not in text and "score: none (TE-NAS" in text


def test_fpnas_summary_counts_iterations_not_drawn_cells(cifar_dir, tmp_path) -> None:
    s = searchers.get("fpnas", data_dir=cifar_dir, state_dir=tmp_path, C=2, cells=1, batch_size=8, train_subset=200,
                      valid_subset=100, k_max=4)
    res = s.search("nb201", budget=3, seed=0, progress=False)
    head = res.summary().splitlines()[0]
    assert "budget 3 iterations" in head and res.drawn > 3
