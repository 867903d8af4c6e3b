"""``dagfilter spaces``: list the registered search spaces and their (d_bar, m_bar) ranges."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, print_json

EPILOG = """examples:
  dagfilter spaces
  dagfilter spaces --json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("spaces", help="list search spaces", description=__doc__, epilog=EPILOG,
                              formatter_class=HELP_FORMATTER)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-ranges", action="store_true", help="skip computing (d_bar, m_bar) ranges (faster)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..spaces import available_spaces, get_space

    rows = []
    for name in available_spaces():
        sp = get_space(name)
        row = {"name": name, "description": sp.description, "parts": list(sp.parts),
               "size": len(sp) if sp.enumerable else None}  # type: ignore[arg-type]
        if not args.no_ranges:
            (d0, d1), (m0, m1) = sp.metric_bounds()
            row["d_bar_range"], row["m_bar_range"] = [d0, d1], [m0, m1]
        rows.append(row)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        size = f"{r['size']} cells" if r["size"] else "sampled"
        rng = ""
        if "d_bar_range" in r:
            rng = (f"  d_bar [{r['d_bar_range'][0]:.3g}, {r['d_bar_range'][1]:.3g}]"
                   f"  m_bar [{r['m_bar_range'][0]:.3g}, {r['m_bar_range'][1]:.3g}]")
        print(f"{r['name']:<8} {size:<13} {r['description']}{rng}")
    return 0
