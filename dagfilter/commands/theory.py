"""``dagfilter theory``: the Eq. 12 NNGP bound on lambda_min(K^(H)) of cells (convergence theory)."""
from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConfigError
from ._common import print_json

EPILOG = """\
Eq. 12 (effective depth/width paper): lambda_min(K^(H)) <= min_ij (P - sum_p f^{d_p}(K0_ij)),
with P the input->output paths, d_p the parameterized ops on path p and f the ReLU NNGP map.
A larger bound predicts faster convergence of gradient descent at a fixed small learning rate.

CELL is dag1 / dag2 / dag3 (Figure 3 of the paper) or any cell encoding dagfilter reads
(NAS-Bench-201 string or index, 6 op names, JSON file with an optional "chosen_cell").

Examples:
  dagfilter theory bound dag1
  dagfilter theory bound '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|' --rho 0.3
  dagfilter theory bound 1234 5678 --json
  dagfilter theory compare                    # the paper's DAG#1-#3, best bound first
  dagfilter theory compare dag1 dag3 1234 --rho 0.2 0.5 0.8
"""


def register(subparsers: Any) -> None:
    """Add the ``theory`` sub-command."""
    p = subparsers.add_parser(
        "theory", help="Eq. 12 convergence bound of cells (P, d_p, NNGP bound)",
        description="Upper bound on the least eigenvalue of the NNGP kernel of a cell (Eq. 12), "
                    "with the number of paths P and the per-path depths d_p.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    sub = p.add_subparsers(dest="theory_command", metavar="{bound,compare}")
    b = sub.add_parser("bound", help="the bound of one or more cells",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    b.add_argument("cells", nargs="+", metavar="CELL")
    b.add_argument("--rho", type=float, default=0.5, help="input correlation K0_ij in [-1, 1] (default 0.5)")
    b.add_argument("--json", action="store_true", help="print JSON")
    c = sub.add_parser("compare", help="rank cells by their bound (default: the paper's DAGs)",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    c.add_argument("cells", nargs="*", metavar="CELL", help="default: dag1 dag2 dag3")
    c.add_argument("--rho", type=float, nargs="+", default=[0.5],
                   help="input correlation(s); ranking uses the first (default 0.5)")
    c.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run, _parser=p)


def run(args: argparse.Namespace) -> int:
    """Print bound reports."""
    from ..theory.bound import bound_curve, bound_report, compare_bounds
    from ..theory.dags import resolve_cell

    if not getattr(args, "theory_command", None):
        args._parser.print_help()
        return 2
    if args.theory_command == "bound":
        reports = [bound_report(resolve_cell(s), args.rho, s) for s in args.cells]
        if args.json:
            print_json([r.to_dict() for r in reports])
            return 0
        for r in reports:
            counts = ", ".join(f"{d}: {c}" for d, c in enumerate(r.depth_hist) if c)
            print(f"{r.name}\n  P = {r.num_paths}   paths by depth = {{{counts}}}   "
                  f"d_bar = {r.d_bar:.3f}   m_bar = {r.m_bar:.3f}\n"
                  f"  lambda_min(K^(H)) <= {r.bound:.6f}   (rho = {r.rho:g})")
        return 0
    specs = args.cells or ["dag1", "dag2", "dag3"]
    if len(set(specs)) != len(specs):
        raise ConfigError(f"cells to compare must be distinct, got {specs}")
    cells = {s: resolve_cell(s) for s in specs}
    ranked = compare_bounds(cells, args.rho[0])
    curves = {r.name: bound_curve(cells[r.name], args.rho).tolist() for r in ranked}
    if args.json:
        print_json([dict(r.to_dict(), bounds=dict(zip(map(str, args.rho), curves[r.name]))) for r in ranked])
        return 0
    rows = []
    for k, r in enumerate(ranked, 1):
        name = r.name if len(r.name) <= 26 else r.name[:23] + "..."
        counts = "{" + ", ".join(f"{d}: {c}" for d, c in enumerate(r.depth_hist) if c) + "}"
        rows.append((str(k), name, str(r.num_paths), counts, [f"{v:.4f}" for v in curves[r.name]]))
    heads = [f"rho={x:g}" for x in args.rho]
    w = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(("rank", "cell", "P", "paths by depth"))]
    wv = [max(len(h), *(len(row[4][j]) for row in rows)) for j, h in enumerate(heads)]

    def line(cols: tuple[str, str, str, str], vals: list[str]) -> str:  # two spaces between every column
        left = f"{cols[0]:<{w[0]}}  {cols[1]:<{w[1]}}  {cols[2]:>{w[2]}}  {cols[3]:<{w[3]}}"
        return "  ".join([left] + [f"{v:>{n}}" for v, n in zip(vals, wv)]).rstrip()

    print(line(("rank", "cell", "P", "paths by depth"), heads))
    for row in rows:
        print(line(row[:4], row[4]))
    print(f"ranked by the bound at rho={args.rho[0]:g}: larger = faster predicted convergence")
    return 0
