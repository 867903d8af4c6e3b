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

Every row carries a checksum of all its fields (``checksum``, BLAKE2b-64 over the exact bit
patterns of the numbers). SQLite's own integrity checks cover its pages, not the values in
them: a bit flipped inside a stored score (a failing disk, an outside edit) leaves a valid
database with a wrong number. A row whose checksum does not match is never served: reads treat
it as not cached, so it is computed again (and the new value replaces it), and each read that
met such rows emits a :class:`CacheIntegrityWarning` with their count (the running total is
:attr:`ScoreCache.checksum_failures`). Rows written before checksums existed (no ``checksum``
column, or ``NULL`` from an older dagfilter writing into a newer cache) are given their
checksum the next time the cache is opened: they are trusted as they stand then, and any
later change to them is caught.
"""
from __future__ import annotations

import hashlib
import math
import numbers
import os
import sqlite3
import struct
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

from .errors import ConfigError, show

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
    checksum TEXT,
    PRIMARY KEY (cell, proxy, dataset, batch, seed, version)
)
"""
_COLUMNS = ("cell", "proxy", "dataset", "batch", "seed", "version", "nb201_index", "score", "seconds", "created")
_CHECKSUM_SQL_FN = "dagfilter_row_checksum"


class CacheIntegrityWarning(UserWarning):
    """Cached rows failed their checksum; they were treated as not cached (and are recomputed)."""


_NUMS = struct.Struct("<ddd")


def row_checksum(cell: Any, proxy: Any, dataset: Any, batch: Any, seed: Any, version: Any, index: Any,
                 score: Any, seconds: Any, created: Any) -> str:
    """The checksum stored with a row: BLAKE2b (8 bytes, hex) over every field, the three REAL
    fields by their exact IEEE-754 bytes, so any flipped bit in any field changes it."""
    nums = _NUMS.pack(*(0.0 if x is None else x for x in (score, seconds, created)))
    text = (f"{cell}\x1f{proxy}\x1f{dataset}\x1f{int(batch):d}\x1f{int(seed):d}\x1f{version}\x1f{index}\x1f"
            f"{score is None:d}{seconds is None:d}{created is None:d}")
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass") + nums, digest_size=8).hexdigest()


def _sql_checksum(*fields: Any) -> str:
    """:func:`row_checksum` for SQLite's UPDATE (a legacy row it cannot read gets a checksum that
    never matches, so it is not served)."""
    try:
        return row_checksum(*fields)
    except (TypeError, ValueError, OverflowError, struct.error):
        return "unreadable"


def _row_ok(row: tuple) -> "bool | None":
    """True: checksum matches; False: it does not (or the row cannot be read); None: no checksum."""
    *fields, checksum = row
    if checksum is None:
        return None
    try:
        return checksum == row_checksum(*fields)
    except (TypeError, ValueError, OverflowError, struct.error):
        return False


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
                          f"got {show(key)}") from None
    for name, v in (("batch", batch), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not -2**63 <= int(v) < 2**63:
            raise ConfigError(f"score-cache key {name} must be an integer (64-bit), got {show(v)}")
    for name, v in (("proxy", proxy), ("dataset", dataset)):
        if not isinstance(v, str):
            raise ConfigError(f"score-cache key {name} must be a string, got {show(v)}")
    return str(proxy), str(dataset), int(batch), int(seed)


def _number(value: Any, what: str, cell: Any) -> float | None:
    """``value`` as a float for the database (None stays None); anything else is a ConfigError."""
    if value is None:
        return None
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, numbers.Real):
        raise ConfigError(f"score-cache {what} for cell {show(cell)} must be a real number, got {show(value)}")
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError):
        raise ConfigError(f"score-cache {what} for cell {show(cell)} is not a finite float: {show(value)}") from None


def _row(cell: Any, score: Any, seconds: Any, index: Any) -> tuple:
    if not isinstance(cell, str):
        raise ConfigError(f"score-cache cell must be a canonical cell string, got {show(cell)}")
    s = _number(score, "score", cell)
    t = _number(seconds, "seconds", cell)
    if index is not None and (isinstance(index, bool) or not isinstance(index, numbers.Integral)
                              or not -2**63 <= int(index) < 2**63):
        raise ConfigError(f"score-cache index for cell {show(cell)} must be an integer or None, got {show(index)}")
    return cell, s, t, None if index is None else int(index)


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

    Attributes:
        checksum_failures: rows this instance met whose checksum did not match (never served).

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
        self.checksum_failures = 0
        if p.is_dir():
            raise ConfigError(f"score cache file {str(p)!r} is a directory")
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            # a truncated or overwritten file is reported here, before any score is read from it
            check = con.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else 'no answer'}")
            con.execute(_SCHEMA)
            self._migrate(con)

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Add the ``checksum`` column to a cache written before it existed, and checksum the rows
        that have none (see the module docstring)."""
        cols = {r[1] for r in con.execute("PRAGMA table_info(scores)")}
        if "checksum" not in cols:
            try:
                con.execute("ALTER TABLE scores ADD COLUMN checksum TEXT")
            except sqlite3.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise
        if con.execute("SELECT EXISTS (SELECT 1 FROM scores WHERE checksum IS NULL)").fetchone()[0]:
            # (only then a write: opening a migrated cache takes no write lock)
            con.create_function(_CHECKSUM_SQL_FN, len(_COLUMNS), _sql_checksum, deterministic=True)
            con.execute(f"UPDATE scores SET checksum = {_CHECKSUM_SQL_FN}({', '.join(_COLUMNS)}) "
                        "WHERE checksum IS NULL")

    def _report(self, bad: list[tuple]) -> None:
        if not bad:
            return
        self.checksum_failures += len(bad)
        cell, proxy, dataset, batch, seed = bad[0][:5]
        warnings.warn(
            f"score cache {str(self.path)!r}: {len(bad)} row(s) failed their checksum (a flipped bit or an outside "
            f"edit; first: cell {show(cell)}, {proxy}/{dataset}/batch {batch}/seed {seed}) and were treated as not "
            "cached: they are computed again and replaced", CacheIntegrityWarning, stacklevel=3)

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
        bad: list[tuple] = []
        with self._connect() as con:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(
                    f"SELECT {', '.join(_COLUMNS)}, checksum FROM scores WHERE proxy=? AND dataset=? AND batch=? "
                    f"AND seed=? AND version=? AND cell IN ({marks})",
                    (proxy, dataset, int(batch), int(seed), self.version, *chunk)).fetchall()
                for r in rows:
                    if _row_ok(r) is False:
                        bad.append(r)
                    else:
                        out[r[0]] = (_from_db(r[7]), r[8])
        self._report(bad)
        return out

    def items(self, proxy: str | None = None, dataset: str | None = None, batch: int | None = None,
              seed: int | None = None, version: str | None = "*") -> Iterator[ScoreRecord]:
        """All records matching the given fields (None = any). ``version="*"`` (default) = any version.
        Rows that fail their checksum are left out (and reported)."""
        where, args = [], []
        for col, val in (("proxy", proxy), ("dataset", dataset), ("batch", batch), ("seed", seed)):
            if val is not None:
                where.append(f"{col}=?")
                args.append(val)
        if version not in (None, "*"):
            where.append("version=?")
            args.append(version)
        sql = (f"SELECT {', '.join(_COLUMNS)}, checksum FROM scores"
               + (" WHERE " + " AND ".join(where) if where else ""))
        with self._connect() as con:
            rows = con.execute(sql + " ORDER BY created", args).fetchall()
        ok = [_row_ok(r) is not False for r in rows]
        if not all(ok):
            self._report([r for r, good in zip(rows, ok) if not good])
            rows = [r for r, good in zip(rows, ok) if good]
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
        """Store one score (replacing an older value for the same key).

        Raises:
            ConfigError: ``score``/``seconds`` not a real number, ``index`` not an integer, or a bad key.
        """
        self.put_many([(cell, score, seconds, index)], key)

    def put_many(self, rows: Iterable[tuple[str, float, float | None, int | None]], key: ScoreKey) -> int:
        """Store ``(cell, score, seconds, nb201_index)`` rows in one transaction; returns how many."""
        proxy, dataset, batch, seed = _fields(key)
        now = time.time()
        data = []
        for row in rows:
            try:
                c, s, t, i = row
            except (TypeError, ValueError):
                raise ConfigError(f"a score-cache row is (cell, score, seconds, nb201_index), got {show(row)}") from None
            c, s, t, i = _row(c, s, t, i)
            fields = (c, proxy, dataset, batch, seed, self.version, i, _to_db(s), t, now)
            data.append((*fields, row_checksum(*fields)))
        if not data:
            return 0
        with self._connect() as con:
            con.executemany(f"INSERT OR REPLACE INTO scores ({', '.join(_COLUMNS)}, checksum) VALUES "
                            f"({','.join('?' * (len(_COLUMNS) + 1))})", data)
        return len(data)
