"""The report's figures: pure functions returning :class:`matplotlib.figure.Figure` objects.

Figures are built on ``matplotlib.figure.Figure`` directly (no ``pyplot`` state), so they are
safe to build in a loop and render with the Agg backend anywhere (no display needed).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..errors import ConfigError

D_LABEL = r"effective depth $\bar{d}$ (parameterized ops per path)"
M_LABEL = r"effective width $\bar{m}$ (parameterized paths / $\bar{d}$)"
UNREACHABLE_COLOR = "#d6e6f5"
WINDOW_COLOR = "#1a9850"


def _colormap() -> ListedColormap:
    """``inferno`` without its black bottom and palest top (dots stay visible on white); values
    below the scale are black."""
    from matplotlib import colormaps

    base = colormaps["inferno"]
    return ListedColormap(base(np.linspace(0.12, 0.88, 256)), name="inferno_trunc").with_extremes(under="black")


@dataclass(frozen=True)
class WindowStats:
    """What the filter window keeps, shown in Figure 5's legend."""

    window: tuple[tuple[float, float], tuple[float, float]]
    fraction: float
    kept_share: float
    top1pct_kept: int
    top1pct: int
    top10_kept: int
    top10: int = 10


MAX_AREA = 1600.0


def marker_areas(variance: np.ndarray, reference: float) -> np.ndarray:
    """Marker area (pt^2) for each dot: proportional to the accuracy variance of its cells
    (``18 + 420 * var / reference``), capped at 1,600 pt^2 so one outlier cannot hide the plot."""
    ref = reference if reference > 0 else 1.0
    return np.minimum(18.0 + 420.0 * np.asarray(variance, dtype=float) / ref, MAX_AREA)


def colour_floor(groups: pd.DataFrame) -> tuple[float, bool]:
    """Lower end of the colour scale: the lowest mean among dots with d_bar > 0.

    The degenerate dot (d_bar, m_bar) = (0, 0) pools every cell without a parameterized path
    (including disconnected ones at chance accuracy); letting it set the scale would squeeze all
    other dots into one colour, so it is drawn below the scale (black) instead. Returns
    ``(vmin, clipped)``.
    """
    means = groups["mean"].to_numpy(float)
    pos = groups["d_bar"].to_numpy(float) > 0
    if pos.any() and means[pos].min() > means.min():
        return float(means[pos].min()), True
    return float(means.min()), False


def _nice(x: float) -> float:
    if x <= 0:
        return 0.0
    e = np.floor(np.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10 ** e >= x * 0.999:
            return float(m * 10 ** e)
    return float(10 ** (e + 1))


def figure5(groups: pd.DataFrame, envelope: tuple[np.ndarray, np.ndarray], r: float, n_cells: int,
            title: str, accuracy_label: str = "test accuracy", window: WindowStats | None = None,
            reference_extent: tuple[tuple[float, float], tuple[float, float]] | None = None) -> Figure:
    """The paper's Figure 5 for one data set: one dot per distinct (d_bar, m_bar).

    Args:
        groups: :func:`~.stats.dm_groups` output (``d_bar, m_bar, n, mean, var``).
        envelope: upper boundary of the reachable region (:func:`~.stats.upper_envelope`);
            the plane above it, and left/right of its ends, is shaded as unreachable.
        r: multiple correlation R of accuracy with (d_bar, m_bar), shown in the legend.
        n_cells: how many cells R was computed over (legend).
        title: axes title.
        accuracy_label: what the colour is (e.g. ``"test accuracy"``).
        window: the filter window and what it keeps (drawn and listed when given).
        reference_extent: ``((d_min, d_max), (m_min, m_max))`` of all reference cells, used
            for the axis limits (defaults to the dots' extent).

    Colour = mean accuracy of the dot's cells; marker area proportional to their accuracy
    variance (:func:`marker_areas`).
    """
    if groups.empty:
        raise ConfigError(f"figure5 {title!r}: no cells to plot")
    fig = Figure(figsize=(7.4, 6.6), layout="constrained")
    ax = fig.add_subplot()
    ex, ey = np.asarray(envelope[0], float), np.asarray(envelope[1], float)
    if reference_extent is None:
        reference_extent = ((float(groups.d_bar.min()), float(groups.d_bar.max())),
                            (float(groups.m_bar.min()), float(groups.m_bar.max())))
    (dx0, dx1), (my0, my1) = reference_extent
    if window is not None:
        (wd0, wd1), (wm0, wm1) = window.window
        dx0, dx1, my0, my1 = min(dx0, wd0), max(dx1, wd1), min(my0, wm0), max(my1, wm1)
    padx = 0.06 * max(dx1 - dx0, 1e-6)
    pady = 0.08 * max(my1 - my0, 1e-6)
    xlim = (min(dx0, 0.0) - padx, dx1 + padx)
    ylim = (min(my0, 0.0) - pady, my1 + 1.5 * pady)
    # unreachable region: above the upper envelope and beyond its two ends
    ax.fill_between(ex, ey, ylim[1], color=UNREACHABLE_COLOR, lw=0, zorder=0)
    ax.axvspan(xlim[0], ex[0], color=UNREACHABLE_COLOR, lw=0, zorder=0) if ex[0] > xlim[0] + 1e-12 else None
    ax.axvspan(ex[-1], xlim[1], color=UNREACHABLE_COLOR, lw=0, zorder=0)
    ax.plot(ex, ey, color="#6b9ac4", lw=1.0, zorder=1)
    var = groups["var"].to_numpy(float)
    ref = float(np.quantile(var, 0.9)) if len(var) else 1.0
    sizes = marker_areas(var, ref)
    means = groups["mean"].to_numpy(float)
    vmin, clipped = colour_floor(groups)
    sc = ax.scatter(groups.d_bar, groups.m_bar, c=means, s=sizes, cmap=_colormap(), alpha=0.9, vmin=vmin,
                    vmax=float(means.max()), edgecolors="#333333", linewidths=0.6, zorder=3)
    cb = fig.colorbar(sc, ax=ax, pad=0.01, extend="min" if clipped else "neither")
    cb.set_label(f"mean {accuracy_label} of the dot's cells (%)")
    handles: list = [Patch(facecolor=UNREACHABLE_COLOR, edgecolor="#6b9ac4",
                           label="no cell of the space reaches this region")]
    if window is not None:
        (wd0, wd1), (wm0, wm1) = window.window
        ax.add_patch(Rectangle((wd0, wm0), wd1 - wd0, wm1 - wm0, fill=False, ec=WINDOW_COLOR, lw=2.0, ls="--",
                               zorder=4))
        frac = {1.0: "1", 0.75: "3/4", 0.5: "1/2", 0.25: "1/4"}.get(float(window.fraction), f"{window.fraction:g}")
        handles.append(Line2D([], [], color=WINDOW_COLOR, lw=2.0, ls="--",
                              label=f"filter window (fraction {frac}): keeps {100 * window.kept_share:.1f}% of cells,\n"
                                    f"{window.top1pct_kept}/{window.top1pct} of the top-1%, "
                                    f"{window.top10_kept}/{window.top10} of the top-10"))
    handles.append(Line2D([], [], ls="", label=f"R = {r:.3f}  (accuracy ~ $\\bar{{d}}$ + $\\bar{{m}}$, "
                                                f"{n_cells:,} cells)"))
    multi = var[groups["n"].to_numpy() > 1] if "n" in groups else var
    for v in sorted({_nice(q) for q in (np.quantile(multi, [0.5, 0.9]) if multi.size else []) if q > 0}):
        handles.append(Line2D([], [], ls="", marker="o", markerfacecolor="none", markeredgecolor="#333333",
                              markersize=float(np.sqrt(marker_areas(np.array([v]), ref)[0])),
                              label=f"accuracy variance {v:.2g} %²"))
    if (sizes >= MAX_AREA).any():
        handles.append(Line2D([], [], ls="", label=f"largest variance {var.max():.0f} %²: drawn at the capped size"))
    if clipped:
        handles.append(Patch(facecolor="black", label=f"below the colour bar (< {vmin:.1f}%): cells without\na parameterized path, (d̄, m̄) = (0, 0)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8, frameon=False, labelspacing=1.5,
               handletextpad=1.4, handlelength=2.6, columnspacing=1.5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(D_LABEL)
    ax.set_ylabel(M_LABEL)
    ax.set_title(title, fontsize=11)
    ax.grid(True, color="#dddddd", lw=0.5, zorder=-1)
    return fig


def correlation_figure(table: pd.DataFrame, title: str, dataset_labels: dict[str, str] | None = None) -> Figure:
    """Heat map of Spearman's rho (metrics x data sets) from :func:`~.tables.correlation_table`,
    each cell annotated with rho, Kendall's tau and the number of cells n; a cell with fewer than
    :data:`~.stats.MIN_CORRELATION_N` cells is grey and shows only its n."""
    from .stats import MIN_CORRELATION_N

    metrics = list(dict.fromkeys(table["metric"]))
    datasets = list(dict.fromkeys(table["dataset"]))
    rho = np.full((len(metrics), len(datasets)), np.nan)
    tau = np.full_like(rho, np.nan)
    count = np.zeros(rho.shape, dtype=np.int64)
    for _, row in table.iterrows():
        i, j = metrics.index(row["metric"]), datasets.index(row["dataset"])
        rho[i, j], tau[i, j] = row["spearman"], row["kendall"]
        count[i, j] = int(row["n"]) if "n" in row and row["n"] == row["n"] else 0
    fig = Figure(figsize=(max(6.0, 2.6 + 1.7 * len(datasets)), 1.2 + 0.5 * len(metrics)), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(np.where(np.isfinite(rho), np.nan, 0.0), cmap="Greys", vmin=0, vmax=4, aspect="auto")  # grey: no rho
    im = ax.imshow(np.ma.masked_invalid(rho), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    for i in range(len(metrics)):
        for j in range(len(datasets)):
            n = count[i, j]
            if np.isfinite(rho[i, j]):
                text = f"ρ {rho[i, j]:.2f}  τ {tau[i, j]:.2f}\nn {n:,}"
            else:
                text = f"n {n:,} < {MIN_CORRELATION_N}" if n < MIN_CORRELATION_N else f"n/a (n {n:,})"
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5,
                    color="white" if np.isfinite(rho[i, j]) and abs(rho[i, j]) > 0.6 else "black")
    labels = dataset_labels or {}
    ax.set_xticks(range(len(datasets)), [labels.get(d, d) for d in datasets])
    ax.set_yticks(range(len(metrics)), metrics)
    cb = fig.colorbar(im, ax=ax, pad=0.02)
    cb.set_label("Spearman ρ with accuracy")
    ax.set_title(title, fontsize=10)
    return fig


def sweep_figure(rows: pd.DataFrame, datasets: Sequence[str], title: str,
                 dataset_labels: dict[str, str] | None = None) -> Figure:
    """Kept share and mean accuracy of kept cells against the window fraction
    (from :func:`~.tables.sweep_table`; the "no filter" row is drawn at fraction = inf as a
    dotted reference line)."""
    labels = dataset_labels or {}
    fr = rows[np.isfinite(rows["fraction"])].sort_values("fraction")
    base = rows[~np.isfinite(rows["fraction"])]
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    a1, a2 = fig.subplots(1, 2)
    a1.plot(fr["fraction"], 100 * fr["kept_share"], "o-", color=WINDOW_COLOR)
    a1.set_xlabel("window fraction of the radius")
    a1.set_ylabel("cells kept (% of the space)")
    a1.set_ylim(0, 105)
    a1.grid(True, color="#dddddd", lw=0.5)
    for ds in datasets:
        line = a2.plot(fr["fraction"], fr[f"{ds}:mean_kept"], "o-", label=labels.get(ds, ds))[0]
        if len(base):
            a2.axhline(float(base[f"{ds}:mean_kept"].iloc[0]), color=line.get_color(), ls=":", lw=1)
    a2.set_xlabel("window fraction of the radius")
    a2.set_ylabel("mean accuracy of kept cells (%)")
    a2.grid(True, color="#dddddd", lw=0.5)
    a2.legend(fontsize=8, title="dotted: no filter", title_fontsize=8)
    for a in (a1, a2):
        a.set_xticks([0.25, 0.5, 0.75, 1.0], ["1/4", "1/2", "3/4", "1"])
    fig.suptitle(title, fontsize=10)
    return fig


FORMATS = ("png", "svg", "pdf")


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 130) -> bytes:
    """Render a figure to bytes (``png``, ``svg`` or ``pdf``)."""
    if fmt not in FORMATS:
        raise ConfigError(f"figure format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path, dpi: int = 130,
                notify: "Callable[[str], None] | None" = None) -> Path:
    """Save a figure; the format follows the suffix (``.png``, ``.svg``, ``.pdf``). Written through
    a temporary file and a rename (:func:`dagfilter.outfiles.write_output`): a symbolic link at
    ``path`` is replaced, not followed; ``notify`` hears when an existing file is replaced."""
    from ..outfiles import write_output

    p = Path(path)
    fmt = p.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ConfigError(f"cannot save a figure as {p.name!r}: use a .png, .svg or .pdf file name")
    return write_output(p, figure_bytes(fig, fmt, dpi), "figure file", notify=notify)


__all__ = ["figure5", "correlation_figure", "sweep_figure", "WindowStats", "marker_areas", "figure_bytes",
           "save_figure", "D_LABEL", "M_LABEL", "FORMATS"]
