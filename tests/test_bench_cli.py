"""The query / best / data commands."""
from __future__ import annotations

import json

from dagfilter.cli import main

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def test_query_json(capsys):
    assert main(["query", BEST, "--dataset", "cifar100", "--metric", "x-test", "--hp", "200", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["index"] == 6111 and out["hp"] == 200 and out["metric"] == "x-test"
    assert round(out["value"], 2) == 73.22 and out["cost"]["params"] > 1.0
    assert main(["query", "(2, 2, 0, 2, 2, 3)", "--dataset", "cifar100", "--metric", "x-test", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] == out["value"]


def test_query_all_figures_and_errors(capsys):
    assert main(["query", "6111", "--dataset", "cifar10-valid"]) == 0
    text = capsys.readouterr().out
    assert "valid-accuracy" in text and "test-accuracy" in text
    assert main(["query", "6111", "--dataset", "cifar10", "--hp", "90"]) == 2
    assert "hp=90" in capsys.readouterr().err


def test_best(capsys):
    assert main(["best", "--dataset", "cifar10", "--metric", "x-valid", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"] == "cifar10-valid" and out["arch"] == BEST
    assert main(["best", "--dataset", "ImageNet16-120", "--metric", "x-test", "--json"]) == 0
    assert round(json.loads(capsys.readouterr().out)["value"], 2) == 47.31
    assert main(["best", "--dataset", "cifar100", "--metric", "x-test", "--param-max", "0.01"]) == 2


def test_data_info(capsys):
    assert main(["data", "info", "nb201", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == 15625 and "cifar100/x-test/hp=200/mean" in out["figures"]
