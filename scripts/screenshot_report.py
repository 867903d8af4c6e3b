#!/usr/bin/env python
"""Build a report (or take an existing one) and screenshot its HTML in headless Chromium.

    python scripts/screenshot_report.py --out /tmp/report [--space nb201] [--space darts] \
        [--screenshot /tmp/report/screenshot.png] [--no-build] [--height 3000]

Needs Debian's ``chromium`` (``apt-get install chromium``) or another Chromium/Chrome binary on
PATH (``--chromium`` to name it). Prints the build time and the screenshot path; exits 2 with a
clear message when no Chromium is found.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(name: str | None = None) -> str | None:
    """Path of a Chromium binary (``name`` if given and found), else None."""
    for cand in ([name] if name else CANDIDATES):
        path = shutil.which(cand)
        if path:
            return path
    return None


def screenshot(html: Path, png: Path, chromium: str, width: int = 1400, height: int = 3000,
               timeout: float = 120.0) -> Path:
    """Render ``html`` (a file) to ``png`` with headless Chromium; returns ``png``.

    Raises RuntimeError (with Chromium's output) when no screenshot was written.
    """
    png = png.resolve()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png}",
               f"--window-size={width},{height}", html.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="report folder")
    ap.add_argument("--space", action="append", help="space(s) to report on (default nb201)")
    ap.add_argument("--results", help="folder of saved search results")
    ap.add_argument("--cache", help="score cache folder")
    ap.add_argument("--screenshot", help="PNG to write (default OUT/screenshot.png)")
    ap.add_argument("--no-build", action="store_true", help="screenshot an existing OUT/index.html")
    ap.add_argument("--chromium", help="Chromium binary")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=3000)
    args = ap.parse_args(argv)
    out = Path(args.out)
    if not args.no_build:
        from dagfilter.report import build_report

        t0 = time.perf_counter()
        res = build_report(out, spaces=tuple(args.space or ["nb201"]), results=args.results, cache=args.cache)
        print(f"report built in {time.perf_counter() - t0:.2f} s: {res.html}")
    html = out / "index.html"
    if not html.is_file():
        print(f"no report at {html}", file=sys.stderr)
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("no Chromium found: install Debian's 'chromium' package or pass --chromium", file=sys.stderr)
        return 2
    png = screenshot(html, Path(args.screenshot or out / "screenshot.png"), chromium, args.width, args.height)
    print(f"screenshot: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
