"""The report's tables as pandas DataFrames (pure functions of :class:`~.data.SpaceData`).

Each ``*_table`` returns numbers (written to CSV); :func:`format_table` turns a numeric table
into display strings (HTML / Markdown), and :func:`to_markdown` renders any frame as a
GitHub-flavoured Markdown table.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .data import SpaceData, dataset_label
from .stats import mean_std, multiple_correlation, rank_correlations, simulate_proxy_search, top_fraction_count, \
    top_k_mask

#: Window fractions of the paper's Table 3 (``None`` = no filter at all).
SWEEP_FRACTIONS: tuple[float | None, ...] = (None, 1.0, 0.75, 0.5, 0.25)


def subset_label(sd: SpaceData, param_edges: int | None) -> str:
    """Human name of a cell subset (``"all cells"`` or ``"3 of 6 parameterized edges"``)."""
    if param_edges is None:
        return "all cells"
    total = f" of {sd.total_edges}" if sd.total_edges else ""
    return f"{param_edges}{total} parameterized edges"


def window_table(sd: SpaceData, subsets: Sequence[int | None] = (None,)) -> pd.DataFrame:
    """What the filter window keeps, per cell subset and data set (the numbers in Figure 5's legends).

    Columns: ``subset, dataset, cells, dots, R, kept, kept_share, top1pct, top1pct_kept,
    top10_kept, mean_acc, mean_acc_kept, best_acc, best_acc_kept``. ``R`` is the multiple
    correlation of accuracy with (d_bar, m_bar) over the subset's cells; ``top1pct`` is
    ``ceil(1% of cells)``; top sets are by the data set's accuracy within the subset.
    """
    rows = []
    keep_all = sd.keep()
    for sub in subsets:
        mask = sd.subset_mask(sub)
        d, m, keep = sd.d_bar[mask], sd.m_bar[mask], keep_all[mask]
        for ds, acc_all in sd.accuracy.items():
            acc = acc_all[mask]
            n = int(np.isfinite(acc).sum())
            k1 = top_fraction_count(n, 0.01)
            top1 = top_k_mask(acc, k1)
            top10 = top_k_mask(acc, min(10, n))
            dots = len({(round(a, 9), round(b, 9)) for a, b in zip(d.tolist(), m.tolist())})
            kept_acc = acc[keep & np.isfinite(acc)]
            rows.append({
                "subset": subset_label(sd, sub), "dataset": ds, "cells": int(mask.sum()), "dots": dots,
                "R": multiple_correlation(acc, d, m), "kept": int(keep.sum()),
                "kept_share": float(keep.mean()) if keep.size else float("nan"),
                "top1pct": k1, "top1pct_kept": int((top1 & keep).sum()), "top10_kept": int((top10 & keep).sum()),
                "mean_acc": float(np.nanmean(acc)), "mean_acc_kept": float(kept_acc.mean()) if kept_acc.size else np.nan,
                "best_acc": float(np.nanmax(acc)), "best_acc_kept": float(kept_acc.max()) if kept_acc.size else np.nan,
            })
    return pd.DataFrame(rows)


def sweep_table(sd: SpaceData, fractions: Sequence[float | None] = SWEEP_FRACTIONS) -> pd.DataFrame:
    """Table 3, benchmark part: for each window fraction, the window and what it keeps.

    Columns: ``fraction`` (NaN = no filter), ``d_lo, d_hi, m_lo, m_hi, kept, kept_share`` and per
    data set ``<ds>:mean_kept``, ``<ds>:max_kept``, ``<ds>:top1pct_kept`` (of ``ceil(1%)`` best).
    """
    rows = []
    n = len(sd)
    for f in fractions:
        keep = np.ones(n, dtype=bool) if f is None else sd.keep(f)
        row: dict[str, Any] = {"fraction": np.nan if f is None else float(f)}
        if f is None:
            row.update(d_lo=np.nan, d_hi=np.nan, m_lo=np.nan, m_hi=np.nan)
        else:
            (d0, d1), (m0, m1) = sd.filter.with_fraction(f).window
            row.update(d_lo=d0, d_hi=d1, m_lo=m0, m_hi=m1)
        row.update(kept=int(keep.sum()), kept_share=float(keep.mean()))
        for ds, acc in sd.accuracy.items():
            k = acc[keep & np.isfinite(acc)]
            top1 = top_k_mask(acc, top_fraction_count(int(np.isfinite(acc).sum()), 0.01))
            row[f"{ds}:mean_kept"] = float(k.mean()) if k.size else np.nan
            row[f"{ds}:max_kept"] = float(k.max()) if k.size else np.nan
            row[f"{ds}:top1pct_kept"] = int((top1 & keep).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def proxy_sweep_table(sd: SpaceData, proxy: str, fractions: Sequence[float | None] = SWEEP_FRACTIONS,
                      budget: int = 100, seeds: Sequence[int] = tuple(range(20))) -> pd.DataFrame:
    """Table 3, search part: a simulated proxy search (see :func:`~.stats.simulate_proxy_search`)
    with ``budget`` draws per seed, restricted to the cells that have a ``proxy`` score.

    Columns: ``fraction`` (NaN = no filter), ``pool`` (scored cells), ``runs``, ``empty_runs``
    (no drawn cell accepted), ``evaluated_mean``, ``evaluated_std`` and per data set
    ``<ds>:mean``, ``<ds>:std`` of the chosen cells' accuracy (population std over seeds).
    """
    score = sd.proxies[proxy]
    rows = []
    for f in fractions:
        keep = np.ones(len(sd), dtype=bool) if f is None else sd.keep(f)
        chosen, evaluated = simulate_proxy_search(score, keep, budget, seeds)
        ok = chosen >= 0
        row: dict[str, Any] = {"fraction": np.nan if f is None else float(f), "pool": int((~np.isnan(score)).sum()),
                               "runs": len(chosen), "empty_runs": int((~ok).sum()),
                               "evaluated_mean": float(evaluated.mean()), "evaluated_std": float(evaluated.std())}
        for ds, acc in sd.accuracy.items():
            mu, sdv, _ = mean_std(acc[chosen[ok]])
            row[f"{ds}:mean"], row[f"{ds}:std"] = mu, sdv
        rows.append(row)
    return pd.DataFrame(rows)


def correlation_table(sd: SpaceData) -> pd.DataFrame:
    """Spearman / Kendall rank correlation of every metric with every data set's accuracy.

    Metrics: d_bar, m_bar, NN-Mass, parameters and FLOPs (of that data set's network) and each
    proxy score. Columns: ``dataset, metric, n, spearman, kendall``.
    """
    frames = []
    for ds, acc in sd.accuracy.items():
        metrics: dict[str, np.ndarray] = {"d_bar": sd.d_bar, "m_bar": sd.m_bar, "NN-Mass": sd.nn_mass}
        if ds in sd.params:
            metrics["params (M)"] = sd.params[ds]
        if ds in sd.flops:
            metrics["FLOPs (M)"] = sd.flops[ds]
        metrics.update(sd.proxies)
        frame = rank_correlations(metrics, acc)
        frame.insert(0, "dataset", ds)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- display
def fmt_num(x: Any, digits: int = 2) -> str:
    """A number for display ("-" for NaN / None)."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "-"
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    return f"{float(x):.{digits}f}"


def fmt_pm(mean: float, std: float, digits: int = 2) -> str:
    """``"mean ± std"`` ("-" when the mean is NaN)."""
    if mean is None or not np.isfinite(mean):
        return "-"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def fmt_fraction(f: float) -> str:
    """Window fraction as the paper writes it (``1``, ``3/4``, ``1/2``, ``1/4``), or "no filter"."""
    if f is None or not np.isfinite(f):
        return "no filter"
    names = {1.0: "1", 0.75: "3/4", 0.5: "1/2", 0.25: "1/4"}
    return names.get(float(f), f"{f:g}")


def format_window_table(t: pd.DataFrame) -> pd.DataFrame:
    """Display form of :func:`window_table`."""
    return pd.DataFrame({
        "cells": t["subset"], "data set": [dataset_label(d) for d in t["dataset"]], "n": t["cells"].map(fmt_num),
        "dots": t["dots"].map(fmt_num), "R": t["R"].map(lambda v: fmt_num(v, 3)),
        "kept": [f"{k:,} ({100 * s:.1f}%)" for k, s in zip(t["kept"], t["kept_share"])],
        "top-1% kept": [f"{a} / {b}" for a, b in zip(t["top1pct_kept"], t["top1pct"])],
        "top-10 kept": [f"{a} / 10" for a in t["top10_kept"]],
        "mean acc. all / kept (%)": [f"{fmt_num(a)} / {fmt_num(b)}" for a, b in zip(t["mean_acc"], t["mean_acc_kept"])],
        "best acc. all / kept (%)": [f"{fmt_num(a)} / {fmt_num(b)}" for a, b in zip(t["best_acc"], t["best_acc_kept"])],
    })


def format_sweep_table(t: pd.DataFrame, datasets: Sequence[str]) -> pd.DataFrame:
    """Display form of :func:`sweep_table`."""
    out = pd.DataFrame({
        "window fraction": t["fraction"].map(fmt_fraction),
        "d_bar range": [("-" if not np.isfinite(a) else f"[{a:.2f}, {b:.2f}]") for a, b in zip(t["d_lo"], t["d_hi"])],
        "m_bar range": [("-" if not np.isfinite(a) else f"[{a:.2f}, {b:.2f}]") for a, b in zip(t["m_lo"], t["m_hi"])],
        "kept": [f"{k:,} ({100 * s:.1f}%)" for k, s in zip(t["kept"], t["kept_share"])],
    })
    for ds in datasets:
        out[f"{dataset_label(ds)} mean / max kept (%)"] = [
            f"{fmt_num(a)} / {fmt_num(b)}" for a, b in zip(t[f"{ds}:mean_kept"], t[f"{ds}:max_kept"])]
        out[f"{dataset_label(ds)} top-1% kept"] = t[f"{ds}:top1pct_kept"].map(fmt_num)
    return out


def format_proxy_sweep_table(t: pd.DataFrame, datasets: Sequence[str]) -> pd.DataFrame:
    """Display form of :func:`proxy_sweep_table`."""
    out = pd.DataFrame({"window fraction": t["fraction"].map(fmt_fraction),
                        "evaluated per search": [fmt_pm(a, b, 1) for a, b in zip(t["evaluated_mean"], t["evaluated_std"])],
                        "runs (empty)": [f"{r} ({e})" for r, e in zip(t["runs"], t["empty_runs"])]})
    for ds in datasets:
        out[f"{dataset_label(ds)} (%)"] = [fmt_pm(a, b) for a, b in zip(t[f"{ds}:mean"], t[f"{ds}:std"])]
    return out


def format_correlation_table(t: pd.DataFrame) -> pd.DataFrame:
    """Display form of :func:`correlation_table`: one row per metric, Spearman / Kendall per data set."""
    out = pd.DataFrame({"metric": list(dict.fromkeys(t["metric"]))})
    for ds in dict.fromkeys(t["dataset"]):
        part = t[t["dataset"] == ds].set_index("metric")
        out[f"{dataset_label(ds)} Spearman ρ / Kendall τ"] = [
            (f"{fmt_num(part.loc[mt, 'spearman'], 3)} / {fmt_num(part.loc[mt, 'kendall'], 3)}"
             if mt in part.index else "-") for mt in out["metric"]]
        out[f"{dataset_label(ds)} n"] = [fmt_num(part.loc[mt, "n"]) if mt in part.index else "-" for mt in out["metric"]]
    return out


def to_markdown(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of ``frame`` (cells rendered with ``str``; ``|`` escaped)."""
    def cell(v: Any) -> str:
        text = fmt_num(v, 4) if isinstance(v, (float, np.floating)) else str(v)
        return text.replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body]) + "\n"


__all__ = ["SWEEP_FRACTIONS", "window_table", "sweep_table", "proxy_sweep_table", "correlation_table",
           "subset_label", "format_window_table", "format_sweep_table", "format_proxy_sweep_table",
           "format_correlation_table", "fmt_num", "fmt_pm", "fmt_fraction", "to_markdown"]
