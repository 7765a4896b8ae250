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
    """RSS is allowed 25 % here, not the full run's 10 %: in a few seconds the
    allocator's working set is still settling (a few MiB of arenas on ~24 MiB; Python's
    own traced memory does not grow), so 10 % would test the allocator, not us."""
    r = subprocess.run([sys.executable, str(SOAK), "--frames", "10000", "--conns", "100",
                        "--killed", "200", "--real-kills", "2", "--prefork-ttl", "1",
                        "--rss-tolerance", "0.25"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    for figure in ("frames", "server answers", "process table", "open descriptors", "RSS",
                   "log tracebacks", "killed while blocked"):
        assert any(line.startswith(figure) and "PASS" in line
                   for line in r.stdout.splitlines()), (figure, r.stdout)
