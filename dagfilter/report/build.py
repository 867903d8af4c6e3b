"""Build the whole report: ``build_report(out_dir, spaces=("nb201",))``.

Writes into ``out_dir``:

* ``index.html`` - self-contained page (figures embedded, opens from disk);
* ``figures/<name>.png`` and ``.svg`` (``formats``) - every figure;
* ``tables/<name>.csv`` (numbers) and ``tables/<name>.md`` (as displayed) - every table;
* ``summary.json`` - the headline numbers (R, kept shares, top-k kept) and settings.

What is computed is documented on the page itself; see also :mod:`dagfilter.report`.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError
from . import figures as F
from . import tables as T
from .data import SpaceData, dataset_label, load_space_data
from .html import FigureItem, Grid, Section, TableItem, render_html
from .stats import MIN_CORRELATION_N, dm_groups, multiple_correlation, top_fraction_count, top_k_mask, upper_envelope


@dataclass
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes:
        out_dir: the report folder; ``html``: its ``index.html``.
        figures: figure name -> {format: path}.
        tables: table name -> numeric DataFrame (as written to CSV).
        summary: the content of ``summary.json``.
        seconds: wall time of the build.
    """

    out_dir: Path
    html: Path
    figures: dict[str, dict[str, Path]] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")


class _Writer:
    """Writes figures and tables under the report folder and remembers them."""

    def __init__(self, out: Path, formats: Sequence[str], dpi: int) -> None:
        self.out, self.formats, self.dpi = out, tuple(formats), dpi
        (out / "figures").mkdir(parents=True, exist_ok=True)
        (out / "tables").mkdir(parents=True, exist_ok=True)
        self.result = ReportResult(out, out / "index.html")

    def figure(self, name: str, fig: Any, caption: str) -> FigureItem:
        paths: dict[str, Path] = {}
        png = F.figure_bytes(fig, "png", self.dpi)
        fig.set_layout_engine("none")  # keep the layout the PNG render computed; other formats reuse it
        for fmt in self.formats:
            p = self.out / "figures" / f"{name}.{fmt}"
            p.write_bytes(png if fmt == "png" else F.figure_bytes(fig, fmt, self.dpi))
            paths[fmt] = p
        self.result.figures[name] = paths
        return FigureItem(name, png, caption, tuple(f"figures/{name}.{fmt}" for fmt in self.formats))

    def table(self, name: str, numeric: pd.DataFrame, display: pd.DataFrame, caption: str) -> TableItem:
        numeric.to_csv(self.out / "tables" / f"{name}.csv", index=False)
        (self.out / "tables" / f"{name}.md").write_text(f"{caption}\n\n{T.to_markdown(display)}")
        self.result.tables[name] = numeric
        return TableItem(name, display, caption, (f"tables/{name}.csv", f"tables/{name}.md"))


def _frac(f: float) -> str:
    return T.fmt_fraction(f)


def _figure5_section(sd: SpaceData, w: _Writer, summary: dict[str, Any]) -> Section:
    env = upper_envelope(*sd.reference)
    extent = ((float(np.min(sd.reference[0])), float(np.max(sd.reference[0]))),
              (float(np.min(sd.reference[1])), float(np.max(sd.reference[1]))))
    subsets: list[int | None] = [None] + ([sd.subset_edges] if sd.subset_edges is not None else [])
    keep = sd.keep()
    (d0, d1), (m0, m1) = sd.filter.window
    blocks: list[Any] = [
        f"One dot per distinct (d̄, m̄) pair of the cells. Colour: mean accuracy of the cells sharing the pair "
        f"(black, below the colour bar: the (0, 0) pair of cells without any parameterized input-output path). "
        f"Dot area: proportional to the variance of their accuracies (%²; capped for the largest). "
        f"Shaded: the part of the plane no cell of the space reaches - above the upper boundary of the convex hull "
        f"of the (d̄, m̄) points of {sd.reference_desc}, and left/right of that boundary's ends. "
        f"R is the multiple correlation between accuracy and (d̄, m̄): the square root of the R² of the "
        f"least-squares fit accuracy ≈ a + b·d̄ + c·m̄ over individual cells (not over dots). "
        f"The dashed green box is the filter window (fraction {_frac(sd.filter.fraction)}: d̄ in [{d0:.3f}, {d1:.3f}], "
        f"m̄ in [{m0:.3f}, {m1:.3f}]; {sd.filter_desc}); the legend gives the share of cells it keeps and how "
        f"many of the top-1% (ceil(1% of the cells)) and top-10 cells by that data set's accuracy it keeps, "
        f"within the plotted cells."]
    if sd.subset_edges is not None:
        blocks.append(f"Left/first: all cells. Second: only cells with exactly {T.subset_label(sd, sd.subset_edges)} "
                      "(the paper fixes the number of convolutional edges to compare connectivity patterns fairly).")
    grid: list[FigureItem] = []
    summary["figure5"] = []
    for ds, acc_all in sd.accuracy.items():
        for sub in subsets:
            mask = sd.subset_mask(sub)
            acc, d, m, kp = acc_all[mask], sd.d_bar[mask], sd.m_bar[mask], keep[mask]
            groups = dm_groups(d, m, acc)
            r = multiple_correlation(acc, d, m)
            n = int(np.isfinite(acc).sum())
            k1 = top_fraction_count(n, 0.01)
            stats = F.WindowStats(sd.filter.window, sd.filter.fraction, float(kp.mean()),
                                  int((top_k_mask(acc, k1) & kp).sum()), k1,
                                  int((top_k_mask(acc, min(10, n)) & kp).sum()), min(10, n))
            sub_name = "all" if sub is None else f"{sub}of{sd.total_edges or 'n'}param"
            name = _slug(f"{sd.space}_fig5_{ds}_{sub_name}")
            title = f"{sd.label} · {dataset_label(ds)} · {T.subset_label(sd, sub)}"
            fig = F.figure5(groups, env, r, n, title, accuracy_label=sd.accuracy_desc[ds].split(" (")[0],
                            window=stats, reference_extent=extent)
            caption = (f"Figure 5 ({dataset_label(ds)}, {T.subset_label(sd, sub)}): {len(groups)} dots from {n:,} "
                       f"cells; colour = mean {sd.accuracy_desc[ds]}; R = {r:.3f}; the window keeps "
                       f"{100 * stats.kept_share:.1f}% of the cells, {stats.top1pct_kept}/{k1} of the top-1% and "
                       f"{stats.top10_kept}/{stats.top10} of the top-10.")
            grid.append(w.figure(name, fig, caption))
            summary["figure5"].append({"figure": name, "dataset": ds, "subset": T.subset_label(sd, sub),
                                       "cells": n, "dots": int(len(groups)), "R": r,
                                       "kept_share": stats.kept_share, "top1pct": k1,
                                       "top1pct_kept": stats.top1pct_kept, "top10_kept": stats.top10_kept})
    blocks.append(Grid(tuple(grid)))
    wt = T.window_table(sd, subsets)
    blocks.append(w.table(f"{sd.space}_window", wt, T.format_window_table(wt),
                          f"What the filter window (fraction {_frac(sd.filter.fraction)}) keeps, per cell subset and "
                          "data set - the numbers in the figures' legends. R: multiple correlation of accuracy with "
                          "(d̄, m̄) over the cells."))
    return Section(f"{sd.space}-fig5", f"{sd.label}: accuracy over effective depth and width (Figure 5)", blocks, 3)


def _sweep_section(sd: SpaceData, w: _Writer, fractions: Sequence[float | None], budget: int,
                   seeds: Sequence[int]) -> Section:
    st = T.sweep_table(sd, fractions)
    blocks: list[Any] = [
        "Table 3-style sweep of the window fraction: the window keeps |d̄ − d̄*| ≤ f·r_d and |m̄ − m̄*| ≤ f·r_m "
        f"around the space's centre (d̄*, m̄*) = ({sd.filter.center[0]:.3f}, {sd.filter.center[1]:.3f}) with radius "
        f"(r_d, r_m) = ({sd.filter.radius[0]:.3f}, {sd.filter.radius[1]:.3f}). Computed over every cell of the "
        "benchmark; top-1% = the ceil(1%) most accurate cells of each data set."]
    blocks.append(w.table(f"{sd.space}_sweep", st, T.format_sweep_table(st, sd.datasets),
                          "Window fraction sweep over the benchmark: window, cells kept, mean / best accuracy of "
                          "the kept cells and how many of the top-1% cells are kept."))
    blocks.append(w.figure(_slug(f"{sd.space}_sweep"), F.sweep_figure(st, sd.datasets, f"{sd.label}: window fraction sweep",
                                                                   {d: dataset_label(d) for d in sd.datasets}),
                           "Cells kept and mean accuracy of the kept cells against the window fraction "
                           "(dotted lines: no filter)."))
    if not sd.proxies:
        blocks.append("No proxy scores are available for this space, so the simulated proxy-search part of Table 3 "
                      "is left out; pass --cache DIR with cached NAS-WOT scores to add it.")
    for proxy, desc in sd.proxy_desc.items():
        pt = T.proxy_sweep_table(sd, proxy, fractions, budget, seeds)
        blocks.append(w.table(_slug(f"{sd.space}_sweep_{proxy}"), pt, T.format_proxy_sweep_table(pt, sd.datasets),
                              f"Simulated search with {proxy} ({desc}): for each of {len(seeds)} seeds, {budget} "
                              f"cells are drawn without replacement from the {int(pt['pool'].iloc[0]):,} cells that "
                              "have a score; cells outside the window are skipped; the highest-scoring accepted "
                              "cell is chosen. Mean ± std (population) of the chosen cells' accuracy over seeds; "
                              "'evaluated' = scored cells per search (the search cost). Only cached cells can be "
                              "drawn, so with a partial cache this approximates a search over the whole space."))
    return Section(f"{sd.space}-sweep", f"{sd.label}: window fraction sweep (Table 3)", blocks, 3)


def _correlation_section(sd: SpaceData, w: _Writer) -> Section:
    ct = T.correlation_table(sd)
    blocks: list[Any] = [
        "Rank correlation of each metric with each data set's accuracy over all cells of the benchmark: "
        "Spearman's ρ and Kendall's τ-b (scipy). NN-Mass: dagfilter.metrics.cell_nn_mass of the "
        f"{'normal ' if sd.benchmark != 'nb201' else ''}cell (width 16). Parameters and FLOPs are those of the "
        "data set's network; proxy scores use only the cells that have one (n), one scoring setup each. "
        f"A correlation over fewer than {MIN_CORRELATION_N} cells is not given (only its n; grey in the figure). "
        "-inf scores rank last."]
    for proxy, desc in sd.proxy_desc.items():
        blocks.append(f"{proxy}: {desc}.")
    blocks.append(w.table(f"{sd.space}_correlations", ct, T.format_correlation_table(ct),
                          "Spearman ρ / Kendall τ of each metric with accuracy, and the number of cells used."))
    blocks.append(w.figure(_slug(f"{sd.space}_correlations"),
                           F.correlation_figure(ct, f"{sd.label}: rank correlation with accuracy",
                                                {d: dataset_label(d) for d in sd.datasets}),
                           "Spearman ρ (colour), Kendall τ and the number of cells n of each metric with each data "
                           f"set's accuracy; grey: fewer than {MIN_CORRELATION_N} cells."))
    return Section(f"{sd.space}-corr", f"{sd.label}: rank correlations with accuracy", blocks, 3)


def _search_section(sd: SpaceData, table: pd.DataFrame | None, w: _Writer, results_path: str | None,
                    notes: list[str]) -> Section:
    title = f"{sd.label}: search comparison (Table 2)"
    sid = f"{sd.space}-search"
    if results_path is None:
        return Section(sid, title, ["No saved search results were given (pass --results DIR with the JSON files "
                                    "written by 'dagfilter search' or SearchResult.to_json), so there is no "
                                    "search comparison table."], 3)
    rows = table[table.space == sd.space].reset_index(drop=True) if table is not None and not table.empty else None
    if rows is None or rows.empty:
        return Section(sid, title, [f"The results under {results_path} hold no search on this space."] + notes, 3)
    blocks: list[Any] = [
        f"Search results read from {results_path}, grouped by searcher, budget and filter. Accuracy: the chosen "
        "cell's figure in this benchmark (" + "; ".join(f"{dataset_label(d)}: {sd.accuracy_desc[d]}"
                                                       for d in sd.datasets) + "), mean ± std (population) over runs "
        "(seeds); 'found' = chosen cells present in the benchmark. Scoring cost: summed proxy/evaluation seconds "
        "(SearchResult.scoring_seconds; 0 for table look-ups), and the number of cells evaluated. 'cost vs. "
        "unfiltered': change of mean scoring seconds (or of cells evaluated when those are 0) against the same "
        "searcher and budget without the filter."]
    blocks.append(w.table(f"{sd.space}_search", rows, T_search_format(rows, sd.datasets),
                          "Search comparison: mean ± std over seeds of the chosen cells' accuracy and of search cost."))
    if sd.benchmark == "nb201":
        from .results import paper_table2

        numeric, display = paper_table2()
        blocks.append(w.table(f"{sd.space}_search_paper", numeric, display,
                              "The paper's Table 2 rows for the same searchers (NAS-Bench-201, 3 seeds, GPU seconds), "
                              "for comparison with the measured rows above."))
    blocks.extend(notes)
    return Section(sid, title, blocks, 3)


def _darts_pool_section(w: _Writer, budget: int, seeds: Sequence[int], summary: dict[str, Any]) -> Section:
    """The DARTS window study and pool-search table on the measured 725-cell pool."""
    from ..errors import BenchmarkError
    from . import darts_study as ds

    sid, title = "darts-pool", "DARTS space: window study and searches on the measured 725-cell pool"
    try:
        inp = ds.study_inputs()
    except BenchmarkError as exc:
        return Section(sid, title, [f"The shipped NAS-WOT scores of the 725 cells are unavailable ({exc}), so the "
                                    "window study is left out."], 3)
    acc, meta = inp["accuracy"], inp["naswot_meta"]
    searches = ds.default_searches(inp["features"], acc)
    st = ds.window_study(inp["metrics"], acc, searches, budget, seeds)
    k = ds.choose_default(st)
    d = st.loc[k]
    summary["darts_pool"] = {"default": {c: d[c] for c in ("family", "fraction", "part", "kept", "top_kept")},
                             "budget": budget, "seeds": len(seeds)}
    names = {"naswot": "NAS-WOT", "random": "random", "prior": "prior"}

    def win(r: Any) -> str:
        if r["family"] == "none":
            return "no filter"
        mark = " (default)" if r.name == k else ""
        return f"{r['family']} {r['part']} f={T.fmt_fraction(r['fraction'])}{mark}"

    display = pd.DataFrame({
        "window": [win(r) for _, r in st.iterrows()],
        "d̄ range": ["-" if r["family"] == "none" else f"[{r['d_lo']:.2f}, {r['d_hi']:.2f}]" for _, r in st.iterrows()],
        "m̄ range": ["-" if r["family"] == "none" else f"[{r['m_lo']:.1f}, {r['m_hi']:.1f}]" for _, r in st.iterrows()],
        "kept": st["kept"].map(lambda v: f"{v:.3f}"), "top-10 % kept": st["top_kept"].map(lambda v: f"{v:.3f}"),
        **{f"{lab} acc (scored)": [f"{r[h + '_acc']:.2f} ({r[h + '_scored']:.0f})" for _, r in st.iterrows()]
           for h, lab in names.items()}})
    blocks: list[Any] = [
        f"{len(acc)} DARTS-space cells with their CIFAR-10 validation accuracy (NAS-Bench-301 data; best "
        f"{acc.max():.2f}). Windows: 'space' = derived from the DARTS space's (d̄, m̄) range, 'paper' = the "
        "published centre (1.5, 10.5) and radius (1.4, 9.6), 'code' = the authors' code's range d̄ in [0.5, 1.6], "
        "m̄ in [4, 12] (at f = 1/2); part 'both' requires both cells inside. 'top-10 % kept': share of the 72 most "
        f"accurate cells inside the window. Searches: {budget} cells drawn from the pool per seed "
        f"({len(seeds)} seeds), cells outside the window skipped, the best by NAS-WOT (shipped scores: DARTS "
        f"network {meta.get('network')}, batch {meta.get('batch')}), by accuracy ('random', a training oracle) or "
        "by the default prior chosen; mean accuracy of the chosen cell (mean cells scored). The default window is "
        "picked by the rule in docs/results/darts.md from the kept / top-10 % columns only: keep 20-60 % of the "
        "pool, then the largest top-10 % share."]
    blocks.append(w.table("darts_pool_windows", st, display,
                          "DARTS window study on the 725-cell pool: what each window keeps and what filtered "
                          "searches over the pool choose."))
    recs = []
    for label, r in (("no filter", st.iloc[0]), (f"default: {win(d)}", d)):
        for h, lab in names.items():
            recs.append({"searcher": lab, "filter": label, "acc_mean": r[h + "_acc"], "acc_std": r[h + "_std"],
                         "regret": float(acc.max()) - r[h + "_acc"], "scored": r[h + "_scored"],
                         "cost_ratio": r[h + "_scored"] / st.iloc[0][h + "_scored"], "empty": int(r[h + "_empty"])})
    search = pd.DataFrame(recs)
    search_display = pd.DataFrame({
        "searcher": search["searcher"], "filter": search["filter"],
        "accuracy": [f"{m:.2f} ± {s:.2f}" for m, s in zip(search["acc_mean"], search["acc_std"])],
        "regret to pool best": search["regret"].map(lambda v: f"{v:.2f}"),
        "cells scored": search["scored"].map(lambda v: f"{v:.1f}"),
        "cost vs. unfiltered": search["cost_ratio"].map(lambda v: f"{v:.2f}x")})
    blocks.append(w.table("darts_pool_search", search, search_display,
                          f"DARTS search table on the 725-cell pool ({budget} cells drawn, {len(seeds)} seeds): "
                          "mean ± std (over seeds) CIFAR-10 validation accuracy of the chosen cell, without the "
                          "filter and with the default window."))
    return Section(sid, title, blocks, 3)


def T_search_format(rows: pd.DataFrame, datasets: Sequence[str]) -> pd.DataFrame:
    """Display form of the search table (see :func:`~.results.format_search_table`)."""
    from .results import format_search_table

    return format_search_table(rows, datasets)


def build_report(out_dir: "str | os.PathLike[str]", spaces: Sequence[str] = ("nb201",),
                 results: "str | os.PathLike[str] | None" = None, cache: "str | os.PathLike[str] | None" = None,
                 fraction: float = 0.5, sweep_fractions: Sequence[float | None] = T.SWEEP_FRACTIONS,
                 sim_budget: int = 100, sim_seeds: int = 20, formats: Sequence[str] = ("png", "svg"),
                 dpi: int = 130, reference_samples: int = 2000, seed: int = 0,
                 progress: bool = True) -> ReportResult:
    """Build the report (see the module docstring for the files).

    Args:
        out_dir: report folder (created; existing files of the same names are overwritten).
        spaces: ``"nb201"``, ``"darts"`` and/or benchmark paths (NDS files).
        results: folder (or file) of saved :class:`searchers.base.SearchResult` JSON files.
        cache: score-cache folder/file whose proxy scores join the correlations and Table 3.
        fraction: the filter window fraction drawn on Figure 5.
        sweep_fractions: window fractions of the Table 3 sweep (``None`` = no filter).
        sim_budget, sim_seeds: draws per simulated proxy search and number of seeds (0..n-1).
        formats: figure file formats (``png``, ``svg``, ``pdf``); the HTML embeds PNG.
        reference_samples, seed: extra seeded DARTS-space samples for the reachable region.
        progress: show a progress bar on stderr.

    Raises:
        ConfigError: bad arguments, unreadable results or cache. BenchmarkError: bad benchmark.
    """
    from tqdm import tqdm

    from .. import __version__

    t0 = time.perf_counter()
    if not spaces:
        raise ConfigError("build_report needs at least one space")
    bad = [f for f in formats if f not in F.FORMATS]
    if bad or "png" not in formats:
        raise ConfigError(f"formats must include 'png' and be among {', '.join(F.FORMATS)}, got {list(formats)}")
    if isinstance(sim_seeds, bool) or int(sim_seeds) < 1:
        raise ConfigError(f"sim_seeds must be a positive integer, got {sim_seeds!r}")
    loaded = None
    if results is not None:  # read and check the result files before any work (a bad file fails at once)
        from .results import load_results

        loaded = load_results(results)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create report folder {str(out)!r}: {exc}") from None
    w = _Writer(out, formats, dpi)
    seeds = list(range(int(sim_seeds)))
    steps = len(dict.fromkeys(spaces)) * 5 + 2  # per space: load + 4 sections; results; pages
    bar = tqdm(total=steps, desc="report", unit="step", file=sys.stderr, disable=not progress, leave=False)
    data: dict[str, SpaceData] = {}
    for sp in dict.fromkeys(spaces):
        bar.set_postfix_str(f"loading {sp}")
        data[sp] = load_space_data(sp, fraction, cache, reference_samples, seed)
        bar.update(1)
    search_rows, notes = None, []
    if loaded is not None:
        from .results import search_table

        search_rows, notes = search_table(loaded, data)
        if not search_rows.empty:
            search_rows.to_csv(out / "tables" / "search_all.csv", index=False)
    bar.update(1)
    sections: list[Section] = []
    summary: dict[str, Any] = {"version": __version__, "fraction": fraction, "spaces": {}}
    for sp, sd in data.items():
        ssum: dict[str, Any] = {"label": sd.label, "benchmark": sd.benchmark, "cells": len(sd),
                                "filter": sd.filter.to_dict(), "window": [list(x) for x in sd.filter.window],
                                "kept_share": float(sd.keep().mean()), "proxies": list(sd.proxies)}
        intro = Section(f"{sp}", sd.label, [
            f"{len(sd):,} cells. Accuracy figures: " + "; ".join(f"{dataset_label(d)}: {sd.accuracy_desc[d]}"
                                                                  for d in sd.datasets) + ". "
            f"Filter: {sd.filter.describe()} - {sd.filter_desc}."])
        bar.set_postfix_str(f"{sp}: figure 5")
        fig5 = _figure5_section(sd, w, ssum)
        bar.update(1)
        bar.set_postfix_str(f"{sp}: search table")
        search = _search_section(sd, search_rows, w, None if results is None else str(results), notes)
        bar.update(1)
        bar.set_postfix_str(f"{sp}: sweep")
        sweep = _sweep_section(sd, w, sweep_fractions, sim_budget, seeds)
        bar.update(1)
        bar.set_postfix_str(f"{sp}: correlations")
        corr = _correlation_section(sd, w)
        bar.update(1)
        sections += [intro, fig5, search, sweep, corr]
        if sd.benchmark == "darts725":
            sections.append(_darts_pool_section(w, sim_budget, list(range(max(200, int(sim_seeds)))), ssum))
        summary["spaces"][sp] = ssum
    draw_note = Section("draw", "Drawing a cell", [
        "Any cell can be drawn with 'dagfilter draw CELL --out cell.svg' (NAS-Bench-201 string or index, or a DARTS "
        "genotype): parameterized edges solid and coloured by op, parameter-free edges dashed, none edges faint.",
        w.figure("example_cell", _example_cell(data), "The best NAS-Bench-201 cell on CIFAR-10 (index 6111), drawn "
                 "by dagfilter.report.draw.draw_arch.")], 2)
    sections.append(draw_note)
    meta = [f"dagfilter {__version__} · spaces: {', '.join(data)} · filter fraction {fraction:g} · "
            f"generated by dagfilter.report.build_report",
            "Figures link to their PNG/SVG files and tables to CSV (numbers) and Markdown, relative to this page."]
    summary["figures"] = sorted(w.result.figures)
    summary["tables"] = sorted(w.result.tables)
    w.result.summary = summary
    w.result.html.write_text(render_html("dagfilter report: effective depth and width in NAS benchmarks",
                                         sections, meta), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=_json_default) + "\n")
    bar.update(1)
    bar.close()
    w.result.seconds = time.perf_counter() - t0
    return w.result


def _example_cell(data: dict[str, SpaceData]) -> Any:
    from .draw import draw_arch

    return draw_arch("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


__all__ = ["build_report", "ReportResult"]
