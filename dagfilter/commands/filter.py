"""``dagfilter filter``: derive a space's DAG-filter window and count (or list) the cells it keeps."""
from __future__ import annotations

import argparse

from ._common import HELP_FORMATTER, print_json, read_arch_list

EPILOG = """examples:
  dagfilter filter --space nb201                        # paper's rule: centre +- 0.5 radius
  dagfilter filter --space nb201 --fraction 0.25 --out kept.csv
  dagfilter filter --space darts --paper                # the window printed in the paper
  dagfilter filter --space nb201 --check 6111 '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("filter", help="compute a filter window and the cells it keeps",
                              description=__doc__, epilog=EPILOG, formatter_class=HELP_FORMATTER)
    p.add_argument("--space", default="nb201", help="search space (see 'dagfilter spaces'; default nb201)")
    p.add_argument("--fraction", type=float, default=0.5, help="window half-width as a fraction of the radius (default 0.5)")
    p.add_argument("--part", choices=["normal", "reduce", "both"], default="normal",
                   help="genotype cell judged in two-cell spaces (default normal)")
    p.add_argument("--paper", action="store_true", help="use the centre/radius published in the paper")
    p.add_argument("--out", help="write the kept cells (enumerable spaces) as CSV: index, arch, d_bar, m_bar")
    p.add_argument("--check", nargs="*", default=[], metavar="CELL", help="also say whether these cells are accepted")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ..filter import DAGFilter
    from ..spaces import get_space

    space = get_space(args.space)
    flt = (DAGFilter.paper(args.space, args.fraction, args.part) if args.paper
           else DAGFilter.from_space(space, args.fraction, args.part))
    info = flt.summary(space)
    checks = {str(c): bool(flt.accepts(c)) for c in read_arch_list(args.check)}
    if checks:
        info["checks"] = checks
    if args.out:
        if not space.enumerable:
            from ..errors import ConfigError

            raise ConfigError(f"--out lists kept cells of enumerable spaces only; {args.space!r} is sampled")
        import pandas as pd

        d, m = space.all_depth_width()  # type: ignore[attr-defined]
        keep = np.nonzero(flt.accepts_metrics(d, m))[0]
        from ..outfiles import stderr_note, write_output

        table = pd.DataFrame({"index": keep, "arch": [space.arch(int(i)).to_nb201_str() for i in keep],  # type: ignore[attr-defined]
                              "d_bar": d[keep], "m_bar": m[keep]})
        write_output(args.out, table.to_csv(index=False), "--out file", notify=stderr_note)
        info["out"] = args.out
    if args.json:
        print_json(info)
        return 0
    print(flt.describe())
    if "kept" in info:
        print(f"kept {info['kept']} of {info['total']} cells ({100 * info['kept_share']:.1f} %)")
    for c, ok in checks.items():
        print(f"{'accepted' if ok else 'rejected'}: {c}")
    if args.out:
        print(f"wrote {args.out}")
    return 0
