"""Score architectures with a proxy: seeded networks, one fixed real minibatch, cache, parallelism.

Both entry points take one :class:`~dagfilter.proxies.config.ScoringSetup` (what the score
depends on; also the cache key and the JSON record):

* :class:`CellScorer` ``(setup)`` scores one architecture at a time in this process.
* :func:`score_cells` ``(archs, setup, cache, execution)`` scores many: cached scores are reused,
  the rest are computed sequentially (``Execution(n_jobs=1)``), in parallel through joblib
  (``backend="loky"``, the default), or on a Dask cluster (``backend="dask"`` with a
  ``scheduler`` address), each result written to the cache as soon as it arrives, so an
  interrupted run loses nothing already scored and a rerun resumes where it stopped.

Determinism: the network's weights come from ``torch.manual_seed(seed)`` just before it is
built and the minibatch is :func:`dagfilter.data.fixed_batch` ``(dataset, batch_size, seed)``,
so a (cell, setup) pair always gives the same score on one machine.
"""
from __future__ import annotations

import json
import os
import sys
import time
import warnings
from dataclasses import dataclass, replace
from typing import Any, Iterable, Sequence

import torch
from torch import nn

from ..cache import ScoreKey
from ..cell import Cell
from ..encodings.parse import arch_to_json, parse_arch
from ..errors import ConfigError
from .config import EXECUTION_FIELDS, SETUP_FIELDS, Execution, ScoringSetup
from .registry import get_proxy


@dataclass(frozen=True)
class CellScore:
    """One scored architecture.

    Attributes:
        cell: canonical cell string (see :func:`cell_key`).
        index: NAS-Bench-201 index, or None for other spaces.
        score: proxy value (``-inf`` when the NAS-WOT kernel is singular).
        seconds: time the scoring took when it was computed (network build + forward + score).
        cached: whether it was read (from the cache or a shipped file) rather than computed in this call.
        source: where the score came from: ``"computed"``, ``"cache"`` or the shipped file
            (``"benchmarks_data/naswot_nb201_cifar10.npz"``, see :func:`~dagfilter.proxies.shipped.serve_shipped`).
    """

    cell: str
    index: int | None
    score: float
    seconds: float | None
    cached: bool
    source: str = "computed"


def cell_key(arch: Any) -> tuple[str, int | None]:
    """Canonical string of an architecture (any encoding) and its NAS-Bench-201 index (or None).

    NAS-Bench-201 cells map to their arch string; other architectures to sorted JSON of
    :func:`~dagfilter.encodings.parse.arch_to_json`.
    """
    a = parse_arch(arch)
    if isinstance(a, Cell) and a.is_nb201():
        return a.to_nb201_str(), a.to_nb201_index()
    return json.dumps(arch_to_json(a), sort_keys=True, separators=(",", ":")), None


def num_classes_of(dataset: str) -> int:
    """Classifier width for a dataset name (any accepted spelling)."""
    from ..data import dataset_spec

    return dataset_spec(dataset).num_classes


def build_network(arch: Any, space: str = "nb201", num_classes: int = 10, **network: Any) -> nn.Module:
    """The network of ``arch`` in ``space`` (``network``: size options; default the benchmark's),
    via :func:`dagfilter.nets.build_network`."""
    from ..nets import build_network as build

    return build(parse_arch(arch), space, num_classes=num_classes, **network)


EMBEDDED_FILE = "cifar10_minibatch.npz"


def _embedded_path() -> "os.PathLike[str] | None":
    from pathlib import Path

    try:
        import benchmarks_data
    except ImportError:
        return None
    p = Path(benchmarks_data.__file__).parent / EMBEDDED_FILE
    return p if p.is_file() else None


def _use_embedded(dataset: str, data_dir: str | os.PathLike | None) -> bool:
    """True when no CIFAR-10 location is configured at all and the package ships a minibatch."""
    from ..data import DATA_DIR_ENV, dataset_spec

    spec = dataset_spec(dataset)
    configured = data_dir not in (None, "") or os.environ.get(spec.env_var) or os.environ.get(DATA_DIR_ENV)
    return spec.name == "cifar10" and not configured and _embedded_path() is not None


EMBEDDED_TAG = "embedded256s01"
"""Dataset tag (``cifar10:<tag>``) of minibatches drawn from the shipped images that are *not* a
data-directory minibatch (see :func:`embedded_batch`); it names this image file, so scores cached
from an older embedded file never mix with these."""


def _embedded_arrays() -> dict[str, Any]:
    import numpy as np

    from ..errors import DataError

    path = _embedded_path()
    if path is None:
        raise DataError(f"the embedded minibatch benchmarks_data/{EMBEDDED_FILE} is not installed")
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _embedded_exact_rows(arrays: dict[str, Any], batch_size: int, seed: int) -> "Any | None":
    """Rows of the shipped images that are exactly ``fixed_batch("cifar10", <project copy>, batch_size,
    seed)``, in its order; None when the file does not hold all of them."""
    import numpy as np

    from ..data.loaders import fixed_batch_picks

    if "source_index" not in arrays or "train_size" not in arrays:
        return None
    total = int(arrays["train_size"])
    if batch_size > total:
        return None
    where = {int(s): i for i, s in enumerate(arrays["source_index"].tolist())}
    rows = [where.get(int(p)) for p in fixed_batch_picks(total, batch_size, seed)]
    return None if any(r is None for r in rows) else np.asarray(rows, dtype=np.int64)


def embedded_batch_is_exact(batch_size: int, seed: int = 0) -> bool:
    """True when :func:`embedded_batch` ``(batch_size, seed)`` is bit for bit the minibatch that
    :func:`dagfilter.data.fixed_batch` draws from the project's CIFAR-10 copy (the images of the
    shipped scores; batch 128 with seed 0 or 1): its scores then key as ``cifar10``, like a
    data-directory run, and the shipped scores serve it."""
    try:
        return _embedded_exact_rows(_embedded_arrays(), batch_size, seed) is not None
    except Exception:  # no file: nothing is exact
        return False


def embedded_batch(batch_size: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded minibatch of the 256 real CIFAR-10 training images shipped in ``benchmarks_data``.

    Normalised like :func:`dagfilter.data.fixed_batch`. Used when no data directory is configured.
    Where the file holds every image ``fixed_batch`` would draw from the project's CIFAR-10 copy
    (``scripts/build_embedded_minibatch.py``: batch 128, seeds 0 and 1 - the setup of the shipped
    scores), those images are returned in that order, so the tensor equals the data-directory one
    bit for bit (:func:`embedded_batch_is_exact`); otherwise ``batch_size`` of the 256 are drawn
    with ``seed``.

    Raises:
        DataError: the file is missing or ``batch_size`` exceeds 256.
    """
    import numpy as np

    from ..data import dataset_spec
    from ..errors import DataError

    arrays = _embedded_arrays()
    images, labels = arrays["images"], arrays["labels"]
    if batch_size > len(images):
        raise DataError(f"the embedded CIFAR-10 minibatch holds {len(images)} images, cannot draw {batch_size}; "
                        "pass a data directory (--data-dir) for larger batches")
    picks = _embedded_exact_rows(arrays, batch_size, seed)
    if picks is None:
        picks = np.random.default_rng([int(seed), 0xE3BED]).choice(len(images), size=batch_size, replace=False)
    spec = dataset_spec("cifar10")
    mean = np.asarray(spec.mean, dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.asarray(spec.std, dtype=np.float32).reshape(1, 3, 1, 1)
    x = (images[picks].astype(np.float32) / np.float32(255.0) - mean) / std
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(labels[picks].astype(np.int64))


def _legacy_setup(where: str, setup: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                  extra_fields: Sequence[str] = ()) -> tuple[ScoringSetup, dict[str, Any]]:
    """``(setup, extra)`` from the old option form (deprecated): positional/keyword setup fields,
    plus ``extra_fields`` (e.g. the Execution ones) returned apart."""
    kw = dict(kwargs)
    extra = {k: kw.pop(k) for k in list(kw) if k in extra_fields}
    unknown = sorted(set(kw) - set(SETUP_FIELDS))
    if unknown:
        raise TypeError(f"{where}() got unexpected keyword argument(s) {unknown}")
    if isinstance(setup, ScoringSetup) and (args or kw):
        raise ConfigError(f"{where} takes one ScoringSetup, got {setup!r} and setup options {list(args) + sorted(kw)!r}")
    if not isinstance(setup, (ScoringSetup, str, tuple, list, type(None))):
        raise ConfigError(f"{where} takes a ScoringSetup, got {setup!r}")
    warnings.warn(f"{where}(proxy=..., batch_size=..., n_jobs=...) is deprecated: pass ScoringSetup(...) "
                  "(and an Execution(...) for n_jobs/backend/progress)", DeprecationWarning, stacklevel=3)
    if not isinstance(setup, ScoringSetup):
        setup = ScoringSetup(*(() if setup is None else (setup,)), *args, **kw)
    return setup, extra


class CellScorer:
    """Scores architectures with one proxy on one fixed real minibatch.

    Args:
        setup: the :class:`~dagfilter.proxies.config.ScoringSetup` (one proxy).
        images, labels: an explicit minibatch (skips loading; ``setup.batch_size`` must match).

    With no data directory configured anywhere (setup or environment), CIFAR-10 scoring uses
    the 256 real training images shipped in ``benchmarks_data`` (:func:`embedded_batch`).
    (The old form ``CellScorer(proxy, dataset, data_dir, batch_size, seed, space)`` still works
    for one release, with a DeprecationWarning.)

    Raises:
        ConfigError: unknown dataset, a multi-proxy setup, a minibatch of the wrong size.
        DataError: data missing.
    """

    def __init__(self, setup: ScoringSetup | None = None, *legacy: Any, images: torch.Tensor | None = None,
                 labels: torch.Tensor | None = None, **legacy_kw: Any) -> None:
        if legacy or legacy_kw or not isinstance(setup, (ScoringSetup, type(None))):
            setup = _legacy_setup("CellScorer", setup, legacy, legacy_kw)[0]
        setup = ScoringSetup() if setup is None else setup
        self.setup = setup
        self.proxy = get_proxy(setup.single_proxy())
        self.dataset, self.data_dir, self.batch_size, self.seed, self.space = \
            setup.dataset, setup.data_dir, setup.batch_size, setup.seed, setup.space
        self.num_classes = num_classes_of(setup.dataset)
        if images is not None and images.shape[0] != setup.batch_size:
            raise ConfigError(f"images hold {images.shape[0]} samples but batch_size is {setup.batch_size}")
        self._images, self._labels = images, labels
        self.embedded = images is None and _use_embedded(setup.dataset, setup.data_dir)
        self.embedded_exact = self.embedded and embedded_batch_is_exact(setup.batch_size, setup.seed)

    @property
    def key_tag(self) -> bool | str:
        """The ``embedded`` argument of :meth:`ScoringSetup.cache_key` for this scorer: False for a
        data directory and for the shipped images where they *are* the data-directory minibatch
        (:func:`embedded_batch_is_exact`), else :data:`EMBEDDED_TAG`."""
        return EMBEDDED_TAG if self.embedded and not self.embedded_exact else False

    @property
    def key(self) -> ScoreKey:
        """The cache key of this scorer (the dataset reads ``cifar10:<EMBEDDED_TAG>`` when a minibatch
        of the shipped images that is not the data-directory one is used, so its scores never mix
        with those of a data directory)."""
        return self.setup.cache_key(embedded=self.key_tag)

    def minibatch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The fixed ``(images, labels)`` (loaded on first use)."""
        if self._images is None and self.embedded:
            self._images, self._labels = embedded_batch(self.batch_size, self.seed)
        if self._images is None:
            from ..data import fixed_batch

            self._images, self._labels = fixed_batch(self.dataset, self.data_dir, self.batch_size, self.seed)
        if self._labels is None:
            self._labels = torch.zeros(self._images.shape[0], dtype=torch.int64)
        return self._images, self._labels

    def build(self, arch: Any) -> nn.Module:
        """The seeded, untrained network of ``arch`` in the mode the proxy wants."""
        torch.manual_seed(self.seed)
        net = build_network(arch, self.space, self.num_classes, **dict(self.setup.network))
        return net.train(self.proxy.train_mode)

    def score_timed(self, arch: Any) -> tuple[float, float]:
        """``(score, seconds)``; the time covers network construction, forward pass(es) and the score."""
        images, labels = self.minibatch()
        t0 = time.perf_counter()
        net = self.build(arch)
        if self.proxy.needs_grad:
            value = self.proxy.fn(net, images, labels)
        else:
            with torch.no_grad():
                value = self.proxy.fn(net, images, labels)
        return float(value), time.perf_counter() - t0

    def score(self, arch: Any) -> float:
        """The proxy score of ``arch`` (any encoding)."""
        return self.score_timed(arch)[0]


def _score_chunk(payload: dict[str, Any], images: torch.Tensor | None = None,
                 labels: torch.Tensor | None = None) -> list[tuple[str, float, float]]:
    """Worker task: score a list of canonical cell strings; returns ``(cell, score, seconds)``.

    ``payload``: ``setup`` (a ScoringSetup), ``cells``, ``threads``; the minibatch is
    ``payload["images"]`` / ``["labels"]`` unless given as arguments (Dask passes it once per
    worker that way)."""
    threads = payload.get("threads")
    if threads:
        torch.set_num_threads(int(threads))
    images = payload["images"] if images is None else images
    labels = payload["labels"] if labels is None else labels
    scorer = CellScorer(payload["setup"], images=images, labels=labels)
    out = []
    for cell in payload["cells"]:
        s, t = scorer.score_timed(cell)
        out.append((cell, s, t))
    return out


def _dask_client(scheduler: str | None) -> Any:
    if not scheduler:
        raise ConfigError("backend 'dask' needs a scheduler address (--scheduler tcp://HOST:PORT)")
    try:
        from dask.distributed import Client
    except ImportError:
        raise ConfigError("backend 'dask' needs dask.distributed: pip install 'dagfilter[dask]'") from None
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None


def score_cells(archs: Iterable[Any], setup: ScoringSetup | None = None, cache: Any = None,
                execution: Execution | None = None, **legacy: Any) -> list[CellScore]:
    """Score many architectures, reusing and filling a :class:`~dagfilter.cache.ScoreCache`.

    Args:
        archs: architectures, any encoding (duplicates are scored once).
        setup: what the scores depend on (one proxy); default ``ScoringSetup()`` (NAS-WOT,
            CIFAR-10, batch 128, seed 0, NAS-Bench-201).
        cache: a ``ScoreCache`` or None (no persistence).
        execution: workers, backend, chunking, progress bar (:class:`~dagfilter.proxies.config.Execution`);
            default ``Execution()`` (in this process, with a bar).
        **legacy: the old keyword options (``proxy=``, ``batch_size=``, ``n_jobs=``, ...):
            deprecated, accepted for one release with a DeprecationWarning.

    Returns:
        One :class:`CellScore` per input architecture, in input order.

    Raises:
        ConfigError: a multi-proxy setup, unreachable scheduler (bad backend/n_jobs/chunk_size
            already fail when the Execution is made). DataError: data missing.
    """
    if legacy or not isinstance(setup, (ScoringSetup, type(None))):
        setup, exec_kw = _legacy_setup("score_cells", setup, (), legacy, EXECUTION_FIELDS)
        execution = replace(execution or Execution(), **exec_kw)
    setup = ScoringSetup() if setup is None else setup
    ex = Execution() if execution is None else execution
    keys = [cell_key(a) for a in archs]
    index_of = dict(keys)
    scorer = CellScorer(setup)
    k = scorer.key
    done: dict[str, tuple[float, float | None, bool, str]] = {}
    if cache is not None:
        for c, (s, t) in cache.get_many(index_of, k).items():
            done[c] = (s, t, True, "cache")
    pending = [c for c in index_of if c not in done]
    if pending:  # shipped scores of exactly this setup and these images: nothing to compute
        from .shipped import serve_shipped

        source, served = serve_shipped(pending, scorer)
        for c, s in served.items():
            done[c] = (s, None, True, source)
        pending = [c for c in pending if c not in served]
        if served and ex.progress:
            print(f"{k.proxy}: {len(served)} of {len(index_of)} scores read from the shipped {source} (same "
                  f"setup: {k.dataset}, batch {k.batch}, seed {k.seed}, same images); {len(pending)} to compute",
                  file=sys.stderr)

    def record(rows: Sequence[tuple[str, float, float]]) -> None:
        for c, s, t in rows:
            done[c] = (s, t, False, "computed")
        if cache is not None:
            cache.put_many([(c, s, t, index_of[c]) for c, s, t in rows], k)

    from tqdm.auto import tqdm

    bar = tqdm(total=len(pending), desc=ex.desc, unit="cell", file=sys.stderr,
               disable=not ex.progress or not pending, dynamic_ncols=True)
    bar.set_postfix(cached=len(done), **dict(ex.postfix))
    try:
        if pending and (ex.n_jobs == 1 and ex.backend != "dask"):
            for c in pending:
                s, t = scorer.score_timed(c)
                record([(c, s, t)])
                bar.update(1)
        elif pending:
            _parallel(pending, scorer, ex, record, bar)
    finally:
        bar.close()
    return [CellScore(c, i, *done[c]) for c, i in keys]


def _parallel(pending: list[str], scorer: CellScorer, ex: Execution, record: Any, bar: Any) -> None:
    images, labels = scorer.minibatch()
    workers = (os.cpu_count() or 1) if ex.n_jobs == -1 else ex.n_jobs
    threads = 1 if ex.backend == "dask" else max(1, (os.cpu_count() or 1) // max(1, workers))
    base = dict(setup=scorer.setup, threads=threads)
    chunks = [pending[i:i + ex.chunk_size] for i in range(0, len(pending), ex.chunk_size)]
    if ex.backend == "dask":
        _run_dask(chunks, base, images, labels, ex.scheduler, record, bar)
        return
    import joblib

    tasks = [dict(base, images=images, labels=labels, cells=c) for c in chunks]
    with joblib.parallel_config(backend=ex.backend, n_jobs=ex.n_jobs):
        runner = joblib.Parallel(return_as="generator_unordered")
        for rows in runner(joblib.delayed(_score_chunk)(t) for t in tasks):
            record(rows)
            bar.update(len(rows))


def _run_dask(chunks: list[list[str]], base: dict[str, Any], images: torch.Tensor, labels: torch.Tensor,
              scheduler: str | None, record: Any, bar: Any) -> None:
    """Score the chunks on a Dask cluster, recording each chunk as it completes.

    The cluster's client is used directly (rather than joblib's Dask backend, which silently runs
    tasks in this process when the cluster has a single worker thread)."""
    from dask.distributed import as_completed

    client = _dask_client(scheduler)
    futures: list[Any] = []
    try:
        img, lab = client.scatter([images, labels], broadcast=True)
        futures = [client.submit(_score_chunk, dict(base, cells=c), img, lab, pure=False) for c in chunks]
        for fut in as_completed(futures):
            rows = fut.result()
            record(rows)
            bar.update(len(rows))
    finally:
        if futures:
            client.cancel(futures)
        client.close()
