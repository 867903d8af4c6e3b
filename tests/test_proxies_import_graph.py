"""dagfilter.proxies is one-way (issue 27): proxy modules are pure functions of a shared pass's capture
and never import the orchestrator (passes); a new shared-pass proxy is one file."""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dagfilter.proxies.registry import BUILTIN_MODULES

PKG = Path(__file__).resolve().parents[1] / "dagfilter" / "proxies"
ORCHESTRATION = {"passes", "shared_scoring", "scoring", "zc_bench"}


def imported_siblings(path: Path) -> set[str]:
    """Modules of dagfilter.proxies that ``path`` imports anywhere (top level or inside functions)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level == 1:
                out |= {mod.split(".")[0]} if mod else {a.name for a in node.names}
            elif mod.startswith("dagfilter.proxies."):
                out.add(mod.split(".")[2])
            elif mod == "dagfilter.proxies":
                out |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[2] for a in node.names if a.name.startswith("dagfilter.proxies.")}
    return out


def test_no_proxy_module_imports_the_orchestrator():
    assert len(BUILTIN_MODULES) >= 13
    for name in BUILTIN_MODULES:
        bad = imported_siblings(PKG / f"{name}.py") & ORCHESTRATION
        assert not bad, f"proxies/{name}.py imports {sorted(bad)}"
    # the capture module (what proxies build on) imports no proxy and no orchestrator
    assert not imported_siblings(PKG / "capture.py") & (ORCHESTRATION | set(BUILTIN_MODULES))


@pytest.mark.slow
def test_fresh_import_of_every_proxy_leaves_passes_unloaded_and_a_new_proxy_is_one_file(tmp_path, cifar_dir):
    (tmp_path / "newcomer_proxy.py").write_text(textwrap.dedent('''
        from dagfilter.proxies.capture import Capture, shared_proxy

        @shared_proxy("newcomer_maps", needs=("module_maps",), description="test: mean |map| over modules")
        def newcomer(cap: Capture) -> float:
            return float(sum(float(m.abs().mean()) for m in cap.module_maps))
    '''))
    script = textwrap.dedent(f'''
        import importlib, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from dagfilter.proxies.registry import BUILTIN_MODULES, available_proxies, get_proxy
        for name in BUILTIN_MODULES:
            importlib.import_module("dagfilter.proxies." + name)
        names = available_proxies()
        get_proxy("meco")
        assert "dagfilter.proxies.passes" not in sys.modules, "importing the proxies loaded passes"
        import newcomer_proxy, torch
        from dagfilter.data import fixed_batch
        from dagfilter.nets.nb201 import NB201Network
        from dagfilter.proxies.passes import compute_proxies
        x, y = fixed_batch("cifar10", {str(cifar_dir)!r}, 8, 0)
        torch.manual_seed(0)
        net = NB201Network(["nor_conv_3x3"] * 6, C=4, N=1)
        got = compute_proxies(net, x, y, ["newcomer_maps", "meco"], channels_last=False)  # as the hand check runs
        maps = []
        hooks = [m.register_forward_hook(lambda m, i, o: maps.append(o[0].detach().clone()) if o.dim() == 4 else None)
                 for m in net.modules()]
        with torch.no_grad():
            net.train().forward_features(x[:4])
        want = sum(float(m.abs().mean()) for m in maps)
        assert abs(got["newcomer_maps"] - want) <= 1e-12 * abs(want), (got, want)
        assert got["meco"] == compute_proxies(net, x, y, ["meco"], channels_last=False)["meco"]
        assert "newcomer_maps" in available_proxies() and "newcomer_maps" not in names
        print("ok")
    ''')
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-2000:]
