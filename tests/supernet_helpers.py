"""Helpers of the supernet-searcher tests (TE-NAS, FP-NAS): a real forced stop of a search."""
from __future__ import annotations

import torch


def kill_when(code, folder, pattern, ready, timeout=120.0):
    """Run ``code`` in a subprocess, SIGKILL it once a state file matching ``pattern`` satisfies
    ``ready``; return that state."""
    import json
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=root, env=env)
    t0 = time.time()
    try:
        while time.time() - t0 < timeout:
            for f in Path(folder).glob(pattern):
                try:
                    st = json.loads(f.read_text()) if f.suffix == ".json" else torch.load(f, weights_only=True)
                except Exception:  # being replaced
                    continue
                if ready(st):
                    proc.kill()
                    proc.wait()
                    return st
            assert proc.poll() is None, "the search finished before it could be stopped"
            time.sleep(0.02)
        raise AssertionError("the state file never reached the stop point")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
