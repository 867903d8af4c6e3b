"""A persistent, process-safe store of proxy scores (SQLite, stdlib only).

One row per scored cell and scoring setup; the key is
``(cell, proxy, dataset, batch, seed, version)`` where ``cell`` is the canonical cell string
(the NAS-Bench-201 arch string for NB201 cells, sorted JSON otherwise), ``version`` the
dagfilter version that computed it, and ``(proxy, dataset, batch, seed)`` a :class:`ScoreKey`
- made by :attr:`dagfilter.proxies.ScoringSetup.key` from a scoring setup (its ``dataset``
also says ``:embedded`` and names a non-default network, so such scores never mix). Rows also keep the NAS-Bench-201 index (or NULL), the
score (``-inf`` for a singular kernel, NULL for NaN) and the seconds the scoring took.

Where it lives: ``ScoreCache(path)`` with ``path`` a directory (the file ``scores.sqlite`` in
it) or a ``.sqlite`` file; :func:`default_cache_dir` is ``$DAGFILTER_CACHE`` or
``~/.cache/dagfilter``.

Reading it back::

    from dagfilter.cache import ScoreCache
    cache = ScoreCache("runs/cache")
    key = ScoreKey("naswot", "cifar10", 128, 0)          # or ScoringSetup(...).key
    cache.get_many(["|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"], key)
    for rec in cache.items(proxy="naswot", dataset="cifar10", batch=128):
        rec.cell, rec.index, rec.score, rec.seconds
    df = cache.to_frame(proxy="naswot", dataset="cifar10")     # pandas DataFrame

Several processes may read and write at once (WAL journal, busy timeout); every write is its
own transaction, so an interrupted run keeps everything scored before the interruption.
"""
from __future__ import annotations

import math
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

from .errors import ConfigError

CACHE_ENV = "DAGFILTER_CACHE"
CACHE_FILE = "scores.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
    cell TEXT NOT NULL,
    proxy TEXT NOT NULL,
    dataset TEXT NOT NULL,
    batch INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    version TEXT NOT NULL,
    nb201_index INTEGER,
    score REAL,
    seconds REAL,
    created REAL,
    PRIMARY KEY (cell, proxy, dataset, batch, seed, version)
)
"""
_COLUMNS = ("cell", "proxy", "dataset", "batch", "seed", "version", "nb201_index", "score", "seconds", "created")


class ScoreKey(NamedTuple):
    """The setup part of a cache key: a score is stored and found under ``(cell, *key, version)``.

    Build it with :attr:`dagfilter.proxies.ScoringSetup.key` rather than by hand, so a live
    computation and a lookup agree. A plain tuple ``(proxy, dataset, batch, seed)`` compares equal.
    """

    proxy: str
    dataset: str
    batch: int
    seed: int


@dataclass(frozen=True)
class ScoreRecord:
    """One cached score."""

    cell: str
    proxy: str
    dataset: str
    batch: int
    seed: int
    version: str
    index: int | None
    score: float
    seconds: float | None
    created: float | None


def default_cache_dir() -> Path:
    """``$DAGFILTER_CACHE`` if set, else ``~/.cache/dagfilter``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "dagfilter"


def _package_version() -> str:
    from . import __version__

    return __version__


def _fields(key: Any) -> tuple[str, str, int, int]:
    """``(proxy, dataset, batch, seed)`` of a :class:`ScoreKey` (or a 4-tuple).

    Raises:
        ConfigError: ``key`` is not a 4-field key.
    """
    try:
        proxy, dataset, batch, seed = key
    except (TypeError, ValueError):
        raise ConfigError(f"a score-cache key is (proxy, dataset, batch, seed), e.g. ScoringSetup(...).key; "
                          f"got {key!r}") from None
    return str(proxy), str(dataset), int(batch), int(seed)


def _to_db(score: float) -> float | None:
    return None if score is None or (isinstance(score, float) and math.isnan(score)) else float(score)


def _from_db(score: float | None) -> float:
    return float("nan") if score is None else float(score)


class ScoreCache:
    """Persistent score store; see the module docstring.

    Args:
        path: a directory (created if missing; the database is ``path/scores.sqlite``) or a
            file path ending in ``.sqlite``/``.db``. Default: :func:`default_cache_dir`.
        version: package version written into (and matched by) keys; default: this dagfilter's.

    Raises:
        ConfigError: the path cannot be created or is not a score database.
    """

    def __init__(self, path: str | os.PathLike | None = None, version: str | None = None) -> None:
        if path is not None and not isinstance(path, (str, os.PathLike)):
            from .errors import show

            raise ConfigError(f"score cache path must be a folder or .sqlite file path, got {show(path)}")
        try:
            p = Path(path).expanduser() if path is not None else default_cache_dir()
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ConfigError(f"score cache path {path!r} is not usable: {exc}") from None
        if p.suffix not in (".sqlite", ".db"):
            p = p / CACHE_FILE
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot create score cache directory {str(p.parent)!r}: {exc}") from None
        self.path = p
        self.version = version or _package_version()
        if p.is_dir():
            raise ConfigError(f"score cache file {str(p)!r} is a directory")
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            # a truncated or overwritten file is reported here, before any score is read from it
            check = con.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else 'no answer'}")
            con.execute(_SCHEMA)

    def _damaged(self, exc: Exception) -> ConfigError:
        p = str(self.path)
        if isinstance(exc, ValueError) or (isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc)):
            return ConfigError(f"score cache {p!r} cannot be used: {exc}")
        return ConfigError(
            f"score cache {p!r} is not a dagfilter score cache, or a damaged one ({exc}): truncated or "
            f"overwritten. To recover, salvage what is left with: sqlite3 {p} .recover | sqlite3 {p}.recovered "
            f"(then move {p}.recovered to {p}), or delete {p} (and any {p}-wal / {p}-shm beside it) so the "
            "scores are computed again")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=60.0)
        except (sqlite3.Error, ValueError) as exc:  # ValueError: a NUL byte in the path
            raise self._damaged(exc) from None
        try:
            with con:  # commits on success, rolls back on error
                yield con
        except sqlite3.DatabaseError as exc:  # damaged file (or an unusable path): a clear error, never wrong scores
            raise self._damaged(exc) from None
        finally:
            con.close()

    def __repr__(self) -> str:
        return f"ScoreCache({str(self.path)!r}, version={self.version!r})"

    # ------------------------------------------------------------------ reads
    def get(self, cell: str, key: ScoreKey) -> float | None:
        """The cached score, or None when this key was never scored."""
        got = self.get_many([cell], key)
        return got[cell][0] if cell in got else None

    def get_many(self, cells: Iterable[str], key: ScoreKey) -> dict[str, tuple[float, float | None]]:
        """``{cell: (score, seconds)}`` for the given cells that are cached (same setup, this version)."""
        proxy, dataset, batch, seed = _fields(key)
        wanted = list(dict.fromkeys(cells))
        out: dict[str, tuple[float, float | None]] = {}
        with self._connect() as con:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(
                    f"SELECT cell, score, seconds FROM scores WHERE proxy=? AND dataset=? AND batch=? AND seed=? "
                    f"AND version=? AND cell IN ({marks})",
                    (proxy, dataset, int(batch), int(seed), self.version, *chunk)).fetchall()
                out.update({c: (_from_db(s), t) for c, s, t in rows})
        return out

    def items(self, proxy: str | None = None, dataset: str | None = None, batch: int | None = None,
              seed: int | None = None, version: str | None = "*") -> Iterator[ScoreRecord]:
        """All records matching the given fields (None = any). ``version="*"`` (default) = any version."""
        where, args = [], []
        for col, val in (("proxy", proxy), ("dataset", dataset), ("batch", batch), ("seed", seed)):
            if val is not None:
                where.append(f"{col}=?")
                args.append(val)
        if version not in (None, "*"):
            where.append("version=?")
            args.append(version)
        sql = f"SELECT {', '.join(_COLUMNS)} FROM scores" + (" WHERE " + " AND ".join(where) if where else "")
        with self._connect() as con:
            rows = con.execute(sql + " ORDER BY created", args).fetchall()
        for r in rows:
            yield ScoreRecord(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5], r[6], _from_db(r[7]), r[8], r[9])

    def by_nb201_index(self, key: ScoreKey) -> dict[int, ScoreRecord]:
        """``{official index: record}`` of every cached NAS-Bench-201 cell of one setup (this version)."""
        return {int(r.index): r for r in self.items(*_fields(key), version=self.version) if r.index is not None}

    def to_frame(self, **filters: Any) -> "Any":
        """:meth:`items` as a pandas DataFrame (columns as in :class:`ScoreRecord`)."""
        import pandas as pd

        recs = list(self.items(**filters))
        cols = ["cell", "proxy", "dataset", "batch", "seed", "version", "index", "score", "seconds", "created"]
        return pd.DataFrame([[getattr(r, c) for c in cols] for r in recs], columns=cols)

    def __len__(self) -> int:
        with self._connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM scores").fetchone()[0])

    # ------------------------------------------------------------------ writes
    def put(self, cell: str, key: ScoreKey, score: float, seconds: float | None = None,
            index: int | None = None) -> None:
        """Store one score (replacing an older value for the same key)."""
        self.put_many([(cell, score, seconds, index)], key)

    def put_many(self, rows: Iterable[tuple[str, float, float | None, int | None]], key: ScoreKey) -> int:
        """Store ``(cell, score, seconds, nb201_index)`` rows in one transaction; returns how many."""
        proxy, dataset, batch, seed = _fields(key)
        now = time.time()
        data = [(c, proxy, dataset, int(batch), int(seed), self.version,
                 None if i is None else int(i), _to_db(s), None if t is None else float(t), now)
                for c, s, t, i in rows]
        if not data:
            return 0
        with self._connect() as con:
            con.executemany(f"INSERT OR REPLACE INTO scores ({', '.join(_COLUMNS)}) VALUES "
                            f"({','.join('?' * len(_COLUMNS))})", data)
        return len(data)
