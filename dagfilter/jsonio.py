"""The project's JSON convention for numbers JSON cannot hold (``-inf``, ``inf``, NaN).

Strict JSON has no infinities, so every JSON dagfilter writes (``--json`` output, search-result
files, rankings) stores a non-finite number as ``null`` and adds a sibling ``"<key>_status"``
field saying which one it was: ``"-inf"`` (e.g. a NAS-WOT score of a cell whose kernel is
singular), ``"inf"`` or ``"nan"``. A non-finite number inside a list becomes ``null`` alone.
:func:`restore` undoes it (and still reads the ``"-inf"`` strings of older result files).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

STATUS_SUFFIX = "_status"
_SPECIAL = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def status_of(x: float) -> str:
    """``"-inf"``, ``"inf"`` or ``"nan"`` for a non-finite number (``"ok"`` otherwise)."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    return "ok"


def _non_finite(x: Any) -> bool:
    return isinstance(x, (float, np.floating)) and not math.isfinite(float(x))


def strict(obj: Any) -> Any:
    """Plain data safe for ``json.dumps(..., allow_nan=False)``, following the module's convention."""
    if isinstance(obj, dict):
        out: dict = {}
        for k, v in obj.items():
            if _non_finite(v):
                out[k] = None
                out[f"{k}{STATUS_SUFFIX}"] = status_of(float(v))
            else:
                out[k] = strict(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [None if _non_finite(v) else strict(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return strict(obj.tolist())
    if isinstance(obj, np.generic):
        return strict(obj.item())
    return obj


def restore(obj: Any, legacy_keys: tuple[str, ...] = ("score", "best_score")) -> Any:
    """Inverse of :func:`strict` for dicts: ``null`` + ``"<key>_status"`` becomes the number again.

    Strings ``"-inf"``/``"inf"``/``"nan"`` under ``legacy_keys`` (the format of older result
    files) are read as numbers too.
    """
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(k, str) and k.endswith(STATUS_SUFFIX) and k[: -len(STATUS_SUFFIX)] in obj \
                    and v in _SPECIAL:
                continue
            status = obj.get(f"{k}{STATUS_SUFFIX}") if isinstance(k, str) else None
            if v is None and status in _SPECIAL:
                out[k] = _SPECIAL[status]
            elif isinstance(v, str) and v in _SPECIAL and k in legacy_keys:
                out[k] = _SPECIAL[v]
            else:
                out[k] = restore(v, legacy_keys)
        return out
    if isinstance(obj, list):
        return [restore(v, legacy_keys) for v in obj]
    return obj
