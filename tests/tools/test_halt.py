"""`sysproxy halt` (sysproxy.client.halt): the server answers, then exits."""
from __future__ import annotations

import subprocess
import sys
import uuid

from support.server import ROOT, ServerProcess
from .conftest import tool_env


def test_halt_stops_the_server() -> None:
    s = ServerProcess(f"unix:///tmp/spt-{uuid.uuid4().hex[:12]}.sock")
    try:
        r = subprocess.run([sys.executable, "-m", "sysproxy", "halt", s.url], env=tool_env(None),
                           capture_output=True, text=True, timeout=30, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        assert s.proc.wait(10) == 0
    finally:
        s.stop()


def test_halt_without_a_server_fails() -> None:
    url = f"unix:///tmp/spt-{uuid.uuid4().hex[:12]}.sock"
    r = subprocess.run([sys.executable, "-m", "sysproxy", "halt", url], env=tool_env(None),
                       capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert r.returncode == 1 and r.stderr.startswith(f"sysproxy halt: {url}: ")
