"""Name -> ranker factory registry, and :func:`get_ranker` which builds a ranker from a spec.

A factory is ``factory(args: tuple[str, ...], context: RankerContext) -> Ranker``; ``args``
are the ``:``-arguments of the spec atom (``prior:params,d_bar`` -> ``("params", "d_bar")``).
Names of registered proxies (:func:`dagfilter.proxies.available_proxies`) that are not
registered here resolve to a live proxy ranker.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ConfigError, show
from ..spaces import Space
from .base import Ranker, RankerOutput, as_candidates
from .combine import combine
from .context import RankerContext
from .spec import Spec, parse_spec

Factory = Callable[[Sequence[str], RankerContext], Ranker]


@dataclass(frozen=True)
class RankerInfo:
    """A registered ranker: factory, kind and a one-line description."""

    name: str
    factory: Factory
    kind: str
    description: str


class _Registry:
    """Holds factories only (no data); one per process."""

    def __init__(self) -> None:
        self.entries: dict[str, RankerInfo] = {}

    def add(self, info: RankerInfo, overwrite: bool) -> None:
        if info.name in self.entries and not overwrite:
            raise ConfigError(f"ranker {show(info.name)} is already registered (pass overwrite=True to replace it)")
        self.entries[info.name] = info


_REGISTRY = _Registry()


def register_ranker(name: str, factory: Factory, kind: str = "analytic", description: str = "",
                    overwrite: bool = False) -> None:
    """Register ``factory`` as ranker ``name``.

    Raises:
        ConfigError: bad name or kind, or the name is taken and ``overwrite`` is False.
    """
    from .base import KINDS

    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError(f"ranker names must be identifiers, got {show(name)}")
    if kind not in KINDS:
        raise ConfigError(f"ranker kind must be one of {', '.join(KINDS)}, got {show(kind)}")
    _REGISTRY.add(RankerInfo(name, factory, kind, description), overwrite)


BUILTIN_LIVE = ("az_expressivity", "az_progressivity", "az_trainability", "fisher", "grad_norm", "jacov",
                "linear_regions", "meco", "naswot", "ntk", "snip", "swap", "synflow", "zen", "zico")
"""The proxies dagfilter's own proxy modules register (``tests/test_startup.py`` checks the list against
the registry), so listing rankers does not import torch and every proxy module (seconds)."""


def available_rankers() -> dict[str, str]:
    """``{name: "kind: description"}`` of the registered rankers (and live proxies), sorted by name.

    Until the proxy registry has been imported (by scoring, or by registering a proxy of your own),
    the live proxies listed are :data:`BUILTIN_LIVE`, so the listing imports no torch."""
    import sys

    out = {n: f"{i.kind}: {i.description}" for n, i in _REGISTRY.entries.items()}
    if "dagfilter.proxies.registry" in sys.modules:
        from ..proxies import available_proxies

        live = available_proxies()
    else:
        live = list(BUILTIN_LIVE)
    for p in live:
        out.setdefault(p, "live: training-free proxy (one forward pass per cell)")
    return dict(sorted(out.items()))


def _resolve(name: str) -> RankerInfo:
    info = _REGISTRY.entries.get(name)
    if info is not None:
        return info
    from ..proxies import available_proxies

    if name in available_proxies():
        from .live import make_live

        return RankerInfo(name, make_live(name), "live", "training-free proxy")
    raise ConfigError(f"unknown ranker {show(name)}; available: {', '.join(available_rankers())}")


class CombinedRanker(Ranker):
    """Weighted rank-sum / z-score combination of several rankers (see :mod:`.combine`).

    ``kind`` is ``"live"`` if any part is live; ``cost`` is the sum of the parts' costs.
    Each part scores the same candidates; live parts compute only what they must (cache,
    isomorphism reuse). Combination is among the candidates of the call.
    """

    def __init__(self, spec: Spec, parts: Sequence[Ranker]) -> None:
        super().__init__(str(spec))
        self.spec = spec
        self.parts = list(parts)
        self.weights = [t.weight for t in spec.terms]
        self.method = spec.method or "rank"

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "live" if any(p.kind == "live" for p in self.parts) else "analytic"

    @property
    def cost(self) -> int:  # type: ignore[override]
        return int(sum(p.cost for p in self.parts))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "method": self.method,
                "parts": [dict(p.describe(), weight=w) for p, w in zip(self.parts, self.weights)]}

    def _shared_parts(self) -> list[Any]:
        """Live parts whose proxies share one pass (two or more distinct ones), else []."""
        from ..proxies.passes import MULTI_PROXIES
        from .live import LiveProxyRanker

        parts = [p for p in self.parts if isinstance(p, LiveProxyRanker) and p.proxy in MULTI_PROXIES
                 and not p.ctx.cache_only]
        return parts if len({p.proxy for p in parts}) >= 2 else []

    def evaluate(self, space: str | Space, archs: Any, progress: bool = False) -> RankerOutput:
        cand = as_candidates(space, archs)
        n = len(cand)
        if n == 0:
            return RankerOutput.analytic(np.zeros(0))
        shared = self._shared_parts()
        computed_now = np.zeros(n, dtype=bool)
        if shared:
            outs, computed_now = self._evaluate_shared(cand, shared, progress)
        else:
            outs = [p.evaluate(cand.space, cand, progress) for p in self.parts]
        scores = combine([o.scores for o in outs], self.weights, self.method)
        live = [o for o, p in zip(outs, self.parts) if p.kind == "live"]
        if not live:
            return RankerOutput.analytic(scores)
        # parts that share one pass are charged once: the largest of their seconds / passes per cell
        group = [o for o, p in zip(outs, self.parts) if any(p is q for q in shared)]
        alone = [o for o, p in zip(outs, self.parts) if p.kind == "live" and not any(p is q for q in shared)]
        seconds = sum((o.seconds for o in alone), np.zeros(n))
        passes = sum((o.passes for o in alone), np.zeros(n, dtype=np.int64))
        if group:
            seconds = seconds + np.max([o.seconds for o in group], axis=0)
            passes = passes + np.max([o.passes for o in group], axis=0)
        z = np.zeros(n, dtype=bool)
        out = RankerOutput(scores, seconds, z | (np.any([o.cached for o in live], axis=0) & ~computed_now),
                           z | np.any([o.reused for o in live], axis=0), passes,
                           z | np.any([o.computed for o in live], axis=0) | computed_now)
        out.extra["parts"] = {p.name: o.stats() for p, o in zip(self.parts, outs) if p.kind == "live"}
        return out


    def _evaluate_shared(self, cand: Any, shared: list[Any], progress: bool
                         ) -> tuple[list[RankerOutput], np.ndarray]:
        """Score the shared-pass proxies of all live parts in one pass per cell, then evaluate every
        part from the cache (a temporary one when the context has none). Returns the parts' outputs
        and which candidates were computed now."""
        import tempfile

        from ..proxies.shared_scoring import score_cells_shared

        n = len(cand)
        ctx = shared[0].ctx
        tmp = None
        saved = [p.ctx for p in shared]
        if ctx.cache is None:
            from ..cache import ScoreCache

            tmp = tempfile.TemporaryDirectory(prefix="dagfilter-shared-")
            cache = ScoreCache(tmp.name)
            for p in shared:
                p.ctx = p.ctx.with_options(cache=cache)
        try:
            keys = shared[0]._keys(cand)
            # one representative per NB201 isomorphism class (as the live parts will pick), else every cell
            if cand.is_nb201 and ctx.iso != "off":
                from ..bench.isomorphism import nb201_iso_classes

                groups = nb201_iso_classes(cand.codes()).tolist()
            else:
                groups = keys
            first: dict[Any, int] = {}
            for pos, g in enumerate(groups):
                first.setdefault(g, pos)
            reps = sorted(first.values())
            from dataclasses import replace

            setup = replace(shared[0].setup, proxy=tuple(sorted({p.proxy for p in shared})), space=cand.space.name)
            idx = [int(cand.indices[r]) for r in reps] if cand.is_nb201 else None
            spent = score_cells_shared([keys[r] for r in reps], setup, shared[0].ctx.cache, idx)
            outs = [p.evaluate(cand.space, cand, progress) for p in self.parts]
        finally:
            for p, old in zip(shared, saved):
                p.ctx = old
            if tmp is not None:
                tmp.cleanup()
        now = np.zeros(n, dtype=bool)
        for r in reps:
            now[r] = keys[r] in spent
        return outs, now


def get_ranker(spec: str | Spec, context: RankerContext | None = None, combine: str | None = None,
               **options: Any) -> Ranker:
    """Build the ranker of a spec.

    Args:
        spec: e.g. ``"naswot"``, ``"prior"``, ``"naswot+prior"``, ``"2*naswot+prior:params,d_bar"``,
            ``"zscore(naswot+d_bar)"`` (grammar: :mod:`dagfilter.rankers.spec`).
        context: shared settings (data set, cache, ...); default :class:`RankerContext()`.
        combine: ``"rank"``, ``"zscore"`` or ``"logrank"`` for multi-term specs without ``METHOD(...)``.
        **options: fields of :class:`RankerContext` overriding ``context``'s.

    Raises:
        ConfigError: malformed spec, unknown ranker or option.
    """
    ctx = (context or RankerContext()).with_options(**options) if options else (context or RankerContext())
    parsed = spec if isinstance(spec, Spec) else parse_spec(spec, combine)
    if parsed.is_single:
        t = parsed.terms[0]
        return _resolve(t.name).factory(t.args, ctx)
    parts = [_resolve(t.name).factory(t.args, ctx) for t in parsed.terms]
    return CombinedRanker(parsed, parts)


def _register_builtins() -> None:
    from . import analytic as a
    from .live import make_live

    for name, factory, desc in (
            ("params", a.make_params, "parameter count with the data set's head (params:DATASET)"),
            ("flops", a.make_flops, "multiply-accumulates per image (flops:DATASET)"),
            ("d_bar", a.make_d_bar, "mean effective depth of the cell's paths"),
            ("m_bar", a.make_m_bar, "effective width of the cell"),
            ("nn_mass", a.make_nn_mass, "NN-Mass of the cell (nn_mass:WIDTH, default 16)"),
            ("window_distance", a.make_window_distance,
             "minus the normalised distance to the DAG filter's centre (window_distance:l2)"),
            ("prior", a.make_prior, "rank-sum of params and d_bar (prior:NAME[=W],...)")):
        register_ranker(name, factory, "analytic", desc)
    register_ranker("naswot", make_live("naswot"), "live", "NAS-WOT log|K| on one real minibatch")


_register_builtins()
