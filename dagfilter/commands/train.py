"""``dagfilter train``: train a final candidate under the NAS-Bench-201 or DARTS protocol."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import ConfigError

EPILOG = """\
CELL is a NAS-Bench-201 arch string, a DARTS genotype as JSON (NDS dict form) or a name
(DARTS_V1, DARTS_V2), or a search-result JSON file with a "chosen_cell" key.

Data: --data-dir, else $DAGFILTER_CIFAR10_DIR / $DAGFILTER_CIFAR100_DIR /
$DAGFILTER_IMAGENET16_DIR / $DAGFILTER_IMAGENET_DIR, else $DAGFILTER_DATA_DIR (one sub-folder
per dataset). Nothing is downloaded.

Examples:
  # NAS-Bench-201 schedule (200 epochs, batch 256) on CIFAR-10
  dagfilter train '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' \\
      --protocol nb201 --dataset cifar10 --data-dir /data/cifar10 --out runs/nb201-best

  # DARTS evaluation (600 epochs, 36 channels, 20 cells) of a search result
  dagfilter train result.json --protocol darts --dataset cifar10 --out runs/darts-c10

  # DARTS ImageNet setting (ImageFolder data: train/<class>/*.jpg, val/<class>/*.jpg)
  dagfilter train DARTS_V2 --protocol darts --dataset imagenet --data-dir /data/imagenet --out runs/in

  # smoke run: 1 epoch on 512 images, at most 20 steps, a smaller network
  dagfilter train DARTS_V2 --protocol darts --epochs 1 --subset 512 --max-steps 20 \\
      --set channels=8 --set layers=5 --out runs/smoke

  # continue after Ctrl-C or --max-steps (config and cell are read from the run directory)
  dagfilter train --resume --out runs/nb201-best
"""

_FIXED = ("protocol", "space")  # chosen by --protocol, not settable

_SHORTCUTS = {  # CLI flag dest -> TrainConfig field
    "epochs": "epochs", "batch_size": "batch_size", "lr": "lr", "seed": "seed", "subset": "subset",
    "test_subset": "test_subset", "channels": "channels", "layers": "layers",
}


def register(subparsers: Any) -> None:
    """Add the ``train`` sub-command."""
    p = subparsers.add_parser(
        "train", help="train a cell under the NAS-Bench-201 or DARTS protocol",
        description="Train a NAS-Bench-201 cell or a DARTS genotype under a published protocol, "
                    "with per-epoch metrics (CSV/JSON), crash-safe checkpoints and exact resume.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("cell", nargs="?", metavar="CELL_OR_RESULT.json",
                   help="architecture to train (optional with --resume)")
    p.add_argument("--protocol", default="nb201", help="nb201 | darts | darts-imagenet (default nb201)")
    p.add_argument("--dataset", default=None,
                   help="cifar10 | cifar100 | ImageNet16-120 | imagenet (default: the protocol's)")
    p.add_argument("--data-dir", default=None, help="dataset directory (see below for the search order)")
    p.add_argument("--out", required=True, metavar="RUN_DIR", help="run directory for metrics and checkpoints")
    g = p.add_argument_group("protocol overrides")
    g.add_argument("--epochs", type=int)
    g.add_argument("--batch-size", type=int)
    g.add_argument("--lr", type=float)
    g.add_argument("--seed", type=int)
    g.add_argument("--subset", type=int, help="train on a seeded subset of N images")
    g.add_argument("--test-subset", type=int,
                   help="evaluate on a seeded subset of N images (default: --subset when given)")
    g.add_argument("--channels", type=int, help="network width C")
    g.add_argument("--layers", type=int, help="NB201: cells per stage N; DARTS: number of cells")
    g.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override any protocol field, e.g. --set cutout=0 --set grad_clip=none")
    r = p.add_argument_group("run control")
    r.add_argument("--max-steps", type=int, help="stop (with a checkpoint) after N optimizer steps in total")
    r.add_argument("--checkpoint-every", type=int, help="also checkpoint every N steps within an epoch")
    r.add_argument("--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt")
    r.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default auto)")
    r.add_argument("--no-amp", action="store_true", help="disable mixed precision on GPU")
    r.add_argument("--workers", type=int, default=0, help="data-loader worker processes (default 0)")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _parse_value(field: str, text: str, annotation: str) -> Any:
    low = text.strip().lower()
    ann = str(annotation)
    if "None" in ann and low in ("none", "null", ""):
        return None
    try:
        if ann.startswith("bool"):
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if ann.startswith("int"):
            return int(text)
        if ann.startswith("float"):
            return float(text)
    except ValueError:
        raise ConfigError(f"--set {field}={text!r}: expected {ann}") from None
    return text


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Protocol overrides from the shortcut flags and ``--set FIELD=VALUE`` pairs."""
    from ..train.protocols import config_field_types

    types = config_field_types()
    out: dict[str, Any] = {}
    for dest, name in _SHORTCUTS.items():
        value = getattr(args, dest, None)
        if value is not None:
            out[name] = value
    if args.subset is not None and args.test_subset is None:
        out["test_subset"] = args.subset
    for item in args.set:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep:
            raise ConfigError(f"--set expects FIELD=VALUE, got {item!r}")
        if name not in types or name in _FIXED:
            raise ConfigError(f"--set: unknown or fixed protocol field {name!r}; settable: "
                              f"{', '.join(sorted(k for k in types if k not in _FIXED))}")
        out[name] = _parse_value(name, text, types[name])
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``dagfilter train``; returns 0 when the run completed or stopped at --max-steps."""
    from ..train import resume_run, train_cell

    run_kw = dict(max_steps=args.max_steps, checkpoint_every=args.checkpoint_every,
                  device=args.device, amp=False if args.no_amp else None,
                  num_workers=args.workers, progress=not args.quiet)
    if args.cell is None:
        if not args.resume:
            raise ConfigError("give the CELL to train (or --resume to continue the run in --out)")
        overrides = overrides_from_args(args)
        if overrides:
            raise ConfigError(f"--resume without CELL continues the recorded config; drop the "
                              f"overrides {sorted(overrides)} or give CELL and the full settings")
        result = resume_run(args.out, data_dir=args.data_dir, **run_kw)
    else:
        result = train_cell(args.cell, args.out, protocol=args.protocol, dataset=args.dataset,
                            data_dir=args.data_dir, resume=args.resume, **run_kw,
                            **overrides_from_args(args))
    final = result.final
    summary = {"status": result.status, "run_dir": str(result.run_dir), "epochs_done": result.epochs_done,
               "global_step": result.global_step}
    if final:
        summary.update({k: final[k] for k in ("train_loss", "test_top1", "test_top5")})
    from ..jsonio import strict

    print(json.dumps(strict(summary), allow_nan=False))
    if result.status == "stopped":
        print(f"stopped at --max-steps; continue with: dagfilter train --resume --out {args.out}",
              file=sys.stderr)
    return 0
