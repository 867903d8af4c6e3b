"""Run-time helpers of the supernet searchers (TE-NAS, FP-NAS): seeds, checkpoint files, the
filter distance, validation, input crops."""
from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

from dagfilter.errors import ConfigError
from dagfilter.filter import DAGFilter


def mix_seed(*parts: int) -> int:
    """A 31-bit seed derived from integers (stable across processes and platforms)."""
    h = hashlib.sha256(",".join(str(int(p)) for p in parts).encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


def window_distance(flt: DAGFilter, d_bar: float, m_bar: float) -> float:
    """Chebyshev distance of ``(d_bar, m_bar)`` from the filter's centre in radius units:
    ``max(|d - d*| / r_d, |m - m*| / r_m)``; the window is ``distance <= fraction``."""
    out = 0.0
    for v, c, r in ((d_bar, flt.center[0], flt.radius[0]), (m_bar, flt.center[1], flt.radius[1])):
        gap = abs(v - c)
        out = max(out, gap / r if r > 0 else (0.0 if gap <= 1e-12 else math.inf))
    return out


def resolve_state_dir(state_dir: str | os.PathLike | None, cache: Any) -> Path:
    """Checkpoint folder: ``state_dir``, else ``<cache dir>/search_state`` when a score cache
    (object or directory) is given, else ``$DAGFILTER_CACHE`` / ``~/.cache/dagfilter`` +
    ``/search_state``."""
    if state_dir is not None:
        return Path(state_dir).expanduser()
    if cache is not None:
        p = Path(getattr(cache, "path", cache)).expanduser()
        base = p.parent if p.suffix in (".sqlite", ".db") else p
        return base / "search_state"
    from dagfilter.cache import default_cache_dir

    return default_cache_dir() / "search_state"


def config_digest(config: dict[str, Any]) -> str:
    """Short hash naming a run's checkpoint file (the search configuration, version excluded)."""
    body = {k: v for k, v in config.items() if k not in ("version",)}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


def check_positive(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum``.

    Raises:
        ConfigError: naming the option and the bad value.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (no torn checkpoints)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def crops(images: "Any", size: int, seed: int) -> "Any":
    """One seeded random ``size x size`` crop per image (``(n, C, size, size)``)."""
    import torch

    n, _, h, w = images.shape
    if size > min(h, w):
        raise ConfigError(f"crop size {size} exceeds the image size {h}x{w}")
    if size == h == w:
        return images.clone()
    g = torch.Generator().manual_seed(seed)
    ys = torch.randint(0, h - size + 1, (n,), generator=g)
    xs = torch.randint(0, w - size + 1, (n,), generator=g)
    return torch.stack([images[k, :, ys[k]:ys[k] + size, xs[k]:xs[k] + size] for k in range(n)])
