"""The ranker interface, its per-call output and the candidate normalisation it relies on.

A *ranker* maps a batch of architectures of one space to one score each (higher = predicted
better). ``kind="analytic"`` rankers read the cell alone (no network is built, no data is
touched, ``cost == 0``); ``kind="live"`` rankers build and run a network (``cost`` forward
passes per scored cell).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

import numpy as np

from ..errors import CellFormatError, ConfigError
from ..spaces import Space, get_space

KINDS = ("analytic", "live")


@dataclass(frozen=True)
class Candidates:
    """Architectures of one space, normalised once so that several rankers can share the work.

    Attributes:
        space: the space object.
        archs: the architectures as given (a list; for NB201 index input, the indices).
        indices: NAS-Bench-201 official indices (``int64`` array) or None for other spaces.
    """

    space: Space
    archs: list[Any]
    indices: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.archs)

    @property
    def is_nb201(self) -> bool:
        """True when the candidates are NAS-Bench-201 cells (``indices`` is set)."""
        return self.indices is not None

    def codes(self) -> np.ndarray:
        """``(N, 6)`` op codes of NAS-Bench-201 candidates (arch-string edge order)."""
        from ..encodings.nb201 import index_codes

        if self.indices is None:
            raise ConfigError(f"op codes exist only for NAS-Bench-201 candidates, not space {self.space.name!r}")
        return index_codes()[self.indices]


def as_candidates(space: str | Space, archs: Any) -> Candidates:
    """Normalise ``archs`` of ``space`` into :class:`Candidates` (returned as is if already one).

    For ``nb201`` a 1-D integer array is read as official indices (fully vectorized); any other
    iterable may mix encodings (indices, arch strings, :class:`~dagfilter.cell.Cell`, ...).

    Raises:
        ConfigError: unknown space, or an index array of the wrong shape.
        IndexOutOfRangeError / CellFormatError: a bad NAS-Bench-201 candidate.
    """
    if isinstance(archs, Candidates):
        return archs
    sp = get_space(space)
    if sp.name != "nb201":
        if isinstance(archs, np.ndarray):
            raise ConfigError(f"space {sp.name!r} takes a list of genotypes, not a numpy array")
        return Candidates(sp, list(archs), None)
    if isinstance(archs, np.ndarray) and archs.dtype.kind in "iu":
        if archs.ndim != 1:
            raise ConfigError(f"NAS-Bench-201 index arrays must be 1-D, got shape {archs.shape}")
        idx = archs.astype(np.int64, copy=False)
        if idx.size and (idx.min() < 0 or idx.max() >= len(sp)):  # type: ignore[arg-type]
            bad = int(idx[(idx < 0) | (idx >= len(sp))][0])  # type: ignore[arg-type]
            raise ConfigError(f"NAS-Bench-201 index {bad} out of range 0..{len(sp) - 1}")  # type: ignore[arg-type]
        return Candidates(sp, list(idx), idx)
    items = list(archs)
    idx = np.empty(len(items), dtype=np.int64)
    for k, a in enumerate(items):
        if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
            idx[k] = int(a)
            if not 0 <= idx[k] < len(sp):  # type: ignore[arg-type]
                raise ConfigError(f"NAS-Bench-201 index {int(a)} out of range 0..{len(sp) - 1}")  # type: ignore[arg-type]
        else:
            try:
                idx[k] = sp.index(a)  # type: ignore[attr-defined]
            except CellFormatError:
                raise
            except Exception as exc:  # noqa: BLE001 - surface as a clear cell-format error
                raise CellFormatError(f"not a NAS-Bench-201 cell: {a!r} ({exc})") from None
    return Candidates(sp, items, idx)


@dataclass
class RankerOutput:
    """Scores of one ranker call and what they cost.

    Attributes:
        scores: one float per candidate, higher = better (``-inf`` ranks last; NaN is treated as
            ``-inf`` by combinations and searches).
        seconds: compute seconds per candidate as measured when computed (0 for analytic and
            reused scores).
        cached: the live score was read from the score cache.
        reused: the live score was copied from an isomorphic cell (no forward pass of its own).
        passes: forward passes charged to each candidate at cold cost (cache hits count - they
            were paid once; isomorphism reuse does not).
        computed: the live score was computed during this call.
    """

    scores: np.ndarray
    seconds: np.ndarray
    cached: np.ndarray
    reused: np.ndarray
    passes: np.ndarray
    computed: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def analytic(cls, scores: np.ndarray) -> "RankerOutput":
        """An output with no live cost."""
        s = np.asarray(scores, dtype=np.float64)
        z = np.zeros(len(s), dtype=bool)
        return cls(s, np.zeros(len(s)), z.copy(), z.copy(), np.zeros(len(s), dtype=np.int64), z.copy())

    @property
    def forward_passes(self) -> int:
        """Total forward passes this call would cost cold."""
        return int(self.passes.sum())

    def stats(self) -> dict[str, int]:
        """Counts for reports: forward passes, cache hits, iso reuses, computed now."""
        return {"forward_passes": self.forward_passes, "live_cached": int(self.cached.sum()),
                "iso_reused": int(self.reused.sum()), "live_computed": int(self.computed.sum())}


class Ranker(ABC):
    """Scores architectures of a space; higher is better.

    Subclasses set ``kind`` (``"analytic"`` or ``"live"``) and ``cost`` (forward passes per
    scored cell; 0 for analytic rankers) and implement :meth:`evaluate`.
    """

    kind: ClassVar[str] = "analytic"
    cost: ClassVar[int] = 0

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @abstractmethod
    def evaluate(self, space: str | Space, archs: Any, progress: bool = False) -> RankerOutput:
        """Score ``archs`` (see :func:`as_candidates` for accepted forms) with cost bookkeeping."""

    def scores(self, space: str | Space, archs: Any, progress: bool = False) -> np.ndarray:
        """Scores only (``float64`` array, one per candidate)."""
        return self.evaluate(space, archs, progress).scores

    def describe(self) -> dict[str, Any]:
        """JSON-able description (name, kind, cost)."""
        return {"name": self.name, "kind": self.kind, "cost": self.cost}


def check_same_length(parts: Sequence[np.ndarray]) -> int:
    """Common length of 1-D arrays, else ConfigError."""
    lengths = {len(p) for p in parts}
    if len(lengths) > 1:
        raise ConfigError(f"score arrays differ in length: {sorted(lengths)}")
    return lengths.pop() if lengths else 0
