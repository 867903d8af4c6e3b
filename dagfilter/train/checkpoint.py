"""Crash-safe checkpoint files.

A checkpoint file is ``MAGIC`` + SHA-256 of the payload + the payload (``torch.save`` bytes).
It is written to a temporary file in the same folder, flushed to disk and then renamed over
the old one, so a crash leaves either the previous checkpoint or the new one, never half of
one. Loading verifies the magic and the digest first, then reads the payload with
``torch.load(weights_only=True)`` (no arbitrary code runs), so a truncated, corrupted or
foreign file is a :class:`CheckpointError` naming the file and what is wrong.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import torch

from ..errors import DataError
from ..outfiles import atomic_write_bytes  # noqa: F401  (re-exported: checkpoint writers import it from here)

MAGIC = b"DAGFILTER-CKPT01"
FORMAT = "dagfilter-train-checkpoint"
VERSION = 1


class CheckpointError(DataError):
    """A checkpoint file is missing, truncated, corrupted or not a dagfilter checkpoint."""


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented JSON atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> None:
    """Save ``state`` (tensors, numbers, strings, lists, dicts) crash-safely to ``path``."""
    buf = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, **state}, buf)
    payload = buf.getvalue()
    atomic_write_bytes(path, MAGIC + hashlib.sha256(payload).digest() + payload)


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read and verify a checkpoint written by :func:`save_checkpoint`.

    Raises:
        CheckpointError: the file is missing, too short, has a bad header or digest, or the
            payload cannot be read.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {str(path)!r} does not exist") from None
    except OSError as exc:
        raise CheckpointError(f"checkpoint {str(path)!r} cannot be read: {exc}") from None
    head = len(MAGIC) + 32
    if len(raw) < head or not raw.startswith(MAGIC):
        raise CheckpointError(f"checkpoint {str(path)!r} is not a dagfilter checkpoint "
                              f"(bad header; {len(raw)} bytes)")
    digest, payload = raw[len(MAGIC):head], raw[head:]
    if hashlib.sha256(payload).digest() != digest:
        raise CheckpointError(f"checkpoint {str(path)!r} is corrupt: its checksum does not match "
                              f"({len(payload)} payload bytes); it was truncated or modified")
    try:
        state = torch.load(io.BytesIO(payload), map_location=map_location, weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"checkpoint {str(path)!r} payload cannot be loaded: {exc}") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"checkpoint {str(path)!r} is not a {FORMAT} payload")
    if state.get("version") != VERSION:
        raise CheckpointError(f"checkpoint {str(path)!r} has format version {state.get('version')!r}; "
                              f"this dagfilter reads version {VERSION}")
    return state
