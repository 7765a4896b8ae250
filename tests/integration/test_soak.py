"""A short run of benchmarks/soak.py: hostile frames of every kind over 100 connections,
clients killed while blocked, then the server's process table, descriptors, RSS and log
must be back where they were (the full run is a benchmark: benchmarks/README.md)."""
from __future__ import annotations

import subprocess
import sys

import pytest
from support.server import ROOT

SOAK = ROOT / "benchmarks" / "soak.py"
VECTORS = ROOT.parent / "shared" / "vectors"


@pytest.mark.skipif(not VECTORS.is_dir(), reason=f"no recorded transcripts in {VECTORS}")
def test_short_soak_leaves_the_server_as_it_was() -> None:
    """RSS is allowed 50 % here, not the full run's 10 %: in a few seconds the
    allocator's working set is still settling (a few MiB of arenas on ~24 MiB; Python's
    own traced memory does not grow; 25 % was exceeded once, by 0.2 %, on a loaded
    machine), so a tight bound would test the allocator: this one catches a leak of
    per-connection state (10,000 connections), the full run measures the 10 %."""
    r = subprocess.run([sys.executable, str(SOAK), "--frames", "10000", "--conns", "100",
                        "--killed", "200", "--real-kills", "2", "--prefork-ttl", "1",
                        "--rss-tolerance", "0.5"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    for figure in ("frames", "server answers", "process table", "open descriptors", "RSS",
                   "log tracebacks", "killed while blocked"):
        assert any(line.startswith(figure) and "PASS" in line
                   for line in r.stdout.splitlines()), (figure, r.stdout)
