"""Shared pytest fixtures."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder: ``$DAGFILTER_SHARED`` or ``<repo>/../shared``.

    Skips the test only when the folder does not exist.
    """
    path = Path(os.environ.get("DAGFILTER_SHARED", REPO_ROOT.parent / "shared"))
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} does not exist (set DAGFILTER_SHARED)")
    return path
