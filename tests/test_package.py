"""The package's top level: ``sysproxy.connect`` and the one-way dependencies."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sysproxy

PKG = Path(sysproxy.__file__).resolve().parent


def test_connect_is_the_clients():
    from sysproxy import client
    assert sysproxy.connect is client.connect
    assert sysproxy.KernelError is client.KernelError
    assert "connect" in dir(sysproxy)
    with pytest.raises(AttributeError):
        sysproxy.no_such_name  # noqa: B018


def test_serving_never_loads_the_client():
    """`python -m sysproxy serve` imports the server and kernel only."""
    code = ("import sys, sysproxy.cli, sysproxy.server.listener; "
            "print(any(m.startswith('sysproxy.client') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PKG.parent)
    assert out.stdout.strip() == "False"


def _imports(path: Path) -> set[str]:
    """The sysproxy subpackages a module imports (absolute or relative)."""
    tree = ast.parse(path.read_text())
    rel = path.relative_to(PKG.parent).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[:len(rel) - node.level])
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names = [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "sysproxy" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer, forbidden", [
    ("kernel", {"server", "client", "cli", "tools"}),
    ("abi", {"server", "client", "kernel", "cli", "tools"}),
    ("server", {"client", "cli", "tools"}),
    ("client", {"server", "kernel", "cli"}),
    ("run", {"server", "kernel", "cli", "tools"}),
])
def test_dependencies_point_one_way(layer, forbidden):
    """cli -> server -> kernel -> abi; client -> wire, url, abi; run -> client
    (docs/ARCHITECTURE.md)."""
    bad = {}
    for path in (PKG / layer).rglob("*.py"):
        wrong = _imports(path) & forbidden
        if wrong:
            bad[str(path.relative_to(PKG))] = sorted(wrong)
    assert not bad, bad
