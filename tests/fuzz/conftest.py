"""Fixtures of the fuzz tests: a scratch folder as working directory and home, and a call timer."""
from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder that is the working directory, ``$HOME`` and the score cache of the calls."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DAGFILTER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


class CallTimeout(Exception):
    """A fuzzed call ran past its time limit (a hang)."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise :class:`CallTimeout` in the main thread after ``seconds`` (SIGALRM; POSIX only)."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - Windows
        yield
        return

    def fire(signum, frame):  # noqa: ARG001
        raise CallTimeout(f"call ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def fresh_dir(root: Path) -> Path:
    """A new empty sub-folder of ``root`` (one per hypothesis example)."""
    import tempfile

    return Path(tempfile.mkdtemp(dir=root))


__all__ = ["CallTimeout", "time_limit", "fresh_dir"]
