"""Data readers, transforms and loaders on real CIFAR-10 and on small layouts the tests write."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from dagfilter.data import (SeededEpochSampler, build_dataset, dataset_spec, fixed_batch, get_loaders,
                            read_cifar, read_imagenet16, resolve_data_dir)
from dagfilter.data.transforms import Cutout, RandomCropPad, RandomHorizontalFlip, ToTensorNormalize
from dagfilter.errors import ConfigError, DataError




def _write_pickle(path: Path, obj: dict) -> None:
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=4)


# ----------------------------------------------------------------------------- locating data
def test_resolve_accepts_parent_layout_and_env(cifar_root: Path) -> None:
    layout = cifar_root / "cifar-10-batches-py"
    assert resolve_data_dir("cifar10", cifar_root) == layout.resolve()
    assert resolve_data_dir("CIFAR-10", layout) == layout.resolve()
    assert resolve_data_dir("cifar10", environ={"DAGFILTER_CIFAR10_DIR": str(cifar_root)}) == layout.resolve()
    # the directory-wide variable: a parent with one sub-folder per dataset
    assert resolve_data_dir("cifar10", environ={"DAGFILTER_DATA_DIR": str(cifar_root.parent)}) == layout.resolve()
    # an explicit argument wins over the environment
    assert resolve_data_dir("cifar10", layout, environ={"DAGFILTER_CIFAR10_DIR": "/nonexistent"}) == layout.resolve()


def test_resolve_errors_say_what_and_where(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="DAGFILTER_CIFAR10_DIR.*DAGFILTER_DATA_DIR"):
        resolve_data_dir("cifar10", environ={})
    with pytest.raises(DataError, match="does not exist"):
        resolve_data_dir("cifar100", tmp_path / "nope")
    (tmp_path / "cifar-10-batches-py").mkdir()
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(b"x")
    with pytest.raises(DataError) as err:
        resolve_data_dir("cifar10", tmp_path)
    msg = str(err.value)
    assert "data_batch_1..5" in msg and str(tmp_path / "cifar-10-batches-py") in msg
    with pytest.raises(ConfigError, match="unknown dataset 'mnist'"):
        resolve_data_dir("mnist", tmp_path)


# ----------------------------------------------------------------------------- readers
def test_read_real_cifar10(cifar_root: Path) -> None:
    layout = resolve_data_dir("cifar10", cifar_root)
    train = read_cifar(layout, "cifar10", train=True)
    present = sorted(p.name for p in layout.glob("data_batch_*"))
    assert [p.name for p in train.files] == present
    assert len(train) == 10000 * len(present)
    assert train.images.shape == (len(train), 32, 32, 3) and train.images.dtype == np.uint8
    assert set(np.unique(train.labels)) == set(range(10))
    assert train.classes[0] == "airplane" and train.classes[9] == "truck"
    test = read_cifar(layout, "cifar10", train=False)
    assert len(test) == 10000
    # channel means of natural images (PROVENANCE.md: ~125/123/114); catches a wrong transpose
    means = test.images.reshape(-1, 3).mean(axis=0)
    assert means[0] > means[2] + 5


def test_malformed_pickles_are_data_errors(tmp_path: Path) -> None:
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    (root / "data_batch_1").write_bytes(b"not a pickle")
    _write_pickle(root / "test_batch", {"data": np.zeros((4, 3072), np.uint8), "labels": [0, 1, 2, 3]})
    with pytest.raises(DataError, match="data_batch_1.*not a readable pickle"):
        read_cifar(root, "cifar10", train=True)
    _write_pickle(root / "data_batch_1", {"data": np.zeros((4, 100), np.uint8), "labels": [0] * 4})
    with pytest.raises(DataError, match=r"expected uint8 of shape \(N, 3072\)"):
        read_cifar(root, "cifar10", train=True)
    _write_pickle(root / "data_batch_1", {"data": np.zeros((4, 3072), np.uint8), "labels": [0, 1]})
    with pytest.raises(DataError, match="2 labels for 4 images"):
        read_cifar(root, "cifar10", train=True)
    assert len(read_cifar(root, "cifar10", train=False)) == 4


def test_cifar100_layout_uses_fine_labels(tmp_path: Path) -> None:
    root = tmp_path / "cifar-100-python"
    root.mkdir()
    rng = np.random.default_rng(0)
    for name, n in (("train", 30), ("test", 10)):
        _write_pickle(root / name, {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                                    "fine_labels": list(range(n)), "coarse_labels": [0] * n})
    _write_pickle(root / "meta", {"fine_label_names": [f"c{i}" for i in range(100)]})
    arr = read_cifar(resolve_data_dir("cifar100", tmp_path), "cifar100", train=True)
    assert arr.labels.tolist() == list(range(30)) and arr.classes[5] == "c5"
    ds = build_dataset("cifar100", tmp_path, "valid")
    rest = build_dataset("cifar100", tmp_path, "test-minus-valid")
    assert len(ds) == 5 and len(rest) == 5   # NB201 convention: valid/test halves of the test set
    assert not set(ds.labels.tolist()) & set(rest.labels.tolist())


def test_imagenet16_keeps_first_120_classes_zero_based(tmp_path: Path) -> None:
    root = tmp_path / "ImageNet16"
    root.mkdir()
    labels = [1, 120, 121, 500, 7, 1000]
    data = np.zeros((len(labels), 3, 16, 16), np.uint8)
    for n in range(len(labels)):
        data[n, 0], data[n, 1], data[n, 2] = n, 100 + n, 200 + n   # R, G, B planes
    for name in ("train_data_batch_1", "train_data_batch_2", "val_data"):
        _write_pickle(root / name, {"data": data.reshape(len(labels), -1), "labels": labels})
    arr = read_imagenet16(resolve_data_dir("ImageNet16-120", tmp_path), train=True)
    assert arr.labels.tolist() == [0, 119, 6] * 2
    assert arr.images.shape == (6, 16, 16, 3)
    # image 2 of the kept ones is source image 4: channel-major planes become HWC
    assert arr.images[2, 5, 7].tolist() == [4, 104, 204]
    test = build_dataset("ImageNet16-120", tmp_path, "test")
    assert len(test) == 3 and test[0][0].shape == (3, 16, 16)
    _write_pickle(root / "val_data", {"data": data.reshape(len(labels), -1), "labels": [0] * 6})
    with pytest.raises(DataError, match="1-based"):
        read_imagenet16(root, train=False)


def test_image_folder_layout(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    for split, n in (("train", 3), ("val", 2)):
        for cls in ("cat", "dog"):
            d = tmp_path / split / cls
            d.mkdir(parents=True)
            for i in range(n):
                Image.fromarray(rng.integers(0, 256, (40 + 10 * i, 60, 3), dtype=np.uint8)).save(d / f"{i}.png")
    (tmp_path / "train" / "dog" / "notes.txt").write_text("not an image")
    train = build_dataset("imagenet", tmp_path, "train", seed=3)
    assert len(train) == 6 and train.classes == ["cat", "dog"]
    x, y = train[(0, 4)]
    assert x.shape == (3, 224, 224) and y == 1
    assert torch.equal(train[(2, 4)][0], build_dataset("imagenet", tmp_path, "train", seed=3)[(2, 4)][0])
    val = build_dataset("imagenet", tmp_path, "test")
    assert len(val) == 4 and val[(0, 0)][0].shape == (3, 224, 224)
    assert torch.equal(val[(0, 1)][0], val[(5, 1)][0])       # evaluation is not random
    (tmp_path / "val" / "bird").mkdir()
    (tmp_path / "val" / "bird" / "0.png").write_bytes(b"")
    with pytest.raises(DataError, match="not in the training split"):
        build_dataset("imagenet", tmp_path, "test")


# ----------------------------------------------------------------------------- transforms
def test_crop_flip_cutout_pixels() -> None:
    img = np.arange(4 * 4 * 3, dtype=np.uint8).reshape(4, 4, 3)
    rng = np.random.default_rng(0)
    for _ in range(20):
        out = RandomCropPad(4, 2)(img, rng)
        assert out.shape == (4, 4, 3)
        padded = np.pad(img, ((2, 2), (2, 2), (0, 0)))
        assert any(np.array_equal(out, padded[i:i + 4, j:j + 4]) for i in range(5) for j in range(5))
    flips = {RandomHorizontalFlip()(img, rng)[0, 0, 0] for _ in range(40)}
    assert flips == {img[0, 0, 0], img[0, -1, 0]}
    t = ToTensorNormalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))(np.full((2, 2, 3), 255, np.uint8))
    assert torch.allclose(t, torch.full((3, 2, 2), 2.0))
    cut = Cutout(4)(torch.ones(3, 8, 8), rng)
    zero_rows = (cut[0] == 0).any(dim=1).sum().item()
    assert 2 <= zero_rows <= 4 and torch.equal(cut[0] == 0, cut[2] == 0)


def test_augmentation_is_a_function_of_seed_epoch_index(cifar_root: Path) -> None:
    ds = build_dataset("cifar10", cifar_root, "train", subset=50, seed=7, cutout=16)
    again = build_dataset("cifar10", cifar_root, "train", subset=50, seed=7, cutout=16)
    assert torch.equal(ds[(3, 10)][0], again[(3, 10)][0])
    assert any(not torch.equal(ds[(0, i)][0], ds[(1, i)][0]) for i in range(5))
    ds.set_epoch(3)
    assert torch.equal(ds[10][0], ds[(3, 10)][0])
    plain = build_dataset("cifar10", cifar_root, "train", augment=False, subset=50, seed=7)
    spec = dataset_spec("cifar10")
    raw = plain.images[plain.indices[0]].astype(np.float32) / 255.0
    expect = (raw - np.array(spec.mean, np.float32)) / np.array(spec.std, np.float32)
    assert torch.allclose(plain[0][0], torch.from_numpy(expect.transpose(2, 0, 1)), atol=1e-5)


def test_splits_and_subsets(cifar_root: Path) -> None:
    valid = build_dataset("cifar10", cifar_root, "valid", augment=False)
    rest = build_dataset("cifar10", cifar_root, "train-minus-valid", augment=False)
    full = build_dataset("cifar10", cifar_root, "train", augment=False)
    assert len(valid) + len(rest) == len(full) and abs(len(valid) - len(rest)) <= 1
    assert not set(valid.indices.tolist()) & set(rest.indices.tolist())
    a = build_dataset("cifar10", cifar_root, "train", subset=300, seed=1)
    b = build_dataset("cifar10", cifar_root, "train", subset=300, seed=2)
    assert len(a) == 300 and a.indices.tolist() != b.indices.tolist()
    assert "300 of" in a.info and "data_batch_1" in a.info
    with pytest.raises(ConfigError, match="unknown split 'val'"):
        build_dataset("cifar10", cifar_root, "val")
    with pytest.raises(ConfigError, match="test-minus-valid"):
        build_dataset("cifar10", cifar_root, "test-minus-valid")


# ----------------------------------------------------------------------------- loaders
def test_sampler_is_seeded_per_epoch_and_resumable() -> None:
    s = SeededEpochSampler(100, seed=5)
    s.set_epoch(0)
    e0 = list(s)
    s.set_epoch(1)
    e1 = list(s)
    assert sorted(i for _, i in e0) == list(range(100)) and {e for e, _ in e1} == {1}
    assert [i for _, i in e0] != [i for _, i in e1]
    s.set_epoch(1, start=40)
    assert list(s) == e1[40:] and len(s) == 60
    t = SeededEpochSampler(100, seed=5)
    t.set_epoch(1)
    assert list(t) == e1


def test_get_loaders_batches_and_worker_independence(cifar_root: Path) -> None:
    train, test = get_loaders("cifar10", cifar_root, 64, subset=200, seed=3, test_subset=100)
    assert len(train.dataset) == 200 and len(test.dataset) == 100 and len(train) == 4
    train.sampler.set_epoch(2)
    x, y = next(iter(train))
    assert x.shape == (64, 3, 32, 32) and x.dtype == torch.float32 and y.dtype == torch.int64
    state = torch.get_rng_state()
    train_w, _ = get_loaders("cifar10", cifar_root, 64, subset=200, seed=3, num_workers=2)
    train_w.sampler.set_epoch(2)
    xw, yw = next(iter(train_w))
    assert torch.equal(x, xw) and torch.equal(y, yw)
    assert torch.equal(state, torch.get_rng_state())   # loaders leave the global RNG alone


def test_fixed_batch_is_deterministic(cifar_root: Path) -> None:
    x, y = fixed_batch("cifar10", cifar_root, batch_size=128, seed=0)
    x2, y2 = fixed_batch("cifar10", cifar_root, batch_size=128, seed=0)
    x3, _ = fixed_batch("cifar10", cifar_root, batch_size=128, seed=1)
    assert x.shape == (128, 3, 32, 32) and y.shape == (128,)
    assert torch.equal(x, x2) and torch.equal(y, y2) and not torch.equal(x, x3)
    assert abs(x.mean().item()) < 0.3 and 0.7 < x.std().item() < 1.3   # normalised
    assert len(set(y.tolist())) >= 8
    with pytest.raises(DataError, match="cannot draw a batch of 20000"):
        fixed_batch("cifar10", cifar_root, batch_size=20000, split="test")
