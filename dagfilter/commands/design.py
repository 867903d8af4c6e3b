"""``dagfilter design``: NN-Mass-guided design of DenseNet-like MLPs/CNNs."""
from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConfigError

EPILOG = """\
NN-Mass (Bhardwaj et al.) of a network of cells with depth d_c, width w_c and t_c long-range
link candidates: sum_c 2 d_c sum_{i=2}^{d_c-1} min(w_c (i-1), t_c) / ((d_c-1)(d_c-2)).
Models of equal width and NN-Mass train and generalize alike whatever their depth, so the
cheapest configuration of a target NN-Mass is a compressed model of the same quality.

Two modes:
  --nn-mass M      list (d_c, t_c) configurations of NN-Mass M (within --tol), cheapest first
  --tcs T [T ...]  describe one configuration (with --depth and --width)
Widths per cell are W, 2W, 4W, ... (--growth 2, the papers' convention) unless --widths is given.

--ldi K builds the first K listed models (seeded) and reports the mean singular value of their
initial layerwise Jacobians (the LDI check of the gradient-propagation paper) on a fixed batch of
real CIFAR-10 images (--data-dir) or of Gaussian inputs (--ldi-inputs gaussian). For CNNs it uses
the local 3x3-patch block of each convolution's Jacobian.

Examples:
  # the papers' compressed-CNN use: 3 cells of widths 32/64/128, NN-Mass about 755
  dagfilter design --nn-mass 755 --width 32 --cells 3 --max-depth 20
  # single-cell MLPs of width 8 (the papers' MNIST setup) with NN-Mass 20, and their LDI
  dagfilter design --nn-mass 20 --width 8 --cells 1 --kind mlp --ldi 5 --ldi-inputs gaussian
  # describe the papers' worked example (NN-Mass 28, NN-Density 0.79)
  dagfilter design --depth 4 --widths 2 3 4 --tcs 3 4 5
"""


def register(subparsers: Any) -> None:
    """Add the ``design`` sub-command."""
    p = subparsers.add_parser(
        "design", help="NN-Mass-guided design: configurations of a target NN-Mass",
        description="Enumerate NN-Mass network configurations (depth d_c, long-range candidates t_c per "
                    "cell) of a target NN-Mass and width, listed by parameters/FLOPs; or describe one.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("--nn-mass", type=float, default=None, metavar="M", help="target NN-Mass")
    p.add_argument("--width", type=int, default=None, metavar="W", help="width of the first cell")
    p.add_argument("--widths", type=int, nargs="+", default=None, help="explicit width per cell")
    p.add_argument("--cells", type=int, default=None, help="number of cells (default 3, or len(--widths))")
    p.add_argument("--growth", type=int, default=2, help="width factor from one cell to the next (default 2)")
    p.add_argument("--kind", default="cnn", choices=["cnn", "mlp"], help="network family (default cnn)")
    p.add_argument("--tol", type=float, default=0.02, help="relative NN-Mass tolerance (default 0.02)")
    p.add_argument("--min-depth", type=int, default=3, help="smallest d_c (default 3)")
    p.add_argument("--max-depth", type=int, default=40, help="largest d_c (default 40)")
    p.add_argument("--grid", type=int, default=16, help="t_c values tried per cell but the last (default 16)")
    p.add_argument("--sort", default="params", choices=["params", "flops", "depth", "error"])
    p.add_argument("--limit", type=int, default=20, help="configurations listed (default 20; 0 = all)")
    p.add_argument("--per-depth", type=int, default=2,
                   help="at most this many configurations per depth d_c (default 2; 0 = no cap)")
    p.add_argument("--depth", type=int, nargs="+", default=None, help="describe mode: d_c (one or per cell)")
    p.add_argument("--tcs", type=int, nargs="+", default=None, help="describe mode: t_c per cell")
    p.add_argument("--num-classes", type=int, default=10)
    p.add_argument("--seed", type=int, default=0, help="seed of the long-range links and weights")
    p.add_argument("--ldi", type=int, default=0, metavar="K", help="LDI of the first K models (default 0)")
    p.add_argument("--ldi-inputs", default="cifar10", choices=["cifar10", "gaussian"])
    p.add_argument("--ldi-batch", type=int, default=32, help="inputs for the LDI check (default 32)")
    p.add_argument("--data-dir", default=None, help="CIFAR-10 directory for --ldi-inputs cifar10")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _widths(args: argparse.Namespace, cells: int) -> list[int]:
    if args.widths:
        if len(args.widths) != cells:
            raise ConfigError(f"--widths has {len(args.widths)} values for {cells} cells")
        return list(args.widths)
    if args.width is None:
        raise ConfigError("give --width W (first cell; doubled per cell) or --widths")
    return [args.width * args.growth ** c for c in range(cells)]


def _ldi_inputs(args: argparse.Namespace, kind: str):
    import torch

    if args.ldi_batch < 2:
        raise ConfigError(f"--ldi-batch must be >= 2, got {args.ldi_batch}")
    if args.ldi_inputs == "gaussian":
        g = torch.Generator().manual_seed(args.seed)
        return torch.randn(args.ldi_batch, 3, 32, 32, generator=g)
    from ..data import fixed_batch

    return fixed_batch("cifar10", args.data_dir, args.ldi_batch, seed=args.seed)[0]


def run(args: argparse.Namespace) -> int:
    """Enumerate or describe NN-Mass configurations."""
    from ..theory.design import enumerate_designs
    from ..theory.nnmass import NNMassSpec

    cells = args.cells or (len(args.widths) if args.widths else (len(args.tcs) if args.tcs else 3))
    if (args.nn_mass is None) == (args.tcs is None):
        raise ConfigError("give either --nn-mass M (enumerate) or --tcs ... (describe one configuration)")
    if args.nn_mass is not None:
        designs = enumerate_designs(args.nn_mass, args.width if args.width is not None else 0, cells,
                                    growth=args.growth, tol=args.tol, min_depth=args.min_depth,
                                    max_depth=args.max_depth, kind=args.kind, grid=args.grid,
                                    sort_by=args.sort, limit=args.limit or None,
                                    per_depth=args.per_depth or None,
                                    widths=_widths(args, cells), seed=args.seed, num_classes=args.num_classes)
        specs = [d.spec for d in designs]
        if not specs:
            raise ConfigError(f"no configuration with NN-Mass within {100 * args.tol:g}% of {args.nn_mass:g} "
                              f"for depths {args.min_depth}..{args.max_depth}; raise --max-depth or --tol")
    else:
        depth = args.depth or [None]
        if depth[0] is None:
            raise ConfigError("describe mode needs --depth")
        depths = depth * cells if len(depth) == 1 else depth
        specs = [NNMassSpec(tuple(depths), tuple(_widths(args, cells)), tuple(args.tcs), kind=args.kind,
                            seed=args.seed, num_classes=args.num_classes)]
    rows = [s.describe() for s in specs]
    if args.ldi:
        import torch

        from ..theory.ldi import mean_jacobian_singular_value

        torch.manual_seed(args.seed)
        x = _ldi_inputs(args, args.kind)
        for row, spec in zip(rows[:args.ldi], specs[:args.ldi]):
            row["ldi_mean_singular_value"] = mean_jacobian_singular_value(spec.build(), x).mean_singular_value
    if args.json:
        from ._common import print_json

        print_json(rows)
        return 0
    ldi_head = f"{'LDI':>7}" if args.ldi else ""
    print(f"{'d_c':>4} {'widths':<16} {'t_c':<18} {'NN-Mass':>9} {'density':>8} {'layers':>6} "
          f"{'params':>11} {'FLOPs':>14} {ldi_head}")
    for r in rows:
        ldi = f"{r['ldi_mean_singular_value']:7.4f}" if "ldi_mean_singular_value" in r else ""
        print(f"{r['depths'][0]:>4} {str(r['widths']):<16} {str(r['tcs']):<18} {r['nn_mass']:>9.2f} "
              f"{r['nn_density']:>8.3f} {r['num_layers']:>6} {r['params']:>11,} {r['flops']:>14,} {ldi}")
    if args.nn_mass is not None:
        print(f"{len(rows)} configuration(s) of {args.kind.upper()} NN-Mass {args.nn_mass:g} +- "
              f"{100 * args.tol:g}%, sorted by {args.sort}")
    return 0
