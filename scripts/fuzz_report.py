"""Run the hostile-input fuzzer for many calls and count the outcomes per command.

Each call runs in a long-lived worker process (restarted after a hang or a crash) inside a
scratch folder, with ``HOME`` and ``DAGFILTER_CACHE`` pointing there and an address-space limit,
so a call can neither touch the user's files nor take the machine down. Outcomes:

* ``ok``      - exit code 0 (CLI) / a return value (API);
* ``clean``   - exit code 2 with exactly one line on stderr (CLI) / a ``DagFilterError`` (API);
* ``usage``   - exit code 2 with a message of several lines and no traceback (CLI; e.g. argparse's
  usage block before the error line - clean in substance, but not the one-line form);
* ``other``   - any other exception, a traceback, or a clean exit code with a multi-line message
  (the first examples are printed with the exception and the file:line it came from);
* ``hang``    - no answer within ``--timeout`` seconds (the worker is killed and restarted).

Usage::

    python scripts/fuzz_report.py --cli 20000 --api 20000 --seed 0 --timeout 10 --out runs/fuzz.json
    python scripts/fuzz_report.py --cli 900 --api 900 --families 1800 --timeout 10 --out runs/fuzz28.json

``--families N`` adds the input families of issue 28 (``FAMILIES`` in tests/fuzz/hostile.py), kind
``fam``: each draws a CLI or API call and, for some, a check afterwards that turns a clean-looking
outcome into ``other`` when it hides a violation (a symlink's target overwritten, a pickle payload
that ran, a flipped cached score served, an error line that echoes megabytes of input).

Draws are reproducible from ``--seed``: call ``k`` of command ``c`` uses ``Random(f"{seed}:{c}:{k}")``.
Progress is written every 500 calls; ``--out`` holds the counts and the examples (resumable:
already finished calls are skipped when the same ``--out`` is given again).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path.cwd()
sys.path.insert(0, str(REPO))  # dagfilter from the current directory (the tree being measured)
HOSTILE = Path(__file__).resolve().parents[1] / "tests" / "fuzz" / "hostile.py"  # the generators of this checkout


def _hostile():
    """tests/fuzz/hostile.py of this script's checkout (so an older tree can be measured with it)."""
    import importlib.util

    if "fuzz_hostile" not in sys.modules:
        spec = importlib.util.spec_from_file_location("fuzz_hostile", HOSTILE)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["fuzz_hostile"] = mod
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return sys.modules["fuzz_hostile"]

OUTCOMES = ("ok", "clean", "usage", "other", "hang")


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/dagfilter/" in f.filename or "/searchers/" in f.filename]
    f = (ours or frames or [None])[-1]
    if f is None:
        return "?"
    name = f.filename
    for key in ("/dagfilter/", "/searchers/"):
        if key in name:
            name = key.strip("/") + "/" + name.split(key, 1)[1]
    return f"{name}:{f.lineno}"


def message_lines(stderr: str) -> list[str]:
    """Non-empty stderr lines, without tqdm progress-bar redraws (they are not messages)."""
    return [ln for ln in stderr.replace("\r", "\n").splitlines() if ln.strip() and "%|" not in ln]


def _one_call(kind: str, target: str, seed: str, root: Path) -> tuple[str, str, str]:
    """Run one call in this (worker) process: (outcome, detail, input summary)."""
    hostile = _hostile()
    ws_dir = Path(tempfile.mkdtemp(dir=root))
    os.chdir(ws_dir)
    ws = hostile.Workspace(ws_dir)
    d = hostile.Draw(random.Random(seed))
    out, err = io.StringIO(), io.StringIO()
    summary = ""
    def run_cli(argv: list[str]) -> tuple[str, str]:
        from dagfilter.cli import main

        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(argv)
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        lines = message_lines(err.getvalue())
        if rc == 0:
            return "ok", ""
        if rc == 2 and len(lines) == 1:
            return "clean", ""
        if rc == 2 and "Traceback" not in err.getvalue():
            return "usage", f"{len(lines)} stderr lines: {err.getvalue()[-200:]!r}"
        return "other", f"exit {rc}, {len(lines)} stderr lines: {err.getvalue()[-300:]!r}"

    def run_api(fn) -> tuple[str, str]:
        from dagfilter.errors import DagFilterError

        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                fn()
            except DagFilterError:
                return "clean", ""
        return "ok", ""

    def show_argv(argv: list[str]) -> str:
        return repr([a if len(a) < 80 else a[:60] + f"...({len(a)} chars)" for a in argv])[:400]

    try:
        if kind == "cli":
            argv = hostile.cli_args(target, d, ws)
            summary = show_argv(argv)
            outcome, detail = run_cli(argv)
            return outcome, detail, summary
        if kind == "fam":  # issue 28's families: a CLI or API call, then the family's own check
            call = hostile.FAMILIES[target](d, ws)
            summary = show_argv(call.argv) if call.argv is not None else call.summary
            outcome, detail = run_cli(call.argv) if call.argv is not None else run_api(call.fn)
            problem = call.check(err.getvalue()) if call.check is not None else None
            if problem:
                return "other", problem, summary
            return outcome, detail, summary
        fn = hostile.api_targets()[target]
        outcome, detail = run_api(lambda: fn(d, ws))
        return outcome, detail, summary
    except BaseException as exc:  # noqa: BLE001 - classifying every escape is the point
        if isinstance(exc, KeyboardInterrupt):
            raise
        return "other", f"{type(exc).__name__} at {_where(exc)}: {str(exc)[:200]}", summary
    finally:
        os.chdir(root)
        shutil.rmtree(ws_dir, ignore_errors=True)


def _worker(conn, root: str, mem_gb: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (int(mem_gb * 2 ** 30), int(mem_gb * 2 ** 30)))
    os.environ["HOME"] = root
    os.environ["DAGFILTER_CACHE"] = str(Path(root) / "cache")
    os.environ["MPLBACKEND"] = "Agg"
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    import torch

    torch.set_num_threads(1)
    import dagfilter.cli  # noqa: F401 - import once, outside the timed calls
    hostile = _hostile()
    hostile.api_targets()
    conn.send("ready")
    while True:
        job = conn.recv()
        if job is None:
            return
        conn.send(_one_call(*job, Path(root)))


class Pool:
    """One worker process with a per-call deadline."""

    def __init__(self, root: Path, timeout: float, mem_gb: float) -> None:
        self.root, self.timeout, self.mem_gb = root, timeout, mem_gb
        self.proc = None

    def start(self) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, str(self.root), self.mem_gb), daemon=True)
        self.proc.start()
        if not self.conn.poll(300):
            raise RuntimeError("fuzz worker did not start")
        self.conn.recv()

    def call(self, job: tuple) -> tuple[str, str, str]:
        if self.proc is None or not self.proc.is_alive():
            self.start()
        self.conn.send(job)
        if self.conn.poll(self.timeout):
            try:
                return self.conn.recv()
            except EOFError:
                pass
            self.proc.join(5)
            return "other", f"worker died (exit {self.proc.exitcode})", ""
        self.proc.kill()
        self.proc.join()
        self.proc = None
        return "hang", f"no answer within {self.timeout:g} s", ""

    def close(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.conn.send(None)
            self.proc.join(10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", type=int, default=2000, help="CLI calls in total, spread evenly over the commands")
    ap.add_argument("--api", type=int, default=2000, help="API calls in total, spread over the targets")
    ap.add_argument("--families", type=int, default=0,
                    help="calls of issue 28's input families in total (deep nesting, huge integers, non-finite "
                         "numbers, oversized fields, self-referencing files, unbounded sizes, symlinked outputs, "
                         "malicious official files, bit-flipped cache rows), spread over the families")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds before a call counts as a hang")
    ap.add_argument("--mem-gb", type=float, default=6.0, help="address-space limit of the worker")
    ap.add_argument("--only", nargs="*", default=None, help="restrict to these commands / API targets")
    ap.add_argument("--out", default=None, help="JSON file of counts and examples (resumable)")
    args = ap.parse_args(argv)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # finish cleanly: save state, stop the worker

    hostile = _hostile()
    cmds = [c for c in hostile.COMMANDS if not args.only or c in args.only]
    tgts = [t for t in hostile.api_targets() if not args.only or t in args.only]
    fams = [f for f in hostile.FAMILIES if not args.only or f in args.only]
    streams = []
    for kind, names, total in (("cli", cmds, args.cli), ("api", tgts, args.api), ("fam", fams, args.families)):
        per = -(-total // len(names)) if (total and names) else 0
        streams.append([(kind, name, f"{args.seed}:{kind}:{name}:{k}") for k in range(per) for name in names])
    # CLI and API calls alternate (in proportion), so a run stopped early still covers both evenly
    jobs = []
    longest = max((len(s) for s in streams), default=0)
    for i in range(longest):
        for s in streams:
            lo, hi = i * len(s) // longest, (i + 1) * len(s) // longest
            jobs.extend(s[lo:hi])
    state = {"config": vars(args), "counts": {}, "examples": {}, "done": [], "seconds": 0.0}
    out = Path(args.out) if args.out else None
    if out and out.is_file():
        state = json.loads(out.read_text())
    done = set(state["done"])
    root = Path(tempfile.mkdtemp(prefix="dagfilter-fuzz-"))
    pool = Pool(root, args.timeout, args.mem_gb)
    t0 = time.time()
    try:
        for n, job in enumerate(jobs, 1):
            if job[2] in done:
                continue
            outcome, detail, summary = pool.call(job)
            key = f"{job[0]}:{job[1]}"
            counts = state["counts"].setdefault(key, dict.fromkeys(OUTCOMES, 0))
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome in ("other", "hang"):
                ex = state["examples"].setdefault(key, [])
                if len(ex) < 5:
                    ex.append({"seed": job[2], "outcome": outcome, "detail": detail, "input": summary})
                    print(f"[{outcome}] {key} seed={job[2]}: {detail} | {summary[:200]}", flush=True)
            state["done"].append(job[2])
            if out and (n % 500 == 0 or n == len(jobs)):
                state["seconds"] += time.time() - t0
                t0 = time.time()
                out.write_text(json.dumps(state))
            if n % 500 == 0:
                print(f"{n}/{len(jobs)} calls", flush=True)
    finally:
        pool.close()
        shutil.rmtree(root, ignore_errors=True)
    state["seconds"] += time.time() - t0
    if out:
        out.write_text(json.dumps(state))
    print(table(state))
    return 0


def table(state: dict) -> str:
    """The counts as a Markdown table, one row per command / API target, with totals."""
    rows = ["| kind | target | calls | ok | clean error | multi-line exit 2 | other exception | hang |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    tot: dict[str, dict[str, int]] = {}
    for key in sorted(state["counts"]):
        c = dict.fromkeys(OUTCOMES, 0) | state["counts"][key]
        kind, name = key.split(":", 1)
        t = tot.setdefault(kind, dict.fromkeys(OUTCOMES, 0))
        for o in OUTCOMES:
            t[o] += c[o]
        rows.append(f"| {kind} | {name} | {sum(c.values())} | " + " | ".join(str(c[o]) for o in OUTCOMES) + " |")
    for kind, t in tot.items():
        rows.append(f"| **{kind}** | **all** | **{sum(t.values())}** | " + " | ".join(f"**{t[o]}**" for o in OUTCOMES) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
