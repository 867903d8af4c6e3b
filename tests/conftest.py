"""Shared pytest fixtures."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parents[1]

# Property tests draw the same examples on every run (CI must not fail by luck); set
# HYPOTHESIS_PROFILE=explore to draw fresh ones while developing.
settings.register_profile("deterministic", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder: ``$DAGFILTER_SHARED`` or ``<repo>/../shared``.

    Skips the test only when the folder does not exist.
    """
    path = Path(os.environ.get("DAGFILTER_SHARED", REPO_ROOT.parent / "shared"))
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} does not exist (set DAGFILTER_SHARED)")
    return path


@pytest.fixture(scope="session")
def cifar_dir(shared_dir: Path) -> Path:
    """The real CIFAR-10 folder in the shared data (skips only if it does not exist)."""
    d = shared_dir / "data" / "cifar10"
    if not d.is_dir():
        pytest.skip(f"real CIFAR-10 folder {d} does not exist")
    return d


@pytest.fixture(scope="session")
def nb201_csv(shared_dir: Path):
    """The shared NAS-Bench-201 table (``data/nb201/nb201_table.csv``) as a DataFrame indexed by
    the official index, read independently of dagfilter's own shipped table."""
    import pandas as pd

    p = shared_dir / "data" / "nb201" / "nb201_table.csv"
    if not p.is_file():
        pytest.skip(f"NAS-Bench-201 table {p} does not exist")
    return pd.read_csv(p).set_index("index").sort_index()


@pytest.fixture(scope="session")
def bench_rankers():
    """``scripts/bench_rankers.py`` loaded as a module (its search simulation is under test)."""
    from .script_loader import load_script

    return load_script("bench_rankers")


@pytest.fixture(scope="session")
def cifar_root(cifar_dir: Path) -> Path:
    """Alias of :func:`cifar_dir`."""
    return cifar_dir


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tests run tiny tensors: one intra-op thread avoids OpenMP oversubscription on 2 shared cores."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(autouse=True, scope="session")
def _private_score_cache(tmp_path_factory):
    """Keep the tests away from the user's real score cache (``$DAGFILTER_CACHE`` / ~/.cache/dagfilter)."""
    old = os.environ.get("DAGFILTER_CACHE")
    os.environ["DAGFILTER_CACHE"] = str(tmp_path_factory.mktemp("score_cache"))
    yield
    if old is None:
        os.environ.pop("DAGFILTER_CACHE", None)
    else:
        os.environ["DAGFILTER_CACHE"] = old
