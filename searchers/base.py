"""The searcher interface, its configuration and its result.

Every searcher is driven the same way::

    import searchers
    from dagfilter import DAGFilter
    s = searchers.get("naswot", dataset="cifar10", data_dir="/data/cifar10")
    res = s.search("nb201", budget=100, seed=0, filter=DAGFilter.from_space("nb201", 0.5))
    res.chosen_cell, res.score, res.evaluated, res.skipped, res.scoring_seconds, res.accuracies
    res.to_json("result.json")

Sampling semantics (identical for every searcher):

* candidates come from one seeded stream per ``(space, seed)``: for NAS-Bench-201 a random
  permutation of the 15,625 indices (distinct cells, ``numpy.random.default_rng(seed)``), for
  other spaces repeated ``space.sample(rng)``;
* ``budget_mode="drawn"`` (default): the first ``budget`` candidates of the stream are drawn;
  with a filter, rejected ones are *skipped* (no network is ever built for them) and only the
  accepted ones are *evaluated*. So with the same seed the filtered search evaluates a subset
  of the cells the unfiltered one evaluates (on NAS-Bench-201 with fraction 0.5, ~40 of 100);
* ``budget_mode="scored"``: candidates are drawn from the same stream until ``budget`` have been
  evaluated (equal evaluation budget instead of equal draw budget);
* with a ``pool`` (:mod:`dagfilter.pools`: ``"darts725"`` or a file of cells) the stream is a
  random permutation of the pool's rows (``numpy.random.default_rng(seed)``), so candidates come
  only from the pool, and the result's ``pool`` field carries the chosen cell's measured accuracy,
  its rank in the pool and the pool's best.

The best evaluated cell (highest score; the earliest on ties) is chosen. ``-inf`` scores (e.g. a
singular NAS-WOT kernel) rank last.
"""
from __future__ import annotations

import json
import math
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from dagfilter.errors import ConfigError
from dagfilter.filter import DAGFilter
from dagfilter.spaces import Space, get_space

BUDGET_MODES = ("drawn", "scored")


@dataclass(frozen=True)
class Evaluation:
    """A searcher's verdict on one candidate: ``score`` (higher is better), the seconds its
    computation took (None for free look-ups) and whether it came from a cache."""

    score: float
    seconds: float | None = None
    cached: bool = False


@dataclass
class SearchResult:
    """What a search returns; :meth:`to_json` / :meth:`from_json` round-trip it.

    Attributes:
        searcher: registry name of the searcher.
        config: the full configuration that produced it (searcher options, space, budget,
            budget mode, seed, filter as a dict or None, package version).
        chosen_cell: the chosen cell (canonical string: NB201 arch string, or JSON for genotypes);
            ``dagfilter train result.json`` reads this key.
        chosen_index: its NAS-Bench-201 index (None for other spaces).
        score: its score under the searcher's criterion.
        drawn: candidates drawn from the space.
        evaluated: candidates evaluated (proxy-scored or benchmark-queried), cache hits included.
        skipped: candidates rejected by the filter before any network was built.
        cached: how many of ``evaluated`` were served from the score cache.
        scoring_seconds: summed compute time of the evaluated candidates, as measured when each was
            computed (so a warm cache still reports the cold cost); 0 for table look-ups.
        computed_seconds: the part of ``scoring_seconds`` computed during this call.
        wall_seconds: wall-clock time of this call.
        filter_seconds: time spent deciding accept/reject for all drawn candidates.
        trajectory: one dict per drawn candidate: step, cell, index, status
            (``"evaluated"``/``"skipped"``), score (None if skipped), best_score, best_cell.
        accuracies: NAS-Bench-201 figures of the chosen cell when the table is available; with a
            pool that has accuracies, ``{"pool_accuracy": ...}`` as well.
        version: dagfilter version.
        pool: with a pool, :meth:`dagfilter.pools.Pool.outcome` of the chosen cell: ``pool``,
            ``size``, ``row``, ``metric``, ``accuracy``, ``rank`` (1 = best), ``best``, ``regret``.
    """

    searcher: str
    config: dict[str, Any]
    chosen_cell: str | None
    chosen_index: int | None
    score: float
    drawn: int
    evaluated: int
    skipped: int
    cached: int = 0
    scoring_seconds: float = 0.0
    computed_seconds: float = 0.0
    wall_seconds: float = 0.0
    filter_seconds: float = 0.0
    trajectory: list[dict[str, Any]] = field(default_factory=list)
    accuracies: dict[str, float] | None = None
    version: str = ""
    pool: dict[str, Any] | None = None

    @property
    def seed(self) -> int:
        """The search seed."""
        return int(self.config["seed"])

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form; a non-finite float becomes ``null`` plus a ``"<key>_status"`` field
        (``"-inf"``, ``"inf"`` or ``"nan"``; see :mod:`dagfilter.jsonio`)."""
        return _encode(asdict(self))

    def to_json(self, path: str | Path | None = None, indent: int | None = 2) -> str:
        """The JSON text (strict JSON); also written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SearchResult":
        """Inverse of :meth:`to_dict`.

        Raises:
            ConfigError: missing or unknown fields, or a field of the wrong type (e.g. a filter
                ``fraction`` that is not a number in (0, 1]).
        """
        if not isinstance(d, dict):
            raise ConfigError(f"not a search result: expected a JSON object, got {type(d).__name__}")
        names = {f.name for f in fields(cls)}
        decoded = _decode(d)
        unknown = set(decoded) - names
        if unknown:
            raise ConfigError(f"not a search result: unknown field(s) {sorted(unknown)}")
        try:
            res = cls(**decoded)
        except TypeError as exc:
            raise ConfigError(f"not a search result: {exc}") from None
        res._check_types()
        return res

    def _check_types(self) -> None:
        """Refuse a result whose fields have the wrong types (a hand-edited or hostile file), so that
        readers (``dagfilter report --results``) never meet ``"fraction": "x"`` deep inside a table."""
        import numbers

        from dagfilter.errors import show

        def bad(what: str, value: Any, want: str) -> ConfigError:
            return ConfigError(f"not a search result: {what} must be {want}, got {show(value)}")

        def number(what: str, value: Any, nullable: bool = False) -> None:
            if value is None and nullable:
                return
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise bad(what, value, "a number")

        def integer(what: str, value: Any, nullable: bool = False) -> None:
            if value is None and nullable:
                return
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise bad(what, value, "an integer")

        if not isinstance(self.searcher, str):
            raise bad("'searcher'", self.searcher, "a string")
        if not isinstance(self.config, dict):
            raise bad("'config'", self.config, "an object")
        if self.chosen_cell is not None and not isinstance(self.chosen_cell, str):
            raise bad("'chosen_cell'", self.chosen_cell, "a string or null")
        integer("'chosen_index'", self.chosen_index, nullable=True)
        for name in ("drawn", "evaluated", "skipped", "cached"):
            integer(repr(name), getattr(self, name))
        for name in ("score", "scoring_seconds", "computed_seconds", "wall_seconds", "filter_seconds"):
            number(repr(name), getattr(self, name))
        for name in ("trajectory",):
            if not isinstance(getattr(self, name), list):
                raise bad(repr(name), getattr(self, name), "a list")
        for name in ("accuracies", "pool"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), dict):
                raise bad(repr(name), getattr(self, name), "an object or null")
        cfg = self.config
        if "seed" in cfg:
            integer("config 'seed'", cfg["seed"])
        if "budget" in cfg:
            integer("config 'budget'", cfg["budget"])
        for key in ("space", "budget_mode"):
            if key in cfg and not isinstance(cfg[key], str):
                raise bad(f"config {key!r}", cfg[key], "a string")
        flt = cfg.get("filter")
        if flt is not None and flt != {}:
            if not isinstance(flt, dict):
                raise bad("config 'filter'", flt, "an object or null")
            if "fraction" in flt:
                number("config filter 'fraction'", flt["fraction"])
                if not 0 < flt["fraction"] <= 1:
                    raise bad("config filter 'fraction'", flt["fraction"], "in (0, 1]")

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> "SearchResult":
        """Read a result from JSON text or a ``.json`` file path."""
        from dagfilter.encodings.parse import load_json_text, read_text_file
        from dagfilter.errors import CellFormatError

        text = str(text_or_path)
        try:
            if not text.lstrip().startswith("{"):
                p = Path(text)
                if not p.exists():
                    raise ConfigError(f"search result file {text!r} does not exist")
                text = read_text_file(p, "search result file")
            return cls.from_dict(load_json_text(text, "search result"))
        except CellFormatError as exc:  # unreadable, binary, too large, too deep, not JSON
            raise ConfigError(str(exc)) from None
        except OSError as exc:
            raise ConfigError(f"search result file {text[:200]!r} cannot be read: {exc.strerror or exc}") from None

    def summary(self) -> str:
        """A few human-readable lines."""
        # a searcher states what its budget counts (config "budget_unit") or that it has none ("budget_used")
        if self.config.get("budget_used", True) is False:
            budget = "no budget: its cost is fixed by the space"
        else:
            budget = f"budget {self.config.get('budget')} {self.config.get('budget_unit') or self.config.get('budget_mode')}"
        score = (f"score: {self.score:.4f}" if math.isfinite(self.score) or self.score == float("-inf") else
                 f"score: none ({self.config.get('score_note') or 'this searcher gives the chosen cell no score'})")
        lines = [f"searcher {self.searcher} on {self.config.get('space')} (seed {self.seed}, {budget})",
                 f"chosen: {self.chosen_cell}"
                 + (f"  [index {self.chosen_index}]" if self.chosen_index is not None else ""),
                 score,
                 f"drawn {self.drawn}, evaluated {self.evaluated} ({self.cached} cached), skipped {self.skipped}",
                 f"scoring time {self.scoring_seconds:.1f} s (computed now {self.computed_seconds:.1f} s), "
                 f"filter {self.filter_seconds * 1e3:.1f} ms, wall {self.wall_seconds:.1f} s"]
        if self.accuracies:
            lines.append("accuracies: " + ", ".join(f"{k} {v:.2f}" for k, v in self.accuracies.items()))
        if self.pool:
            p = self.pool
            if p.get("accuracy") is not None:
                lines.append(f"pool {p['pool']}: row {p['row']}, {p['metric']} {p['accuracy']:.2f}, rank {p['rank']} "
                             f"of {p['size']} (pool best {p['best']:.2f}, regret {p['regret']:.2f})")
            else:
                lines.append(f"pool {p['pool']}: row {p['row']} of {p['size']} (the pool has no accuracies)")
        return "\n".join(lines)


def _encode(x: Any) -> Any:
    from dagfilter.jsonio import strict

    return strict(x)


def _decode(x: Any) -> Any:
    from dagfilter.jsonio import restore

    return restore(x)


def _rank_key(score: float) -> float:
    return -math.inf if (score is None or math.isnan(score)) else score


class Searcher(ABC):
    """Base class: sampling, filtering, bookkeeping. Subclasses implement :meth:`evaluate`.

    Subclasses are registered with :func:`searchers.register` and configured by keyword options
    given to their constructor (validated there, reported by :meth:`options`).
    """

    name: ClassVar[str] = "base"
    _pool: Any = None  # the pool of the search in progress (read by evaluate(); None otherwise)

    def options(self) -> dict[str, Any]:
        """The searcher's own configuration (JSON-able)."""
        return {}

    @abstractmethod
    def evaluate(self, archs: list[Any], space: Space, seed: int, progress: bool,
                 postfix: dict[str, Any]) -> list[Evaluation]:
        """Score the accepted candidates (higher is better), one :class:`Evaluation` each."""

    def benchmark_accuracies(self, index: int | None) -> dict[str, float] | None:
        """NAS-Bench-201 accuracies of a chosen cell from the searcher's benchmark table
        (``self._table``, set by searchers that load one); None when unavailable."""
        from .benchmark import REPORT_COLUMNS

        table = getattr(self, "_table", None)
        if index is None or table is None:
            return None
        return table.accuracies(index, REPORT_COLUMNS)

    # ------------------------------------------------------------------ the search loop
    def search(self, space: str | Space = "nb201", budget: int = 100, seed: int = 0,
               filter: DAGFilter | None = None, budget_mode: str = "drawn",
               progress: bool = True, pool: Any = None) -> SearchResult:
        """Run one search (see the module docstring for the sampling semantics).

        Args:
            space: a space name or object (``nb201``, ``darts``, ...).
            budget: candidates to draw (``budget_mode="drawn"``) or to evaluate (``"scored"``).
            seed: seeds the candidate stream.
            filter: an optional :class:`~dagfilter.filter.DAGFilter`; rejected candidates are skipped.
            budget_mode: ``"drawn"`` or ``"scored"``.
            progress: show a progress bar on stderr.
            pool: draw candidates only from this pool (:func:`dagfilter.pools.load_pool`: a
                :class:`~dagfilter.pools.Pool`, ``"darts725"`` or a file path).

        Raises:
            ConfigError: non-positive budget, unknown budget mode, a filter that rejects
                everything in ``"scored"`` mode, a pool of another space or smaller than the budget.
            PoolFormatError: a malformed pool file.
        """
        from dagfilter import __version__
        from dagfilter.proxies.scoring import cell_key

        from dagfilter.limits import MAX_SAMPLES, check_count

        budget = check_count(budget, "budget", MAX_SAMPLES)
        if budget_mode not in BUDGET_MODES:
            raise ConfigError(f"budget_mode must be one of {', '.join(BUDGET_MODES)}, got {budget_mode!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 63:
            raise ConfigError(f"seed must be an integer in 0..2**63-1, got {seed!r}")
        if filter is not None and not isinstance(filter, DAGFilter):
            raise ConfigError(f"filter must be a dagfilter.DAGFilter or None, got {type(filter).__name__}")
        sp = get_space(space)
        t_start = time.perf_counter()
        pl = None
        if pool is not None:
            from dagfilter.pools import load_pool

            pl = load_pool(pool, sp.name)
            drawn, accepted, filter_s, rows = _draw_pool(pl, int(budget), int(seed), filter, budget_mode)
        else:
            drawn, accepted, filter_s = _draw(sp, int(budget), int(seed), filter, budget_mode)
        accepted_set = set(accepted)
        archs = [drawn[i] for i in accepted]
        postfix = {"skipped": len(drawn) - len(archs)}
        self._pool = pl
        try:
            evals = self.evaluate(archs, sp, int(seed), progress, postfix) if archs else []
        finally:
            self._pool = None
        if len(evals) != len(archs):
            raise RuntimeError(f"{type(self).__name__}.evaluate returned {len(evals)} results for {len(archs)} cells")

        trajectory: list[dict[str, Any]] = []
        best_k: int | None = None  # position in ``evals`` of the best so far
        keys = ([(pl.keys[r], None) for r in rows] if pl is not None and pl.space != "nb201"
                else [cell_key(a) for a in drawn])
        k = 0
        for step in range(len(drawn)):
            cell, index = keys[step]
            if step in accepted_set:
                if best_k is None or _rank_key(evals[k].score) > _rank_key(evals[best_k].score):
                    best_k = k
                status, score = "evaluated", evals[k].score
                k += 1
            else:
                status, score = "skipped", None
            entry = {"step": step, "cell": cell, "index": index, "status": status, "score": score,
                     "best_score": None if best_k is None else evals[best_k].score,
                     "best_cell": None if best_k is None else keys[accepted[best_k]][0]}
            if pl is not None:
                entry["pool_row"] = rows[step]
            trajectory.append(entry)
        chosen, chosen_index, score = None, None, -math.inf
        if best_k is not None:
            chosen, chosen_index = keys[accepted[best_k]]
            score = evals[best_k].score
        config = {"searcher": self.name, **self.options(), "space": sp.name, "budget": int(budget),
                  "budget_mode": budget_mode, "seed": int(seed),
                  "filter": None if filter is None else filter.to_dict(), "version": __version__}
        accuracies = self.benchmark_accuracies(chosen_index)
        pool_out = None
        if pl is not None:
            config["pool"] = pl.describe()
            pool_out = pl.outcome(None if best_k is None else rows[accepted[best_k]])
            if pool_out["accuracy"] is not None:
                accuracies = {**(accuracies or {}), "pool_accuracy": pool_out["accuracy"]}
        return SearchResult(
            searcher=self.name, config=config, chosen_cell=chosen, chosen_index=chosen_index, score=float(score),
            drawn=len(drawn), evaluated=len(evals), skipped=len(drawn) - len(evals),
            cached=sum(e.cached for e in evals),
            scoring_seconds=float(sum(e.seconds or 0.0 for e in evals)),
            computed_seconds=float(sum(e.seconds or 0.0 for e in evals if not e.cached)),
            wall_seconds=time.perf_counter() - t_start, filter_seconds=filter_s, trajectory=trajectory,
            accuracies=accuracies, version=__version__, pool=pool_out)


def _draw_pool(pool: Any, budget: int, seed: int, flt: DAGFilter | None,
               mode: str) -> tuple[list[Any], list[int], float, list[int]]:
    """Draw from a pool: a seeded permutation of its rows; returns (drawn archs, positions of accepted
    ones, seconds spent filtering, pool rows of the drawn archs)."""
    n = len(pool)
    order = np.random.default_rng(seed).permutation(n)
    t0 = time.perf_counter()
    keep_all = np.ones(n, dtype=bool) if flt is None else pool.mask(flt)[order]
    filter_s = time.perf_counter() - t0
    if mode == "drawn":
        if budget > n:
            raise ConfigError(f"the pool {pool.name!r} holds {n} cells; cannot draw {budget}")
        idx = order[:budget]
        keep = keep_all[:budget]
        filter_s *= budget / n
    else:
        hits = np.flatnonzero(keep_all)
        if len(hits) < budget:
            raise ConfigError(f"the filter accepts only {len(hits)} cells of the pool {pool.name!r}; "
                              f"cannot evaluate {budget}")
        idx = order[:hits[budget - 1] + 1]
        keep = keep_all[:len(idx)]
        filter_s *= len(idx) / n
    rows = [int(i) for i in idx]
    return [pool.archs[r] for r in rows], [int(i) for i in np.flatnonzero(keep)], filter_s, rows


def _draw(space: Space, budget: int, seed: int, flt: DAGFilter | None,
          mode: str) -> tuple[list[Any], list[int], float]:
    """Draw candidates; returns (drawn archs, positions of accepted ones, seconds spent filtering)."""
    rng = np.random.default_rng(seed)
    filter_s = 0.0
    if space.enumerable and space.name == "nb201":
        order = rng.permutation(len(space))  # type: ignore[arg-type]
        if mode == "drawn":
            idx = order[:budget]
            t0 = time.perf_counter()
            keep = np.ones(len(idx), dtype=bool) if flt is None else flt.mask(idx)
            filter_s = time.perf_counter() - t0
        else:
            t0 = time.perf_counter()
            keep_all = np.ones(len(order), dtype=bool) if flt is None else flt.mask(order)
            filter_s = time.perf_counter() - t0
            hits = np.flatnonzero(keep_all)
            if len(hits) < budget:
                raise ConfigError(f"the filter accepts only {len(hits)} cells of the space; cannot evaluate {budget}")
            idx = order[:hits[budget - 1] + 1]
            keep = keep_all[:len(idx)]
            filter_s *= len(idx) / len(order)  # the work a lazy stream would have done
        drawn = [space.arch(int(i)) for i in idx]  # type: ignore[attr-defined]
        return drawn, [int(i) for i in np.flatnonzero(keep)], filter_s
    drawn, accepted = [], []
    max_draws = budget * 1000
    while True:
        if mode == "drawn" and len(drawn) >= budget:
            break
        if mode == "scored" and len(accepted) >= budget:
            break
        if len(drawn) >= max_draws:
            raise ConfigError(f"{max_draws} candidates drawn but only {len(accepted)} accepted by the filter")
        arch = space.sample(rng)
        t0 = time.perf_counter()
        ok = True if flt is None else flt.accepts(arch)
        filter_s += time.perf_counter() - t0
        if ok:
            accepted.append(len(drawn))
        drawn.append(arch)
    return drawn, accepted, filter_s
