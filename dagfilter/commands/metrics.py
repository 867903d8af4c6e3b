"""``dagfilter metrics CELL ...``: effective depth/width and path statistics of cells."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, print_json, read_arch_list

EPILOG = """examples:
  dagfilter metrics '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'
  dagfilter metrics 1462 6111 --json              # NAS-Bench-201 indices
  dagfilter metrics '(0, 1, 2, 3, 4, 2)'          # NASLib op tuple
  dagfilter metrics genotype.json --part both     # a DARTS genotype (NDS JSON dict)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("metrics", help="effective depth/width, paths and NN-Mass of cells",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("cells", nargs="*", metavar="CELL", help="cells in any encoding (string, index, tuple, genotype JSON, file)")
    p.add_argument("--file", help="file with one cell per line")
    p.add_argument("--part", choices=["normal", "reduce", "both"], default="both",
                   help="which cell of a DARTS genotype to report (default: both)")
    p.add_argument("--rho", type=_correlation, default=0.5, help="input correlation for the Eq. 12 bound (default 0.5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _correlation(text: str) -> float:
    """argparse type: a finite number in [-1, 1]."""
    import math

    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid correlation {text!r}: not a number") from None
    if not (math.isfinite(x) and -1 <= x <= 1):
        raise argparse.ArgumentTypeError(f"invalid correlation {text!r}: must be in [-1, 1]")
    return x


def cell_report(cell, rho: float) -> dict:
    """Plain-data metrics of one cell.

    ``path_depth_counts`` is the path-depth histogram ``{"d": number of paths of depth d}`` (exact
    integers; a list of every path's depth would grow exponentially with the cell). When the
    histogram is refused for its cost, it and ``nngp_bound`` are null and
    ``path_depth_counts_status`` says why.
    """
    from ..errors import DagFilterError
    from ..metrics import cell_nn_mass, nngp_bound_from_hist, path_stats

    s = path_stats(cell)
    out = {"d_bar": s.d_bar, "m_bar": s.m_bar, "num_paths": exact_int(s.num_paths)}
    try:
        hist = s.depth_hist
        out["path_depth_counts"] = {str(d): exact_int(c) for d, c in enumerate(hist) if c}
        out["nngp_bound"] = nngp_bound_from_hist(hist, rho) if s.num_paths else 0.0
    except DagFilterError as exc:
        out.update(path_depth_counts=None, nngp_bound=None, path_depth_counts_status=str(exc))
    out["nn_mass"] = cell_nn_mass(cell)
    return out


def exact_int(n: int) -> int | str:
    """``n`` itself, or the string ``"about 10^k"`` beyond 4,000 digits (Python refuses to print
    longer integers quickly, and no reader needs them digit by digit)."""
    import math

    return n if n.bit_length() < 13_000 else f"about 10^{int(n.bit_length() * math.log10(2))}"


def run(args: argparse.Namespace) -> int:
    from ..cell import Cell
    from ..encodings import darts
    from ..encodings.parse import arch_to_json, parse_arch
    from ..errors import CellFormatError

    items = read_arch_list(args.cells, args.file)
    if not items:
        raise CellFormatError("no cell given; pass CELL arguments or --file")
    rows = []
    for item in items:
        arch = parse_arch(item)
        if isinstance(arch, Cell):
            rows.append({"cell": arch_to_json(arch), **cell_report(arch, args.rho)})
        else:
            parts = ("normal", "reduce") if args.part == "both" else (args.part,)
            rows.append({"cell": arch_to_json(arch),
                         **{p: cell_report(darts.cell_from_genotype(arch, p), args.rho) for p in parts}})
    if args.json:
        print_json(rows if len(rows) > 1 else rows[0])
        return 0
    for row in rows:
        cell = row["cell"]
        print(cell if isinstance(cell, str) else "genotype")
        reps = [(k, row[k]) for k in ("normal", "reduce") if k in row] or [("", row)]
        for name, r in reps:
            prefix = f"  [{name}] " if name else "  "
            counts = r["path_depth_counts"]
            hist = "-" if counts is None else "{" + ", ".join(f"{d}: {c}" for d, c in counts.items()) + "}"
            bound = "-" if r["nngp_bound"] is None else f"{r['nngp_bound']:.4f}"
            print(f"{prefix}d_bar={r['d_bar']:.4f}  m_bar={r['m_bar']:.4f}  paths={r['num_paths']}  "
                  f"paths_by_depth={hist}  nn_mass={r['nn_mass']:.1f}  eq12_bound(rho={args.rho})={bound}")
    return 0
