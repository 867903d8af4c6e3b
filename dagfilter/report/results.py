"""Table 2 from saved search results: :class:`searchers.base.SearchResult` JSON files grouped by
(space, searcher, budget, filter on/off), with mean ± std over seeds.

Accuracies of chosen cells are read from the benchmark (not from the files), so every row
uses the same figures as the rest of the report; a chosen cell the benchmark lacks counts as
missing (the ``found`` column says how many were found).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .data import SpaceData, dataset_label
from .stats import mean_std
from .tables import fmt_num, fmt_pm

#: Display names and order of searchers in Table 2.
SEARCHER_NAMES = {"random": "Random", "naswot": "NAS-WOT", "tenas": "TE-NAS", "fpnas": "FP-NAS"}


def load_results(path: "str | os.PathLike[str]") -> list[Any]:
    """Every search result in a ``.json`` file or under a folder (recursively, sorted by path).

    Raises:
        ConfigError: the path does not exist, holds no ``.json`` file, or a file is not a
            search result (the message names the file).
    """
    from searchers.base import SearchResult

    p = Path(path)
    if not p.exists():
        raise ConfigError(f"search results path {str(p)!r} does not exist")
    files = [p] if p.is_file() else sorted(p.rglob("*.json"))
    if not files:
        raise ConfigError(f"no .json search results under {str(p)!r}")
    out = []
    for f in files:
        try:
            out.append(SearchResult.from_json(f.read_text()))
        except ConfigError as exc:
            raise ConfigError(f"{f}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read search result {str(f)!r}: {exc}") from None
    return out


#: The paper's Table 2 (NAS-Bench-201, mean (std) over 3 seeds; search cost in GPU seconds) for
#: the searchers this project implements, shown beside the measured rows.
PAPER_TABLE2 = (
    ("NAS-WOT", 92.81, 0.99, 69.48, 1.70, 43.10, 3.16, "30.01"),
    ("NAS-WOT + DAG filter", 92.98, 0.78, 69.86, 1.24, 43.44, 2.64, "17.95 (-40.2%)"),
    ("TE-NAS", 93.9, 0.47, 71.24, 0.56, 42.38, 0.46, "1558"),
    ("TE-NAS + DAG filter", 93.6, 0.37, 71.26, 0.77, 44.38, 0.76, "1077 (-30.9%)"),
    ("FP-NAS", 77.4, 16.6, 64.7, 5.3, 26.7, 10.4, "4837"),
    ("FP-NAS + DAG filter", 93.3, 0.3, 70.8, 0.4, 44.5, 1.4, "2612 (-46.0%)"),
)


def paper_table2() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paper's Table 2 rows (:data:`PAPER_TABLE2`): ``(numeric, display)`` frames."""
    cols = ["method", "cifar10:mean", "cifar10:std", "cifar100:mean", "cifar100:std",
            "ImageNet16-120:mean", "ImageNet16-120:std", "search cost (GPU s)"]
    numeric = pd.DataFrame(PAPER_TABLE2, columns=cols)
    display = pd.DataFrame({"method (paper, 3 seeds)": numeric["method"]})
    for ds, lab in (("cifar10", "C10"), ("cifar100", "C100"), ("ImageNet16-120", "IN16-120")):
        display[f"{lab} (%)"] = [f"{m:g} ± {s:g}" for m, s in zip(numeric[f"{ds}:mean"], numeric[f"{ds}:std"])]
    display["search cost (GPU s)"] = numeric["search cost (GPU s)"]
    return numeric, display


def filter_label(config: Mapping[str, Any]) -> str:
    """``"off"`` or ``"on (fraction 0.5)"`` from a result's configuration; searchers with several
    ways of applying the filter (TE-NAS, FP-NAS) add theirs: ``"on (fraction 0.5, rule skip)"``."""
    flt = config.get("filter")
    if not flt:
        return "off"
    rule = config.get("filter_rule")
    return f"on (fraction {float(flt.get('fraction', 0.5)):g}{f', rule {rule}' if rule else ''})"


def _row_of(sd: SpaceData, res: Any, index: dict[str, int]) -> int:
    """Benchmark row of a result's chosen cell (-1 when none / not in the benchmark);
    ``index`` maps canonical genotype JSON to rows (genotype benchmarks)."""
    if res.chosen_cell is None:
        return -1
    if sd.benchmark == "nb201":
        return int(res.chosen_index) if res.chosen_index is not None else -1
    from ..bench.build import canonical_genotype_json

    try:
        key = canonical_genotype_json(json.loads(res.chosen_cell))
    except Exception:  # not a genotype of this space
        return -1
    return index.get(key, -1)


def _order_key(searcher: str) -> tuple[int, str]:
    names = list(SEARCHER_NAMES)
    return (names.index(searcher) if searcher in names else len(names), searcher)


def search_table(results: Sequence[Any], spaces: Mapping[str, SpaceData]) -> tuple[pd.DataFrame, list[str]]:
    """Table 2: one row per (space, searcher, budget, budget mode, filter).

    Columns: ``space, searcher, method, filter, budget, runs, seeds, found`` and, per data set
    of the space, ``<ds>:mean`` / ``<ds>:std`` (chosen cells' accuracy, population std over
    runs), then ``scoring_seconds:mean/std``, ``evaluated:mean/std``, ``wall_seconds:mean`` and
    ``cost_change_pct`` - the change of mean scoring seconds (or, when those are 0 as for
    table look-ups, of evaluated cells) against the unfiltered row of the same searcher and budget.

    Returns ``(table, notes)``; notes say which results were left out (spaces not reported).
    """
    groups: dict[tuple, list[Any]] = {}
    skipped: dict[str, int] = {}
    for res in results:
        space = str(res.config.get("space"))
        if space not in spaces:
            skipped[space] = skipped.get(space, 0) + 1
            continue
        key = (space, res.searcher, int(res.config.get("budget", 0)), str(res.config.get("budget_mode", "drawn")),
               filter_label(res.config))
        groups.setdefault(key, []).append(res)
    rows = []
    label_index = {s: ({} if sd.benchmark == "nb201" else {lab: i for i, lab in enumerate(sd.row_labels)})
                   for s, sd in spaces.items()}
    for key in sorted(groups, key=lambda k: (k[0], _order_key(k[1]), k[2], k[3], k[4] != "off", k[4])):
        space, searcher, budget, mode, flt = key
        runs = groups[key]
        sd = spaces[space]
        chosen = np.array([_row_of(sd, r, label_index[space]) for r in runs])
        found = chosen >= 0
        name = SEARCHER_NAMES.get(searcher, searcher)
        row: dict[str, Any] = {"space": space, "searcher": searcher,
                               "method": name + (" + DAG filter" if flt != "off" else "")
                               + (f" ({runs[0].config['filter_rule']} rule)"
                                  if flt != "off" and runs[0].config.get("filter_rule") else ""), "filter": flt,
                               "budget": budget, "budget_mode": mode, "runs": len(runs),
                               "seeds": ",".join(str(s) for s in sorted({r.seed for r in runs})),
                               "found": int(found.sum())}
        for ds, acc in sd.accuracy.items():
            mu, sdv, _ = mean_std(acc[chosen[found]])
            row[f"{ds}:mean"], row[f"{ds}:std"] = mu, sdv
        for field in ("scoring_seconds", "evaluated"):
            mu, sdv, _ = mean_std([float(getattr(r, field)) for r in runs])
            row[f"{field}:mean"], row[f"{field}:std"] = mu, sdv
        row["wall_seconds:mean"] = mean_std([float(r.wall_seconds) for r in runs])[0]
        rows.append(row)
    table = pd.DataFrame(rows)
    if not table.empty:
        change = []
        for _, row in table.iterrows():
            base = table[(table.space == row.space) & (table.searcher == row.searcher) & (table.budget == row.budget)
                         & (table.budget_mode == row.budget_mode) & (table["filter"] == "off")]
            if row["filter"] == "off" or base.empty:
                change.append(np.nan)
                continue
            b = base.iloc[0]
            field = "scoring_seconds:mean" if b["scoring_seconds:mean"] > 0 else "evaluated:mean"
            change.append(100.0 * (row[field] - b[field]) / b[field] if b[field] > 0 else np.nan)
        table["cost_change_pct"] = change
    notes = [f"{n} result(s) for space {s!r} left out: add --space {s} to report on them"
             for s, n in sorted(skipped.items())]
    return table, notes


def format_search_table(t: pd.DataFrame, datasets: Sequence[str]) -> pd.DataFrame:
    """Display form of one space's rows of :func:`search_table`."""
    out = pd.DataFrame({"method": t["method"], "filter": t["filter"], "budget": t["budget"].map(fmt_num),
                        "runs (found)": [f"{r} ({f})" for r, f in zip(t["runs"], t["found"])]})
    for ds in datasets:
        out[f"{dataset_label(ds)} (%)"] = [fmt_pm(a, b) for a, b in zip(t[f"{ds}:mean"], t[f"{ds}:std"])]
    out["scoring cost (s)"] = [fmt_pm(a, b, 1) for a, b in zip(t["scoring_seconds:mean"], t["scoring_seconds:std"])]
    out["cells evaluated"] = [fmt_pm(a, b, 1) for a, b in zip(t["evaluated:mean"], t["evaluated:std"])]
    out["cost vs. unfiltered"] = ["-" if not np.isfinite(c) else f"{c:+.1f}%" for c in t["cost_change_pct"]]
    return out


__all__ = ["load_results", "search_table", "format_search_table", "filter_label", "paper_table2", "PAPER_TABLE2",
           "SEARCHER_NAMES"]
