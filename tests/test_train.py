"""Training protocols, schedule, checkpoints and the trainer on real CIFAR-10 images (CPU)."""
from __future__ import annotations

import copy
import csv
import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from dagfilter.cli import main as cli_main
from dagfilter.data import build_dataset
from dagfilter.errors import CellFormatError, ConfigError
from dagfilter.genotypes import DARTS_V2
from dagfilter.train import (CheckpointError, TrainConfig, build_model, get_protocol, load_checkpoint,
                             lr_at, parse_cell_arg, resume_run, save_checkpoint, train, train_cell)
from dagfilter.train.checkpoint import MAGIC

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
TIME_FIELDS = ("epoch_time_s", "train_images_per_s")






def _tiny_nb201(**kw) -> dict:
    base = dict(epochs=2, subset=192, test_subset=64, channels=4, layers=1, batch_size=32)
    return {**base, **kw}


def _no_time(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in TIME_FIELDS} for row in history]


def _assert_same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k


# ----------------------------------------------------------------------------- protocols
def test_presets_follow_the_published_settings() -> None:
    nb = get_protocol("nb201")
    assert (nb.epochs, nb.batch_size, nb.lr, nb.weight_decay, nb.momentum, nb.nesterov) == (200, 256, 0.1, 5e-4, 0.9, True)
    d = get_protocol("darts", "cifar10")
    assert (d.channels, d.layers, d.epochs, d.cutout, d.auxiliary_weight, d.drop_path_prob) == (36, 20, 600, 16, 0.4, 0.2)
    assert (d.lr, d.weight_decay, d.batch_size) == (0.025, 3e-4, 96)
    im = get_protocol("darts", "imagenet")
    assert im.protocol == "darts-imagenet"
    assert (im.epochs, im.lr, im.momentum, im.weight_decay, im.batch_size) == (250, 0.5, 0.9, 3e-5, 768)
    assert im.label_smoothing > 0
    assert get_protocol("nb201", "cifar100", epochs=3).replace(lr=0.05).lr == 0.05


def test_protocol_errors_name_the_value() -> None:
    with pytest.raises(ConfigError, match="unknown protocol 'resnet'"):
        get_protocol("resnet")
    with pytest.raises(ConfigError, match=r"unknown training config field\(s\) \['epoch'\]"):
        get_protocol("nb201", epoch=3)
    with pytest.raises(ConfigError, match="batch_size must be a positive integer, got 0"):
        get_protocol("nb201", batch_size=0)
    with pytest.raises(ConfigError, match="darts-imagenet.*imagenet"):
        get_protocol("darts-imagenet", "cifar10")
    cfg = get_protocol("darts", "cifar10", epochs=5)
    assert TrainConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_lr_schedule_cosine_and_warmup() -> None:
    step = get_protocol("nb201", epochs=10, lr=0.1)
    assert lr_at(step, 0, 0, 100) == pytest.approx(0.1)
    assert lr_at(step, 5, 0, 100) == pytest.approx(0.05)
    assert lr_at(step, 2, 50, 100) == pytest.approx(0.05 * (1 + math.cos(math.pi * 0.25)))
    assert lr_at(step, 9, 99, 100) < 1e-3
    per_epoch = get_protocol("darts", epochs=4, lr=0.2)
    assert lr_at(per_epoch, 1, 0, 10) == lr_at(per_epoch, 1, 9, 10) == pytest.approx(0.1 * (1 + math.cos(math.pi / 4)))
    warm = get_protocol("nb201", epochs=12, lr=0.4, warmup_epochs=2)
    assert lr_at(warm, 0, 0, 10) == pytest.approx(0.4 / 20)
    assert lr_at(warm, 1, 9, 10) == pytest.approx(0.4)
    assert lr_at(warm, 7, 0, 10) == pytest.approx(0.2)


# ----------------------------------------------------------------------------- checkpoints
def test_checkpoint_round_trip_and_corruption(tmp_path: Path) -> None:
    path = tmp_path / "ck.pt"
    state = {"w": torch.arange(5.0), "step": 3, "nested": {"rows": [{"a": 1.5}]}}
    save_checkpoint(path, state)
    back = load_checkpoint(path)
    assert torch.equal(back["w"], state["w"]) and back["nested"] == state["nested"]
    assert [p.name for p in tmp_path.iterdir()] == ["ck.pt"]          # no temp file left
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="corrupt: its checksum does not match"):
        load_checkpoint(path)
    path.write_bytes(MAGIC + b"\0" * 10)
    with pytest.raises(CheckpointError, match="bad header"):
        load_checkpoint(path)
    torch.save({"w": 1}, path)                                         # a plain torch file
    with pytest.raises(CheckpointError, match="not a dagfilter checkpoint"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")


# ----------------------------------------------------------------------------- cells
def test_cell_argument_forms(tmp_path: Path) -> None:
    assert parse_cell_arg(BEST)[0] == "nb201"
    assert parse_cell_arg("DARTS_V2") == ("darts", DARTS_V2)
    result = tmp_path / "search.json"
    result.write_text(json.dumps({"chosen_cell": {"normal": [[op, i] for op, i in DARTS_V2.normal],
                                                  "normal_concat": [2, 3, 4, 5],
                                                  "reduce": [[op, i] for op, i in DARTS_V2.reduce],
                                                  "reduce_concat": [2, 3, 4, 5]}}))
    space, arch = parse_cell_arg(str(result))
    assert space == "darts" and list(arch.normal) == list(DARTS_V2.normal)
    with pytest.raises(CellFormatError, match="does not exist"):
        parse_cell_arg(str(tmp_path / "missing.json"))
    with pytest.raises(ConfigError, match="pick protocol 'darts'"):
        train_cell("DARTS_V2", tmp_path / "run", protocol="nb201")


# ----------------------------------------------------------------------------- training
def test_one_short_epoch_lowers_training_loss(cifar_root: Path, tmp_path: Path) -> None:
    cfg = get_protocol("nb201", "cifar10", epochs=1, subset=256, test_subset=64, channels=8,
                       layers=1, batch_size=32, seed=0)
    space, arch = parse_cell_arg(BEST)
    ds = build_dataset("cifar10", cifar_root, "train", augment=False, subset=256, seed=0)
    x = torch.stack([ds[i][0] for i in range(len(ds))])
    y = torch.tensor([ds[i][1] for i in range(len(ds))])

    def loss_on_training_images(model: torch.nn.Module) -> float:
        probe = copy.deepcopy(model).train()        # batch statistics, as during training
        with torch.no_grad():
            return F.cross_entropy(probe(x), y).item()

    torch.manual_seed(cfg.seed)
    before = loss_on_training_images(build_model(space, arch, cfg, 10))
    result = train_cell(BEST, tmp_path / "run", "nb201", "cifar10", cifar_root, progress=False,
                        epochs=1, subset=256, test_subset=64, channels=8, layers=1, batch_size=32, seed=0)
    after = loss_on_training_images(result.model)
    assert result.status == "completed" and result.global_step == 8
    assert after < before - 0.05, (before, after)

    run = tmp_path / "run"
    rec = json.loads((run / "config.json").read_text())
    assert rec["config"] == cfg.to_dict() and rec["cell"] == BEST
    assert "256 of" in rec["data"]["train"]
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert len(rows) == 1 and float(rows[0]["train_loss"]) == pytest.approx(result.final["train_loss"])
    assert json.loads((run / "metrics.json").read_text())[0]["test_top1"] == result.final["test_top1"]
    assert json.loads((run / "result.json").read_text())["status"] == "completed"
    assert 0 <= result.final["test_top1"] <= 100 and result.final["test_top5"] >= result.final["test_top1"]


def test_resume_after_forced_stops_matches_uninterrupted_run(cifar_root: Path, tmp_path: Path) -> None:
    kw = dict(data_dir=cifar_root, progress=False, **_tiny_nb201())
    full = train_cell(BEST, tmp_path / "full", "nb201", "cifar10", **kw)
    assert full.global_step == 12

    part = train_cell(BEST, tmp_path / "part", "nb201", "cifar10", max_steps=4, **kw)   # mid epoch 1
    assert part.status == "stopped" and part.global_step == 4 and part.epochs_done == 0

    def interrupt(event: str, info: dict) -> None:
        if event == "step" and info["global_step"] == 9:                              # mid epoch 2
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        train_cell(BEST, tmp_path / "part", "nb201", "cifar10", resume=True, callbacks=[interrupt], **kw)
    state = load_checkpoint(tmp_path / "part" / "checkpoint.pt")
    assert (state["epoch"], state["step_in_epoch"], state["global_step"]) == (1, 3, 9)

    done = resume_run(tmp_path / "part", progress=False)     # config and cell read from the run dir
    assert done.status == "completed" and done.global_step == 12
    _assert_same_weights(full.model, done.model)
    assert _no_time(full.history) == _no_time(done.history)
    assert full.history[0]["train_loss"] != full.history[1]["train_loss"]


def test_darts_resume_is_exact_with_drop_path_aux_and_cutout(cifar_root: Path, tmp_path: Path) -> None:
    kw = dict(data_dir=cifar_root, progress=False, epochs=2, subset=48, test_subset=16, batch_size=16,
              channels=4, layers=3, seed=1)
    full = train_cell(DARTS_V2, tmp_path / "full", "darts", "cifar10", **kw)
    part = train_cell(DARTS_V2, tmp_path / "part", "darts", "cifar10", max_steps=4, **kw)
    assert part.status == "stopped"
    done = train_cell(DARTS_V2, tmp_path / "part", "darts", "cifar10", resume=True, **kw)
    assert done.global_step == full.global_step == 6
    _assert_same_weights(full.model, done.model)
    assert _no_time(full.history) == _no_time(done.history)


def test_resume_guards(cifar_root: Path, tmp_path: Path) -> None:
    kw = dict(data_dir=cifar_root, progress=False, **_tiny_nb201(epochs=1, subset=64))
    train_cell(BEST, tmp_path / "run", "nb201", "cifar10", max_steps=1, **kw)
    with pytest.raises(ConfigError, match="already holds a checkpoint"):
        train_cell(BEST, tmp_path / "run", "nb201", "cifar10", **kw)
    with pytest.raises(ConfigError, match="different config: lr"):
        train_cell(BEST, tmp_path / "run", "nb201", "cifar10", resume=True, **{**kw, "lr": 0.2})
    other = BEST.replace("skip_connect~0", "avg_pool_3x3~0")
    with pytest.raises(ConfigError, match="it trains cell"):
        train_cell(other, tmp_path / "run", "nb201", "cifar10", resume=True, **kw)
    ck = tmp_path / "run" / "checkpoint.pt"
    ck.write_bytes(ck.read_bytes()[:-100])                                        # truncated
    with pytest.raises(CheckpointError, match="checkpoint.pt' is corrupt"):
        train_cell(BEST, tmp_path / "run", "nb201", "cifar10", resume=True, **kw)


def test_train_accepts_any_module_factory(cifar_root: Path, tmp_path: Path) -> None:
    cfg = get_protocol("nb201", "cifar10", epochs=1, subset=64, test_subset=32, batch_size=32)

    def factory(config: TrainConfig, num_classes: int) -> torch.nn.Module:
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, num_classes))
    result = train(cfg, tmp_path / "lin", factory, data_dir=cifar_root, progress=False)
    assert result.global_step == 2 and result.final["epoch"] == 1
    with pytest.raises(ConfigError, match="needs a CUDA device"):
        train(cfg, tmp_path / "lin2", factory, data_dir=cifar_root, amp=True, device="cpu")


# ----------------------------------------------------------------------------- CLI
def test_cli_train_and_resume(cifar_root: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli"
    args = ["train", BEST, "--protocol", "nb201", "--dataset", "cifar10", "--data-dir", str(cifar_root),
            "--out", str(out), "--epochs", "1", "--subset", "64", "--batch-size", "32",
            "--set", "channels=4", "--set", "layers=1", "--set", "grad_clip=none", "--max-steps", "1", "--quiet"]
    assert cli_main(args) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "stopped"
    assert cli_main(["train", "--resume", "--out", str(out), "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "completed" and summary["global_step"] == 2
    rec = json.loads((out / "config.json").read_text())
    assert rec["config"]["test_subset"] == 64 and rec["config"]["grad_clip"] is None
    assert cli_main(["train", BEST, "--out", str(tmp_path / "x"), "--set", "depth=3"]) == 2
    assert "unknown or fixed protocol field 'depth'" in capsys.readouterr().err
    assert cli_main(["train", BEST, "--out", str(tmp_path / "y"), "--data-dir", str(tmp_path)]) == 2
    assert "no cifar10 data found" in capsys.readouterr().err
