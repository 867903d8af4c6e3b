"""The registered linear_regions proxy counts something at its default setup (issue 29, item 7):
whole 32x32 images in the full NB201 network gave the batch size for every cell."""
from __future__ import annotations

import pytest
import torch

from dagfilter.proxies import CellScorer, ScoringSetup
from dagfilter.proxies.linear_regions import CROPS_PER_IMAGE, count_linear_regions, patch_inputs


def test_default_linear_regions_differ_between_cells_and_stay_below_the_input_count(monkeypatch) -> None:
    for var in ("DAGFILTER_DATA_DIR", "DAGFILTER_CIFAR10_DIR"):
        monkeypatch.delenv(var, raising=False)
    sc = CellScorer(ScoringSetup("linear_regions", batch_size=128, seed=0))
    counts = [sc.score(i) for i in (0, 6111, 14000, 15624)]
    inputs = 128 * CROPS_PER_IMAGE
    assert all(1 < c < inputs for c in counts), counts
    assert len(set(counts)) > 1, counts  # the old default gave 128.0 for every cell
    assert sc.score(6111) == counts[1]  # seeded: network, crops and minibatch


def test_patch_inputs_are_seeded_crops_of_the_images() -> None:
    images = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).reshape(2, 3, 8, 8)
    p = patch_inputs(images, size=3, per_image=4, seed=1)
    assert p.shape == (8, 3, 3, 3) and torch.equal(p, patch_inputs(images, size=3, per_image=4, seed=1))
    for k in range(8):  # each patch is a window of its image
        img = images[k % 2]
        assert any(torch.equal(p[k], img[:, y:y + 3, x:x + 3]) for y in range(6) for x in range(6))
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(27, 4), torch.nn.ReLU())
    assert 1 <= count_linear_regions(net, p) <= 8
    with pytest.raises(Exception, match="crop size"):
        patch_inputs(images, size=9)
