"""FP-NAS-style probabilistic search (after Yan et al., "FP-NAS: Fast Probabilistic Neural
Architecture Search", CVPR 2021), applied to the NAS-Bench-201 cell space as in the paper's
Table 2, with the DAG filter inside it.

Algorithm (one *iteration* = one update of the distribution; ``budget`` = iterations):

1. The architecture distribution ``p`` is factorized: one categorical over the 5 ops per edge,
   with logits ``theta`` (6 x 5, start uniform).
2. Draw ``K_t`` cells from ``p`` (adaptive sample size, below).
3. Each drawn cell gets one SGD step of the shared supernet weights on a training minibatch
   (single path: one op per edge) and its loss on a validation minibatch.
4. Policy gradient with a baseline: ``theta <- theta - lr * mean_k (L_k - b) grad log q(c_k)``,
   ``b`` an exponential moving average of the validation losses; ``q = p`` without a filter.
5. Stop after ``budget`` iterations, or earlier when the normalised entropy ``H / log 15625``
   of the sampling distribution falls below ``stop_entropy``. Return the most probable cell of
   ``q`` (within the window with a filter).

The DAG filter (``filter_rule``). The authors' code for FP-NAS + DAG is not public (their
repository, VITA-Group/architecture_convergence, holds TE-NAS and NAS-WOT only) and the paper's
Appendix A pseudocode is not in ``shared/papers``. Their stated method (§5.3) is "pre-select
architectures ... before we spend extra cost to evaluate them", and their NAS-WOT + DAG code
does it by *skipping* a drawn cell outside the window: it keeps its place in the budget, is
never built or scored, and is not replaced by another draw. ``"skip"`` (default) applies that
to FP-NAS:

* the ``K_t`` cells are drawn from ``p`` exactly as without a filter (same sample size rule,
  same stream of draws for the same seed);
* a drawn cell outside the window is skipped: no training step, no validation loss, no
  redraw (counted in ``result.skipped``);
* the update uses the accepted cells only. They are samples of ``p`` truncated to the window,
  ``q = p / p(window)``, so the gradient is taken of ``log q`` (exact, by enumerating the 15,625
  cells); an iteration whose draws are all rejected makes no update;
* ``K_t`` and the stopping entropy follow ``p``, the distribution that is sampled.

A draw rejected by the filter saves one training step, so the saving is the fraction of draws
outside the window (about 60 % at fraction 0.5 under the uniform start).

Our earlier rule redrew a rejected draw until one landed in the window (sampling from ``q``,
with ``K_t`` and the stopping entropy taken from ``q``), so every iteration still trained ``K_t``
cells and the saving came only from the smaller ``H(q)``. It lost accuracy against plain FP-NAS
(issue 14: 90.96 / 65.59 / 36.39 vs 92.78 / 68.97 / 41.99 on C10 / C100 / IN16, 3 seeds) and was
removed; ``filter_rule`` names the rule in the result's configuration.

Adaptive sample size (``sample_rule``). FP-NAS draws more architectures while the distribution
is flat and fewer as it concentrates. Our reading of the FP-NAS paper (Yan et al., CVPR 2021,
§3, "adaptive sampling"): the sample size is proportional to the distribution's entropy,
``K = lambda * H(P_alpha)`` - with a factorized distribution ``H`` is the sum of the per-edge
entropies. The paper's text could not be retrieved in this project's reference store (only its
abstract), so this is from memory of the published rule and should be checked against the
paper. We fix ``lambda = k_max / H_max`` (``H_max = 6 log 5``, the uniform start), so
``"entropy"`` (default) is::

    K_t = clip(ceil(k_max * H_t / H_max), k_min, k_max).

``lambda`` tied to ``k_max`` and the ``k_min`` floor are our choices (FP-NAS sets ``lambda`` by
hand). ``"perplexity"`` (our earlier rule, a named option) is
``K_t = clip(ceil(k_max * exp(H_t) / 15625), k_min, k_max)`` - proportional to the effective
number of cells, which shrinks exponentially faster than ``H``.

Sizes: ``size="cpu"`` (default) trains a 4-channel, 1-cell-per-stage supernet on a 2,000-image
subset of CIFAR-10 (train-minus-valid) with 500 validation images: minutes on a CPU.
``size="paper"`` uses the NAS-Bench-201 supernet (16 channels, 5 cells per stage), the whole
training half and validation half, batch 64, ``k_max = 16``.

Resuming: every ``checkpoint_every`` iterations (and at the end) the whole state (theta,
baseline, supernet weights, optimiser states, RNG states, counters, trajectory) is saved to
``<state_dir>/fpnas-<hash>.pt``; the same call resumes from it bit-for-bit on the same machine and
thread count (within float rounding elsewhere). The file holds only
tensors, plain containers, numbers and strings and is read with ``torch.load(...,
weights_only=True)``.
"""
from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from dagfilter.errors import ConfigError, SpaceError
from dagfilter.filter import DAGFilter
from dagfilter.supernet.runtime import check_positive, config_digest, mix_seed, resolve_state_dir

from .base import BUDGET_MODES, Evaluation, Searcher, SearchResult
from .benchmark import NB201Table, try_load_table
from .registry import register

SIZES: dict[str, dict[str, Any]] = {
    "cpu": dict(C=4, cells=1, batch=32, train_subset=2000, valid_subset=500, k_min=2, k_max=8),
    "paper": dict(C=16, cells=5, batch=64, train_subset=None, valid_subset=None, k_min=2, k_max=16),
}


# --------------------------------------------------------------------------- pure maths
def adaptive_sample_size(entropy: float, max_entropy: float, k_min: int, k_max: int) -> int:
    """``clip(ceil(k_max * exp(entropy - max_entropy)), k_min, k_max)``: proportional to the
    distribution's perplexity ``exp(H)`` (its effective number of cells) relative to the space
    size ``exp(max_entropy)`` (see the module docstring)."""
    return int(min(k_max, max(k_min, math.ceil(k_max * math.exp(min(entropy - max_entropy, 0.0)) - 1e-9))))


def entropy_sample_size(entropy: float, max_entropy: float, k_min: int, k_max: int) -> int:
    """FP-NAS's adaptive sample size ``K = lambda * H`` with ``lambda = k_max / max_entropy``,
    clipped to ``[k_min, k_max]`` (see the module docstring)."""
    if max_entropy <= 0:
        return int(k_max)
    return int(min(k_max, max(k_min, math.ceil(k_max * max(entropy, 0.0) / max_entropy - 1e-9))))


SAMPLE_RULES = {"entropy": entropy_sample_size, "perplexity": adaptive_sample_size}
FILTER_RULES = ("skip",)


def cell_log_probs(theta: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
    """``log p(cell)`` of every row of ``codes`` (``(n, E)`` op indices) under per-edge softmaxes of
    ``theta`` (``(E, O)``); differentiable in ``theta``."""
    logp = F.log_softmax(theta, dim=1)
    return logp[torch.arange(theta.shape[0])[None, :], codes].sum(dim=1)


def truncated_log_probs(theta: torch.Tensor, codes: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """``log q`` over the cells of ``codes``: the factorized distribution restricted to ``mask``
    (``-inf`` outside) and renormalised; ``mask=None`` = no restriction."""
    lp = cell_log_probs(theta, codes)
    if mask is None:
        return lp
    lp = lp.masked_fill(~mask, -math.inf)
    return lp - torch.logsumexp(lp, dim=0)


def entropy_of(log_q: torch.Tensor) -> float:
    """Entropy (nats) of a distribution given by its log-probabilities (``-inf`` entries ignored)."""
    finite = torch.isfinite(log_q)
    lq = log_q[finite]
    return float(-(lq.exp() * lq).sum())


# --------------------------------------------------------------------------- the searcher
@register("fpnas")
class FPNASSearcher(Searcher):
    """FP-NAS-style probabilistic search on NAS-Bench-201 (see the module docstring).

    Options:
        dataset, data_dir: training data (the ``train-minus-valid`` split trains the weights, the
            ``valid`` split gives the losses that update the distribution).
        size: ``"cpu"`` or ``"paper"``; C, cells, batch_size, train_subset, valid_subset, k_min,
            k_max override the preset.
        lr: SGD learning rate of the supernet weights (momentum 0.9, weight decay 3e-4).
        arch_lr: Adam learning rate of the distribution logits.
        baseline_decay: EMA factor of the loss baseline.
        stop_entropy: stop when ``H(q) / log 15625`` drops below it (0 = run all iterations).
        sample_rule: ``"entropy"`` (default, FP-NAS's ``K = lambda H``) or ``"perplexity"``.
        filter_rule: ``"skip"`` (the only rule: rejected draws are skipped, not replaced); see
            the module docstring.
        checkpoint_every: iterations between checkpoints.
        score_seed: mixed with the search seed into the data/initialisation seeds.
        state_dir, resume, cache: checkpointing (as for ``tenas``).
        table: NAS-Bench-201 table for accuracies (``False``: none). device: torch device.
        n_jobs, backend, scheduler: accepted for CLI compatibility (unused).
    """

    def __init__(self, dataset: str = "cifar10", data_dir: str | os.PathLike | None = None, size: str = "cpu",
                 C: int | None = None, cells: int | None = None, batch_size: int | None = None,
                 train_subset: int | None = None, valid_subset: int | None = None, k_min: int | None = None,
                 k_max: int | None = None, lr: float = 0.05, arch_lr: float = 0.1, baseline_decay: float = 0.9,
                 stop_entropy: float = 0.1, checkpoint_every: int = 10,
                 sample_rule: str = "entropy", filter_rule: str = "skip", score_seed: int = 0, state_dir: str | os.PathLike | None = None, resume: bool = True,
                 cache: Any = None, table: str | os.PathLike | bool | None = None, device: str = "cpu",
                 n_jobs: int = 1, backend: str = "loky", scheduler: str | None = None) -> None:
        from dagfilter.data import dataset_spec

        if size not in SIZES:
            raise ConfigError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
        self.dataset = dataset_spec(dataset).name
        self.num_classes = dataset_spec(dataset).num_classes
        self.data_dir, self.size = data_dir, size
        self.overrides = {k: v for k, v in dict(C=C, cells=cells, batch=batch_size, train_subset=train_subset,
                                                valid_subset=valid_subset, k_min=k_min, k_max=k_max).items()
                          if v is not None}
        for k, v in self.overrides.items():
            check_positive(k if k != "batch" else "batch_size", v, 2 if k == "batch" else 1)
        for name, v, ok, rule in (("lr", lr, lambda x: x > 0, "> 0"), ("arch_lr", arch_lr, lambda x: x > 0, "> 0"),
                                  ("baseline_decay", baseline_decay, lambda x: 0 <= x < 1, "in [0, 1)"),
                                  ("stop_entropy", stop_entropy, lambda x: 0 <= x < 1, "in [0, 1)")):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not ok(v):
                raise ConfigError(f"{name} must be a number {rule}, got {v!r}")
        self.lr, self.arch_lr, self.baseline_decay = float(lr), float(arch_lr), float(baseline_decay)
        self.stop_entropy = float(stop_entropy)
        if sample_rule not in SAMPLE_RULES:
            raise ConfigError(f"sample_rule must be one of {', '.join(SAMPLE_RULES)}, got {sample_rule!r}")
        if filter_rule not in FILTER_RULES:
            raise ConfigError(f"filter_rule must be one of {', '.join(FILTER_RULES)}, got {filter_rule!r}")
        self.sample_rule, self.filter_rule = sample_rule, filter_rule
        self.checkpoint_every = check_positive("checkpoint_every", checkpoint_every)
        self.score_seed = int(score_seed)
        self.state_dir = resolve_state_dir(state_dir, cache)
        self.resume, self.device = bool(resume), str(device)
        self._table: NB201Table | None = None if table is False else try_load_table(
            None if table in (None, True) else table)  # type: ignore[arg-type]

    def sizes(self) -> dict[str, Any]:
        """Effective sizes (preset + overrides)."""
        out = {**SIZES[self.size], **self.overrides}
        if out["k_min"] > out["k_max"]:
            raise ConfigError(f"k_min ({out['k_min']}) must not exceed k_max ({out['k_max']})")
        return out

    def options(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "data_dir": None if self.data_dir is None else str(self.data_dir),
                "size": self.size, "overrides": dict(self.overrides), "lr": self.lr, "arch_lr": self.arch_lr,
                "baseline_decay": self.baseline_decay, "stop_entropy": self.stop_entropy,
                "sample_rule": self.sample_rule, "filter_rule": self.filter_rule, "score_seed": self.score_seed, "device": self.device}

    def evaluate(self, archs: list[Any], space: Any, seed: int, progress: bool,
                 postfix: dict[str, Any]) -> list[Evaluation]:
        raise ConfigError("FP-NAS learns a distribution over cells; it does not score drawn cells (call search())")


    # ------------------------------------------------------------------ search
    def search(self, space: Any = "nb201", budget: int = 100, seed: int = 0, filter: DAGFilter | None = None,
               budget_mode: str = "drawn", progress: bool = True) -> SearchResult:
        """Run ``budget`` iterations (distribution updates) on NAS-Bench-201.

        Raises:
            ConfigError: bad budget, budget mode, filter, or a filter that accepts no cell.
            SpaceError: a space other than ``nb201``.
        """
        from tqdm.auto import tqdm

        from dagfilter import __version__
        from dagfilter.encodings.nb201 import NB201_OPS, index_codes

        name = getattr(space, "name", space)
        if name != "nb201":
            raise SpaceError(f"fpnas searches the NAS-Bench-201 space only, got {name!r}")
        check_positive("budget", budget)
        if budget_mode not in BUDGET_MODES:
            raise ConfigError(f"budget_mode must be one of {', '.join(BUDGET_MODES)}, got {budget_mode!r}")
        if filter is not None and not isinstance(filter, DAGFilter):
            raise ConfigError(f"filter must be a dagfilter.DAGFilter or None, got {type(filter).__name__}")
        sizes, seed = self.sizes(), int(seed)
        config = {"searcher": self.name, **self.options(), "sizes": sizes, "space": "nb201", "budget": int(budget),
                  "budget_mode": budget_mode, "seed": seed,
                  "filter": None if filter is None else filter.to_dict(), "version": __version__}
        path = self.state_dir / f"fpnas-{config_digest(config)}.pt"
        t_start = time.perf_counter()

        codes_np = index_codes().astype(np.int64)
        codes = torch.from_numpy(codes_np)
        t_f = time.perf_counter()
        mask_np = None if filter is None else np.asarray(filter.mask(np.arange(len(codes_np))), dtype=bool)
        filter_s = time.perf_counter() - t_f
        if mask_np is not None and not mask_np.any():
            raise ConfigError(f"the filter accepts no NAS-Bench-201 cell (centre {tuple(filter.center)}, "
                              f"radius {tuple(filter.radius)}, fraction {filter.fraction}): nothing to sample")
        mask = None if mask_np is None else torch.from_numpy(mask_np)
        h_ref = math.log(len(codes_np))
        ops = list(NB201_OPS)

        run_seed = mix_seed(seed, self.score_seed)
        train_x, train_y, valid_x, valid_y = self._data(sizes, run_seed)
        from dagfilter.supernet.nb201 import NB201Supernet

        torch.manual_seed(mix_seed(run_seed, 1))
        net = NB201Supernet(self.num_classes, sizes["C"], sizes["cells"], ops).to(self.device).train()
        opt = torch.optim.SGD(net.parameters(), lr=self.lr, momentum=0.9, weight_decay=3e-4)
        theta = torch.zeros(6, len(ops), requires_grad=True)
        arch_opt = torch.optim.Adam([theta], lr=self.arch_lr, betas=(0.5, 0.999))
        rng = np.random.default_rng(mix_seed(run_seed, 2))
        st: dict[str, Any] = {"iteration": 0, "baseline": None, "drawn": 0, "trained": 0, "rejected": 0,
                              "scoring_seconds": 0.0, "trajectory": [], "sample_sizes": [], "entropies": [],
                              "accepted_sizes": [], "empty_iterations": 0, "stopped": "budget"}
        restored = self._restore(path, config, net, opt, theta, arch_opt, rng, st)
        done_before = st["trained"]
        computed = 0.0
        bar = tqdm(total=int(budget), initial=st["iteration"], desc=f"fpnas{'+dag' if filter else ''} seed {seed}",
                   unit="it", disable=not progress, leave=False)
        try:
            while st["iteration"] < budget:
                with torch.no_grad():  # entropy of the distribution that is sampled (p, not q)
                    h = entropy_of(cell_log_probs(theta, codes))
                if h / h_ref < self.stop_entropy:
                    st["stopped"] = "entropy"
                    break
                k = SAMPLE_RULES[self.sample_rule](h, h_ref, sizes["k_min"], sizes["k_max"])
                t0 = time.perf_counter()
                probs = torch.softmax(theta.detach(), dim=1).numpy().astype(np.float64)
                drawn = self._draw_block(rng, probs, k, mask_np, st)
                cells, losses = [], []
                for cell in drawn:
                    loss = self._train_and_validate(net, opt, cell, ops, train_x, train_y, valid_x, valid_y,
                                                    sizes["batch"], rng)
                    cells.append(cell)
                    losses.append(loss)
                    st["trained"] += 1
                    st["trajectory"].append({"step": len(st["trajectory"]), "iteration": st["iteration"],
                                             "cell": _arch_str(cell, ops), "index": int(cell), "status": "evaluated",
                                             "score": -loss, "best_score": None, "best_cell": None})
                # policy-gradient update of theta (REINFORCE with an EMA baseline) from the trained cells
                mean_loss = float(np.mean(losses)) if losses else float("nan")
                if cells:
                    b = mean_loss if st["baseline"] is None else st["baseline"]
                    adv = torch.tensor([lo - b for lo in losses], dtype=torch.float32)
                    lq = truncated_log_probs(theta, codes, mask)[torch.tensor(cells)]
                    arch_opt.zero_grad()
                    (adv * lq).mean().backward()
                    arch_opt.step()
                    st["baseline"] = mean_loss if st["baseline"] is None else (
                        self.baseline_decay * st["baseline"] + (1 - self.baseline_decay) * mean_loss)
                else:  # every draw of this iteration fell outside the window: nothing trained, no update
                    st["empty_iterations"] += 1
                st["accepted_sizes"].append(len(cells))
                dt = time.perf_counter() - t0
                computed += dt
                st["scoring_seconds"] += dt
                st["sample_sizes"].append(k)
                st["entropies"].append(h)
                st["iteration"] += 1
                best = int(torch.argmax(truncated_log_probs(theta.detach(), codes, mask)))
                if st["trajectory"]:
                    st["trajectory"][-1].update(best_cell=_arch_str(best, ops))
                bar.update(1)
                bar.set_postfix(k=k, H=f"{h / h_ref:.2f}", rejected=st["rejected"], loss=f"{mean_loss:.3f}")
                if st["iteration"] % self.checkpoint_every == 0:
                    self._save(path, config, net, opt, theta, arch_opt, rng, st)
        finally:
            bar.close()
        self._save(path, config, net, opt, theta, arch_opt, rng, st)

        with torch.no_grad():
            log_q = truncated_log_probs(theta, codes, mask)
        best = int(torch.argmax(log_q))
        stats = {"iterations": st["iteration"], "training_steps": st["trained"], "rejected": st["rejected"],
                 "sample_sizes": st["sample_sizes"], "accepted_sizes": st["accepted_sizes"],
                 "empty_iterations": st["empty_iterations"], "entropies": st["entropies"], "stopped": st["stopped"],
                 "max_entropy": h_ref, "final_entropy": entropy_of(log_q),
                 "op_probs": {f"e{k}": dict(zip(ops, map(float, row)))
                              for k, row in enumerate(torch.softmax(theta.detach(), 1).numpy())},
                 "state_file": str(path), "resumed": restored}
        config["stats"] = stats
        config["budget_unit"] = "iterations"  # each iteration draws K_t cells: 'drawn' counts cells, not iterations
        return SearchResult(
            searcher=self.name, config=config, chosen_cell=_arch_str(best, ops), chosen_index=best,
            score=float(log_q[best]), drawn=st["drawn"], evaluated=st["trained"], skipped=st["rejected"],
            cached=done_before, scoring_seconds=st["scoring_seconds"], computed_seconds=computed,
            wall_seconds=time.perf_counter() - t_start, filter_seconds=filter_s, trajectory=st["trajectory"],
            accuracies=self.benchmark_accuracies(best), version=__version__)

    # ------------------------------------------------------------------ pieces
    def _data(self, sizes: dict[str, Any], seed: int) -> tuple[torch.Tensor, ...]:
        from dagfilter.data import build_dataset

        out = []
        for split, n in (("train-minus-valid", sizes["train_subset"]), ("valid", sizes["valid_subset"])):
            ds = build_dataset(self.dataset, self.data_dir, split, augment=False, subset=n, seed=mix_seed(seed, 3))
            items = [ds[i] for i in range(len(ds))]
            if len(items) < sizes["batch"]:
                raise ConfigError(f"{split} has {len(items)} images, fewer than the batch size {sizes['batch']}")
            out.append(torch.stack([x for x, _ in items]).to(self.device))
            out.append(torch.tensor([y for _, y in items], dtype=torch.int64, device=self.device))
        return tuple(out)

    @staticmethod
    def _draw_block(rng: np.random.Generator, probs: np.ndarray, k: int, mask: np.ndarray | None,
                    st: dict[str, Any]) -> list[int]:
        """``k`` cell indices drawn from the factorized distribution; those outside the window are
        recorded as skipped (never trained, not replaced) and left out of the returned list."""
        from dagfilter.encodings.nb201 import index_of_codes

        cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
        u = rng.random((k, probs.shape[0]))
        rows = np.minimum((u[:, :, None] > cum[None, :, :]).sum(axis=2), probs.shape[1] - 1)
        kept = []
        for idx in np.asarray(index_of_codes(rows)).reshape(-1).tolist():
            st["drawn"] += 1
            if mask is None or mask[idx]:
                kept.append(int(idx))
                continue
            st["rejected"] += 1
            st["trajectory"].append({"step": len(st["trajectory"]), "iteration": st["iteration"],
                                     "cell": None, "index": int(idx), "status": "skipped", "score": None,
                                     "best_score": None, "best_cell": None})
        return kept

    def _train_and_validate(self, net: torch.nn.Module, opt: torch.optim.Optimizer, cell: int, ops: list[str],
                            tx: torch.Tensor, ty: torch.Tensor, vx: torch.Tensor, vy: torch.Tensor, batch: int,
                            rng: np.random.Generator) -> float:
        """One SGD step of the single path ``cell`` on a training minibatch; its validation loss."""
        from dagfilter.encodings.nb201 import index_codes

        path = tuple((ops[int(c)],) for c in index_codes()[cell])
        net.set_arch(path)  # type: ignore[operator]
        ti = torch.from_numpy(rng.choice(len(tx), size=batch, replace=False)).to(tx.device)
        vi = torch.from_numpy(rng.choice(len(vx), size=batch, replace=False)).to(vx.device)
        net.train()
        opt.zero_grad()
        loss = F.cross_entropy(net(tx[ti]), ty[ti])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
        with torch.no_grad():
            vloss = F.cross_entropy(net(vx[vi]), vy[vi])
        return float(vloss)

    # ------------------------------------------------------------------ checkpoint
    @staticmethod
    def _save(path: Any, config: dict[str, Any], net: Any, opt: Any, theta: torch.Tensor, arch_opt: Any,
              rng: np.random.Generator, st: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".pt.tmp")
        torch.save({"digest": config_digest(config), "net": net.state_dict(), "opt": opt.state_dict(),
                    "theta": theta.detach().clone(), "arch_opt": arch_opt.state_dict(),
                    "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "state": st}, tmp)
        os.replace(tmp, path)

    def _restore(self, path: Any, config: dict[str, Any], net: Any, opt: Any, theta: torch.Tensor, arch_opt: Any,
                 rng: np.random.Generator, st: dict[str, Any]) -> bool:
        if not (self.resume and path.is_file()):
            return False
        try:
            ck = torch.load(path, map_location=self.device, weights_only=True)
        except Exception:  # a torn or foreign file: start afresh
            return False
        if ck.get("digest") != config_digest(config):
            return False
        net.load_state_dict(ck["net"])
        opt.load_state_dict(ck["opt"])
        with torch.no_grad():
            theta.copy_(ck["theta"])
        arch_opt.load_state_dict(ck["arch_opt"])
        rng.bit_generator.state = ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
        st.update(ck["state"])
        return True


def _arch_str(index: int, ops: list[str]) -> str:
    from dagfilter.cell import Cell

    return Cell.from_nb201_index(int(index)).to_nb201_str()
